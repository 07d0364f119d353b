"""Registers in from spreadsheets, over HTTP as a client sends them: templates that open in
openpyxl with their drop-down lists; families from xlsx and from CSV in UTF-8 (with and
without a BOM) and GB18030; a dry run that writes nothing, a real run, the same file again
changing nothing; all or nothing; the errors workbook; and every kind of bad file refused
with the status and code the contract gives."""
import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import load_workbook

from tests.e2e.page_forms import TIMEOUT, csrf_of, log_in
from tests.family_data import resident

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BORN = date(1958, 3, 3)  # nobody else's people here were born that day
VILLAGE = "341181002002"  # this module's own: its families are found by it
HEADERS_ZH = ["户编号", "家庭类别", "地址", "村(社区)代码", "姓名", "身份证号", "与户主关系",
              "手机号"]
HEADERS_EN = ["Household number", "Family category", "Address", "Village code", "Name",
              "Identity number", "Relation to the head", "Mobile phone"]


def person(n: int) -> str:
    return resident(n, BORN)


def households(first: int) -> list[list]:
    """Two households, words for the codes in Chinese: three people and one."""
    return [[f"H{first}", "独生子女家庭", "龙岗村1号", VILLAGE, f"导入{first}", person(first),
             "户主", None],
            [f"H{first}", "独生子女家庭", "龙岗村1号", VILLAGE, f"导入{first + 1}",
             person(first + 1), "配偶", "13905501234"],
            [f"H{first + 2}", "other", "龙岗村2号", VILLAGE, f"导入{first + 2}",
             person(first + 2), "head", None],
            [f"H{first}", "独生子女家庭", "龙岗村1号", VILLAGE, f"导入{first + 3}",
             person(first + 3), "子女", None]]


def workbook(headers: list, rows: list[list]) -> bytes:
    made = io.BytesIO()
    book = xlsxwriter.Workbook(made)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, headers)
    for number, row in enumerate(rows, start=1):
        for column, cell in enumerate(row):
            if cell is not None:
                sheet.write_string(number, column, cell)
    book.close()
    return made.getvalue()


def csv_text(headers: list, rows: list[list]) -> str:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows([cell or "" for cell in row] for row in rows)
    return text.getvalue()


def bring_in(client, register, content, name="families.xlsx", **query):
    params = {"dry_run": "false", **query}
    return client.call("POST", f"/api/v1/imports/{register}", params=params,
                       files={"file": (name, content)})


def families_with(client, n: int) -> list[dict]:
    """The families holding this module's person `n`, every page of its village read."""
    found = []
    offset = 0
    while True:
        page = client.call("GET", "/api/v1/families", params={
            "limit": 500, "offset": offset, "village_code": VILLAGE}).json()
        found += page["items"]
        offset += 500
        if offset >= page["total"]:
            break
    last_four = person(n)[-4:]  # masked: the last four digits stay
    return [f for f in found if any(m["id_number"][-4:] == last_four and
                                    m["name"] == f"导入{n}" for m in f["members"])]


@pytest.mark.parametrize("register", ["families", "members", "volunteers", "policies",
                                      "donors"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_template_opens_with_its_headers_and_drop_downs(anonymous, register, lang):
    who = "coordinator1" if register == "volunteers" else "staff1"
    response = anonymous.login(who).call(
        "GET", f"/api/v1/imports/templates/{register}.xlsx", params={"lang": lang})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1] if cell.value]
    assert headers and all(any("\u4e00" <= ch <= "\u9fff" for ch in h) == (lang == "zh")
                           for h in headers)
    if register == "families":
        lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
        assert {str(v.sqref).split(":")[0] for v in lists} == {"B2", "G2", "I2"}
        words = [c.value for c in book["codes"]["G"] if c.value]
        assert ("户主" if lang == "zh" else "Head of the family") in words
        low_income = [c.value for c in book["codes"]["I"] if c.value]
        assert low_income == (["是", "否"] if lang == "zh" else ["Yes", "No"])


