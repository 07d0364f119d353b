"""Every list out as a spreadsheet, over HTTP: xlsx that openpyxl opens and CSV with a BOM,
the list's filters taken, identity numbers masked and formulas neutralised."""
import csv
import html
import io
import re
import uuid
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.e2e.page_forms import TIMEOUT, log_in
from tests.family_data import resident

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA = '=HYPERLINK("http://127.0.0.1/x","click")'
EXPORTS = {  # list: who may export it
    "/api/v1/donations": "staff1", "/api/v1/donors": "staff1", "/api/v1/pledges": "staff1",
    "/api/v1/disbursements": "staff1", "/api/v1/families": "staff1",
    "/api/v1/members": "staff1", "/api/v1/volunteers": "coordinator1",
    "/api/v1/insurance/policies": "staff1", "/api/v1/insurance/claims": "staff1",
    "/api/v1/visits": "coordinator1", "/api/v1/shifts": "coordinator1"}
BORN = date(1961, 7, 11)  # nobody else's people here were born that day


def person(n: int) -> str:
    return resident(n, BORN)


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("path", sorted(EXPORTS))
def test_every_list_exports_as_xlsx_and_csv_with_the_count_the_list_gives(anonymous, path):
    reader = anonymous.login(EXPORTS[path])
    total = reader.call("GET", path).json()["total"]
    rows = sheet_rows(reader.call("GET", f"{path}/export?lang=en"))
    lines = csv_rows(reader.call("GET", f"{path}/export?format=csv&lang=zh"))
    assert len(rows) == len(lines)
    assert rows[0] != tuple(lines[0])  # headed in the language asked for
    if not path.endswith("/families"):  # a family gives a row per member
        assert len(rows) - 1 == total


def test_a_donor_who_typed_a_formula_is_exported_as_text_and_masked(anonymous):
    staff = anonymous.login("staff1")
    donor = {"kind": "person", "name": FORMULA, "id_number": person(701),
             "phone": "13800001234"}
    given = staff.call("POST", "/api/v1/donations", {
        "fund_code": "GENERAL", "amount_fen": 12_345, "channel": "cash", "donor": donor,
        "note": "+1 gift", "anonymous": False}, {"Idempotency-Key": str(uuid.uuid4())})
    assert given.status_code == 201, given.text
    rows = sheet_rows(staff.call("GET", "/api/v1/donors/export?lang=en"))
    # Numbers in xlsx are doubles: openpyxl reads the id back as 12.0.
    header, mine = rows[0], next(r for r in rows[1:] if r[0] == given.json()["donor_id"])
    shown = dict(zip(header, mine, strict=True))
    assert shown["Name"] == "'" + FORMULA  # a text cell, never a formula
    assert shown["Identity number"] == staff.call(
        "GET", f"/api/v1/donors/{int(mine[0])}").json()["id_number"]
    assert person(701) not in str(rows) and "13800001234" not in str(rows)
    lines = csv_rows(staff.call("GET", "/api/v1/donations/export?format=csv&lang=en"))
    note = lines[0].index("Note")
    receipt = next(line for line in lines if line[0] == given.json()["receipt_no"])
    assert receipt[note] == "'+1 gift"
    assert receipt[lines[0].index("Amount (fen)")] == "12345"


def test_an_export_takes_the_lists_filters(anonymous):
    staff = anonymous.login("staff1")
    made = staff.call("POST", "/api/v1/families", {
        "category": "two_daughters", "address": "天长市铜城镇龙岗村3号",
        "village_code": "341181100299", "members": [
            {"name": "王芳", "id_number": person(721), "relation": "head"},
            {"name": "李强", "id_number": person(722), "relation": "spouse"}]})
    assert made.status_code == 201, made.text
    rows = sheet_rows(staff.call("GET", "/api/v1/families/export?village_code=341181100299"
                                        "&lang=en"))
    assert [row[0] for row in rows[1:]] == [made.json()["family_no"]] * 2  # two members
    assert all(person(721) not in str(row) for row in rows)
    bad = staff.call("GET", "/api/v1/families/export?category=nobody")
    assert bad.status_code == 422 and "category" in bad.json()["errors"]
    assert staff.call("GET", "/api/v1/families/export?format=pdf").status_code == 422


def test_who_may_not_read_a_list_may_not_export_it(anonymous):
    donor = anonymous.login("donor1")
    assert donor.call("GET", "/api/v1/donors/export").status_code == 403
    assert donor.call("GET", "/api/v1/families/export").status_code == 403
    assert anonymous.call("GET", "/api/v1/donations/export").status_code == 401


def test_the_pages_offer_their_lists_as_spreadsheets_with_the_pages_login(running_system):
    base = running_system.url
    staff = log_in(base, "staff1")
    families = staff.get(base + "/families?category=two_daughters", timeout=TIMEOUT)
    link = re.search(r'href="(/export/families\?format=csv[^"]*)"', families.text)
    assert link and "category=two_daughters" in link.group(1)
    download = staff.get(base + html.unescape(link.group(1)), timeout=TIMEOUT)
    lines = csv_rows(download)
    assert len(lines) > 1 and all(line[1] in ("two_daughters", "类别") for line in lines)
    for page, register in (("/staff", "donations"), ("/staff", "disbursements"),
                           ("/insurance", "claims"), ("/insurance", "policies")):
        assert f'href="/export/{register}?format=xlsx' in staff.get(base + page,
                                                                   timeout=TIMEOUT).text
        assert sheet_rows(staff.get(f"{base}/export/{register}?format=xlsx", timeout=TIMEOUT))
    donor = log_in(base, "donor1")
    assert donor.get(base + "/export/donors", timeout=TIMEOUT).status_code == 403
    assert staff.get(base + "/export/secrets", timeout=TIMEOUT).status_code == 404
    assert staff.get(base + "/export/families?format=pdf", timeout=TIMEOUT).status_code == 422
