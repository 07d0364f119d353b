"""The staff's list of donations over HTTP, as a browser without JavaScript reads it: every
donation recorded, a page at a time with next and previous links that keep the filters, the
filters narrowing it as the API's list does, its export giving the same rows, each row's
receipt a link away; and the fund statement paged the same way."""
import csv
import html
import io
import re
import uuid
from datetime import date

import pytest

from shared.clock import local_today
from shared.identity import mask_id_number
from tests.e2e.conftest import Client
from tests.e2e.page_forms import TIMEOUT, field_errors, log_in
from tests.family_data import resident

BORN = date(1957, 3, 9)  # nobody else's people here were born that day
PAGE_SIZE = 20  # the pages' (services.gateway.web.ui.PAGE_SIZE)
GIFTS = PAGE_SIZE + 2


def _rows(text: str) -> list[str]:
    """The donations a page lists, by id."""
    return re.findall(r'<tr data-donation="(\d+)"', text)


def _link(text: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}"', text)
    return html.unescape(found.group(1)) if found else None


@pytest.fixture(scope="module")
def gifts(running_system):
    """GIFTS donations of one new donor: the first into SHANGEN, the rest into GENERAL; the
    second refunded (by another staff member: four eyes)."""
    anonymous = Client(running_system.url)
    staff1, staff2 = anonymous.login("staff1"), anonymous.login("staff2")
    donor = {"kind": "person", "name": "韩素梅", "id_number": resident(31, BORN)}
    made = []
    for n in range(GIFTS):
        given = staff1.call("POST", "/api/v1/donations", {
            "fund_code": "SHANGEN" if n == 0 else "GENERAL", "amount_fen": 1_000 + n,
            "channel": "cash", "donor": donor}, {"Idempotency-Key": str(uuid.uuid4())})
        assert given.status_code == 201, given.text
        made.append(given.json())
    refunded = staff2.call("POST", f"/api/v1/donations/{made[1]['id']}/refund",
                           {"reason": "记错了"})
    assert refunded.status_code == 200, refunded.text
    return made


def test_staff_reach_every_donation_a_page_at_a_time(running_system, gifts):
    base = running_system.url
    staff = log_in(base, "staff1")
    assert 'href="/staff/donations"' in staff.get(base + "/staff", timeout=TIMEOUT).text
    donor_id = gifts[0]["donor_id"]
    first = staff.get(f"{base}/staff/donations?donor_id={donor_id}", timeout=TIMEOUT)
    assert first.status_code == 200, first.text[:2000]
    newest = [str(g["id"]) for g in reversed(gifts)]
    assert _rows(first.text) == newest[:PAGE_SIZE]
    assert _link(first.text, "prev") is None
    onward = _link(first.text, "next")
    assert onward == f"/staff/donations?donor_id={donor_id}&donations_page=2"
    second = staff.get(base + onward, timeout=TIMEOUT)
    assert _rows(second.text) == newest[PAGE_SIZE:]
    assert _link(second.text, "next") is None
    assert _link(second.text, "prev") == f"/staff/donations?donor_id={donor_id}"
    assert _rows(staff.get(base + _link(second.text, "prev"), timeout=TIMEOUT).text) == \
        newest[:PAGE_SIZE]

    row = re.search(rf'<tr data-donation="{gifts[-1]["id"]}".*?</tr>', first.text, re.S).group(0)
    assert f'href="/receipts/{gifts[-1]["id"]}">{gifts[-1]["receipt_no"]}<' in row
    assert "韩素梅" in row and mask_id_number(resident(31, BORN)) in row
    assert resident(31, BORN) not in first.text  # masked, as the API gives it
    assert "¥10.21" in row and "现金" in row and "已入账" in row
    assert local_today().isoformat() in row
    receipt = staff.get(f"{base}/receipts/{gifts[-1]['id']}", timeout=TIMEOUT)
    assert receipt.status_code == 200 and gifts[-1]["receipt_no"] in receipt.text


def test_the_filters_narrow_the_list_and_the_export_gives_the_same_rows(running_system, gifts):
    base = running_system.url
    staff = log_in(base, "staff1")
    donor = f"donor_id={gifts[0]['donor_id']}"
    today = local_today().isoformat()

    def listed(query: str) -> list[str]:
        answer = staff.get(f"{base}/staff/donations?{donor}&{query}", timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text[:2000]
        return _rows(answer.text)
    assert listed("fund_code=SHANGEN") == [str(gifts[0]["id"])]
    assert listed("status=refunded") == [str(gifts[1]["id"])]
    assert len(listed(f"from={today}&to={today}&fund_code=GENERAL")) == PAGE_SIZE
    assert listed("to=2000-01-01") == []

    page = staff.get(f"{base}/staff/donations?{donor}&fund_code=GENERAL", timeout=TIMEOUT).text
    link = html.unescape(re.search(r'href="(/export/donations\?format=csv[^"]*)"', page).group(1))
    assert "fund_code=GENERAL" in link and donor in link
    download = staff.get(base + link + "&lang=en", timeout=TIMEOUT)
    assert download.status_code == 200, download.text[:2000]
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    receipts = [line[lines[0].index("Receipt no.")] for line in lines[1:]]
    assert receipts == [g["receipt_no"] for g in reversed(gifts[1:])]
    assert 'href="/export/donations?format=xlsx' in page

    for query, field in ((f"from={today}&to=2000-01-01", "to"), ("status=lost", "status")):
        wrong = staff.get(f"{base}/staff/donations?{query}", timeout=TIMEOUT)
        assert wrong.status_code == 422
        assert set(field_errors(wrong.text)) == {field}
        assert 'id="find-donations"' in wrong.text  # the form again, the error at its field


def test_auditors_read_the_donations_and_donors_and_coordinators_do_not(running_system):
    base = running_system.url
    assert log_in(base, "auditor1").get(base + "/staff/donations",
                                        timeout=TIMEOUT).status_code == 200
    for who in ("donor1", "coordinator1"):
        assert log_in(base, who).get(base + "/staff/donations",
                                     timeout=TIMEOUT).status_code == 403


def test_a_statement_is_paged_keeping_its_period_and_downloads_whole(running_system, gifts):
    base = running_system.url
    staff = log_in(base, "staff1")
    period = f"from={date(local_today().year, 1, 1).isoformat()}&to={local_today().isoformat()}"
    first = staff.get(f"{base}/staff/funds/GENERAL/statement?{period}", timeout=TIMEOUT)
    assert first.status_code == 200
    shown = re.findall(r"<tr><td>", first.text)
    assert len(shown) == PAGE_SIZE
    onward = _link(first.text, "next")
    assert onward == f"/staff/funds/GENERAL/statement?{period}&lines_page=2"
    second = staff.get(base + onward, timeout=TIMEOUT)
    assert _link(second.text, "prev") == f"/staff/funds/GENERAL/statement?{period}"
    assert re.search(r'<p class="export[^"]*" data-export="statement">', first.text)
    csv_link = html.unescape(re.search(r'id="csv" href="([^"]+)"', first.text).group(1))
    whole = staff.get(base + csv_link, timeout=TIMEOUT)
    assert whole.status_code == 200
    assert len(whole.content.decode("utf-8-sig").splitlines()) - 1 > PAGE_SIZE