def test_families_come_in_after_a_dry_run_and_the_same_file_again_changes_nothing(anonymous):
    staff = anonymous.login("staff1")
    content = workbook(HEADERS_ZH, households(1))

    dry = bring_in(staff, "families", content, dry_run="true")
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert (report["rows"], report["valid"], report["invalid"], report["created"]) == \
        (4, 4, 0, 4)
    assert report["status"] == "done" and report["dry_run"] is True
    assert families_with(staff, 1) == []  # a dry run writes nothing

    real = bring_in(staff, "families", content).json()
    assert (real["created"], real["written"]) == (4, True)
    (family,) = families_with(staff, 1)
    assert len(family["members"]) == 3 and family["category"] == "only_child"
    assert {m["relation"] for m in family["members"]} == {"head", "spouse", "child"}
    assert families_with(staff, 3)[0]["category"] == "other"

    again = bring_in(staff, "families", content).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert len(families_with(staff, 1)) == 1

    status = staff.call("GET", f"/api/v1/imports/{real['import_id']}").json()
    assert status["status"] == "done" and status["created"] == 4
    assert status["done"] == status["to_do"] == 4


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_comes_in_in_utf8_with_or_without_a_bom_and_in_gb18030(anonymous, encoding):
    staff = anonymous.login("staff1")
    first = {"utf-8": 11, "utf-8-sig": 21, "gb18030": 31}[encoding]
    content = csv_text(HEADERS_EN, households(first)).encode(encoding)

    report = bring_in(staff, "families", content, name="families.csv").json()

    assert (report["created"], report["invalid"]) == (4, 0), report
    (family,) = families_with(staff, first)
    assert family["address"] == "龙岗村1号" and family["members"][0]["name"] == f"导入{first}"


def test_bad_rows_are_reported_by_row_and_column_in_the_readers_language(anonymous):
    staff = anonymous.login("staff1")
    rows = households(41)
    rows[2][5] = "110105194912310021"  # a bad check digit: H43 alone
    rows[1][7] = "1234"  # a bad phone: H41, all three of its rows
    rows.append(["H45", "独生子女家庭", "龙岗村5号", VILLAGE, "导入45", person(45), "户主",
                 None])

    zh = bring_in(staff, "families", workbook(HEADERS_ZH, rows), dry_run="true").json()
    en = staff.call("GET", f"/api/v1/imports/{zh['import_id']}", params={"lang": "en"}).json()

    assert (zh["valid"], zh["invalid"], zh["created"]) == (1, 4, 1)
    by_row = {(e["row"], e["column"]): e for e in zh["errors"]}
    assert set(by_row) == {(2, None), (3, "手机号"), (4, "身份证号"), (5, None)}
    assert by_row[(2, None)]["code"] == "group_in_error"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in by_row[(3, "手机号")]["message"])
    assert not any("\u4e00" <= ch <= "\u9fff" for e in en["errors"] for ch in e["message"])

    book = staff.call("GET", f"/api/v1/imports/{zh['import_id']}/errors.xlsx")
    assert book.status_code == 200 and book.headers["Content-Type"] == XLSX
    lines = list(load_workbook(io.BytesIO(book.content)).worksheets[0].values)
    assert lines[0][1:-1] == tuple(HEADERS_ZH)
    assert [line[0] for line in lines[1:]] == [2, 3, 4, 5]
    assert lines[2][8] == "1234" and "手机号" in lines[2][-1]

    real = bring_in(staff, "families", workbook(HEADERS_ZH, rows)).json()
    assert real["created"] == 1 and families_with(staff, 45) and not families_with(staff, 41)


def test_all_or_nothing_writes_nothing_when_a_row_is_wrong(anonymous):
    staff = anonymous.login("staff1")
    rows = households(51)
    rows[3][6] = "表亲"  # no such relation

    report = bring_in(staff, "families", workbook(HEADERS_ZH, rows),
                      all_or_nothing="true").json()

    assert report["written"] is False and report["created"] == 0
    assert [e["row"] for e in report["errors"]] == [2, 3, 5]
    assert families_with(staff, 53) == []  # its own household was right, and still waits

    rows[3][6] = "子女"
    fixed = bring_in(staff, "families", workbook(HEADERS_ZH, rows),
                     all_or_nothing="true").json()
    assert (fixed["created"], fixed["written"]) == (4, True)


def test_the_same_person_twice_in_a_file_is_named_on_the_second_row(anonymous):
    staff = anonymous.login("staff1")
    rows = households(61)
    rows[2][5] = rows[0][5]

    report = bring_in(staff, "families", workbook(HEADERS_ZH, rows), dry_run="true").json()

    duplicate = next(e for e in report["errors"] if e["code"] == "duplicate_row")
    assert (duplicate["row"], duplicate["column"]) == (4, "身份证号")
    assert "2" in duplicate["message"]


def _bomb() -> bytes:
    made = io.BytesIO()
    with zipfile.ZipFile(made, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            zeros = b"0" * (1 << 20)
            for _ in range(300):
                member.write(zeros)
    return made.getvalue()


def test_bad_files_are_refused_with_what_is_wrong(anonymous):
    staff = anonymous.login("staff1")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

    refused = bring_in(staff, "families", png, name="families.xlsx")
    assert refused.status_code == 422 and refused.json()["code"] == "file_not_accepted"
    assert "families.xlsx" in refused.json()["detail"]

    bomb = bring_in(staff, "families", _bomb())
    assert bomb.status_code == 422 and bomb.json()["code"] == "file_not_accepted"

    wrong = bring_in(staff, "families", workbook(["姓名", "身份证号", "血型"], [["a", "b", "c"]]))
    assert wrong.status_code == 422 and wrong.json()["code"] == "wrong_columns"
    errors = wrong.json()["errors"]
    assert "血型" in errors["unknown"] and "户编号" in errors["missing"]

    too_big = bring_in(staff, "families", b"a" * (21 * 1024 * 1024), name="big.csv")
    assert too_big.status_code == 413

    assert bring_in(staff, "pets", workbook(HEADERS_ZH, [])).status_code == 404
    for who, register in (("donor1", "families"), ("volunteer1", "families"),
                          ("staff1", "volunteers"), ("coordinator1", "families")):
        forbidden = bring_in(anonymous.login(who), register, workbook(HEADERS_ZH, []))
        assert forbidden.status_code == 403, (who, register)
    assert staff.call("GET", "/api/v1/imports/0123456789abcdef").status_code == 404


# The import page: upload, the dry run's report, then confirm.

def _page_upload(session, base, register, content, name):
    home = session.get(f"{base}/imports", timeout=TIMEOUT)
    return session.post(f"{base}/imports", data={"register": register,
                                                 "csrf": csrf_of(home.url, home.text)},
                        files={"file": (name, content)}, timeout=TIMEOUT)


def test_the_import_page_checks_first_and_writes_only_when_confirmed(anonymous,
                                                                    running_system):
    base = anonymous.base
    session = log_in(base, "staff1")
    staff = anonymous.login("staff1")
    rows = households(71)
    rows[2][7] = "123"  # H73's phone

    checked = _page_upload(session, base, "families", workbook(HEADERS_ZH, rows),
                           "户籍.xlsx")
    assert checked.status_code == 200 and "/imports/runs/" in checked.url
    assert 'data-count="created">3<' in checked.text and 'data-count="invalid">1<' in \
        checked.text
    assert 'data-row="4"' in checked.text and "手机号" in checked.text
    assert families_with(staff, 71) == []  # only checked
    kept = b"".join(path.read_bytes() for path in
                    Path(running_system.env["PHF_VAR_DIR"]).glob("gateway.db*"))
    assert person(73).encode() not in kept  # the file kept to confirm, its errors: sealed

    confirm = checked.url + "/confirm"
    written = session.post(confirm, data={"csrf": csrf_of(checked.url, checked.text)},
                           timeout=TIMEOUT)
    assert written.status_code == 200 and written.url != checked.url
    assert 'data-count="created">3<' in written.text
    assert len(families_with(staff, 71)) == 1 and families_with(staff, 73) == []

    again = session.post(confirm, data={"csrf": csrf_of(checked.url, checked.text)},
                         timeout=TIMEOUT)  # the same check confirmed twice: refused
    assert again.status_code == 409

    errors = session.get(checked.url + "/errors.xlsx", timeout=TIMEOUT)
    assert errors.status_code == 200 and errors.headers["Content-Type"] == XLSX
    listed = session.get(f"{base}/imports", timeout=TIMEOUT).text
    assert "户籍.xlsx" in listed


def test_the_import_page_says_what_is_wrong_with_a_file_on_the_form(anonymous):
    base = anonymous.base
    session = log_in(base, "staff1")

    wrong = _page_upload(session, base, "families",
                         workbook(["姓名", "血型"], [["张三", "A"]]), "名单.xlsx")
    assert wrong.status_code == 422 and "血型" in wrong.text and "户编号" in wrong.text

    not_one = _page_upload(session, base, "families", b"%PDF-1.4\n" + bytes(16), "a.xlsx")
    assert not_one.status_code == 422 and 'id="file-error"' in not_one.text

    coordinator = log_in(base, "coordinator1")
    page = coordinator.get(f"{base}/imports", timeout=TIMEOUT).text
    assert 'data-template="volunteers"' in page and 'data-template="families"' not in page
    refused = _page_upload(coordinator, base, "families", workbook(HEADERS_ZH, []), "x.xlsx")
    assert refused.status_code == 422 and 'id="register-error"' in refused.text
    template = session.get(f"{base}/imports/families/template.xlsx", timeout=TIMEOUT)
    assert template.status_code == 200 and template.headers["Content-Type"] == XLSX


# Every other register, the same way through the API.

YOUNG = date(1991, 5, 5)  # eligible for the only-child accident cover; nobody else's


def _register_rows(register: str, first: int) -> tuple[list[str], list[list], str]:
    """Headers, three rows (the last one wrong), and the list that shows what came in."""
    def young(n):
        return resident(n, YOUNG)
    if register == "members":
        rows = [[f"会员{n}", person(n), f"1390551{n:04d}", "341181"] for n in (first, first + 1)]
        rows.append(["会员X", person(first + 2), "12", "341181"])
        return ["姓名", "身份证号", "手机号", "所属协会代码"], rows, "/api/v1/members"
    if register == "volunteers":
        rows = [[f"志愿者{n}", person(n), f"1390552{n:04d}", "general、心理咨询"]
                for n in (first, first + 1)]
        rows.append(["志愿者X", person(first + 2), f"1390552{first + 2:04d}", "烹饪"])
        return ["Name", "Identity number", "Mobile phone", "Skills"], rows, "/api/v1/volunteers"
    if register == "policies":
        rows = [["ONLY_CHILD_ACCIDENT", f"投保人{n}", young(n), "2026-01-01", "独生子女家庭"]
                for n in (first, first + 1)]
        rows.append(["ONLY_CHILD_ACCIDENT", "投保人X", young(first + 2), "2026-13-01",
                     "独生子女家庭"])
        return (["险种代码", "姓名", "身份证号", "起保日期", "家庭类别"], rows,
                "/api/v1/insurance/policies")
    rows = [["个人", f"捐赠人{n}", person(n), None] for n in (first, first + 1)]
    rows.append(["企业", "某公司", person(first + 2), None])  # a company has a credit code
    return ["捐赠人类型", "姓名", "身份证号", "统一社会信用代码"], rows, "/api/v1/donors"


def _total(client, path) -> int:
    return client.call("GET", path, params={"limit": 1}).json()["total"]


@pytest.mark.parametrize("register,who,first", [
    ("members", "staff1", 801), ("volunteers", "coordinator1", 811),
    ("policies", "staff1", 821), ("donors", "staff1", 831)])
def test_each_register_runs_dry_all_or_nothing_for_real_and_again(anonymous, register, who,
                                                                 first):
    client = anonymous.login(who)
    headers, rows, listing = _register_rows(register, first)
    content = workbook(headers, rows)
    before = _total(client, listing)

    dry = bring_in(client, register, content, dry_run="true").json()
    assert (dry["valid"], dry["invalid"], dry["created"]) == (2, 1, 2), dry
    assert [e["row"] for e in dry["errors"]] == [4]
    all_or_nothing = bring_in(client, register, content, all_or_nothing="true").json()
    assert (all_or_nothing["written"], all_or_nothing["created"]) == (False, 0)
    assert _total(client, listing) == before

    real = bring_in(client, register, content).json()
    assert (real["created"], real["invalid"]) == (2, 1), real
    assert _total(client, listing) == before + 2
    again = bring_in(client, register, content).json()
    assert (again["created"], again["unchanged"]) == (0, 2)
    assert _total(client, listing) == before + 2
