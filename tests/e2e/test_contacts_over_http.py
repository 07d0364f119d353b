"""Members' contacts with their families (会员联系户) on the running system: over the API
(recorded, listed latest first, the last contact on the member, a bad way, a day after today
and a family not the member's refused by field, donors refused, the overdue pairs listed),
and on the pages (the member's page shows the families and their last contact; a contact
recorded through its form; the association's page of overdue pairs)."""
import random
import re
from datetime import date, timedelta

from shared.clock import local_today
from shared.identity import make_resident_id
from tests.e2e.conftest import Client
from tests.e2e.page_forms import TIMEOUT, csrf_of, log_in
from tests.family_data import VILLAGE
from tests.support import assert_problem

COUNTY = "341181"


def person() -> str:
    return make_resident_id(COUNTY, date(1960, 1, 1) + timedelta(days=random.randint(0, 9000)),
                            random.randint(1, 999))


def member_with_a_family(staff) -> tuple[dict, int]:
    """A new member of the county's association and a new family paired with them."""
    family = staff.call("POST", "/api/v1/families", {
        "category": "left_behind_elder", "low_income": True, "address": "天长市秦栏镇某村 3 组",
        "village_code": VILLAGE,
        "members": [{"name": "沈大爷", "relation": "head", "id_number": person()}]})
    assert family.status_code == 201, family.text
    member = staff.call("POST", "/api/v1/members", {
        "name": "顾会员", "id_number": person(), "grassroots_code": COUNTY,
        "phone": f"139{random.randint(0, 10**8 - 1):08d}"})
    assert member.status_code == 201, member.text
    paired = staff.call("POST", f"/api/v1/members/{member.json()['id']}/families",
                        {"family_id": family.json()["id"]})
    assert paired.status_code == 201, paired.text
    return member.json(), family.json()["id"]


def ago(days: int) -> str:
    return (local_today() - timedelta(days=days)).isoformat()


def test_a_contact_round_trip_over_the_api(running_system):
    anonymous = Client(running_system.url)
    staff = anonymous.login("staff1")
    member, family_id = member_with_a_family(staff)
    path = f"/api/v1/members/{member['id']}/contacts"

    older = staff.call("POST", path, {"family_id": family_id, "on": ago(40), "way": "visit",
                                      "note": "入户走访"})
    assert older.status_code == 201, older.text
    newer = staff.call("POST", path, {"family_id": family_id, "on": ago(2), "way": "phone",
                                      "note": "电话问候"})
    assert newer.status_code == 201, newer.text
    assert (newer.json()["on"], newer.json()["way"]) == (ago(2), "phone")
    listed = anonymous.login("coordinator1").call("GET", path).json()
    assert [c["id"] for c in listed["items"]] == [newer.json()["id"], older.json()["id"]]
    shown = staff.call("GET", f"/api/v1/members/{member['id']}").json()
    assert shown["families"][0]["last_contact_on"] == ago(2)

    assert "way" in assert_problem(staff.call("POST", path, {
        "family_id": family_id, "on": ago(1), "way": "letter", "note": "x"}), 422)["errors"]
    assert "on" in assert_problem(staff.call("POST", path, {
        "family_id": family_id, "on": ago(-1), "way": "visit", "note": "x"}), 422)["errors"]
    assert "note" in assert_problem(staff.call("POST", path, {
        "family_id": family_id, "on": ago(1), "way": "visit"}), 422)["errors"]
    _, others = member_with_a_family(staff)
    refused = assert_problem(staff.call("POST", path, {
        "family_id": others, "on": ago(1), "way": "visit", "note": "x"}), 409, "not_paired")
    assert "family_id" in refused["errors"]
    assert_problem(staff.call("POST", "/api/v1/members/999999/contacts", {
        "family_id": family_id, "on": ago(1), "way": "visit", "note": "x"}), 404)
    for role in ("donor1", "volunteer1"):
        assert_problem(anonymous.login(role).call("POST", path, {
            "family_id": family_id, "on": ago(1), "way": "visit", "note": "x"}), 403)
        assert_problem(anonymous.login(role).call("GET", path), 403)
    assert staff.call("GET", path).json()["total"] == 2


def test_the_overdue_pairs_over_the_api(running_system):
    staff = Client(running_system.url).login("staff1")
    late, late_family = member_with_a_family(staff)
    due, due_family = member_with_a_family(staff)
    for member, family_id, days in ((late, late_family, 31), (due, due_family, 30)):
        assert staff.call("POST", f"/api/v1/members/{member['id']}/contacts", {
            "family_id": family_id, "on": ago(days), "way": "wechat",
            "note": "微信联系"}).status_code == 201
    items = []
    while True:
        page = staff.call("GET", f"/api/v1/associations/{COUNTY}/overdue-contacts",
                          params={"limit": 500, "offset": len(items)}).json()
        items += page["items"]
        if len(items) >= page["total"]:
            break
    found = {i["family_id"]: i for i in items}
    assert due_family not in found
    assert (found[late_family]["member_id"], found[late_family]["last_contact_on"],
            found[late_family]["days_since"]) == (late["id"], ago(31), 31)
    assert found[late_family]["paired_on"] == local_today().isoformat()


def test_the_member_page_shows_the_families_and_records_a_contact(running_system):
    base = running_system.url
    member, family_id = member_with_a_family(Client(base).login("staff1"))
    browser = log_in(base, "staff1")
    here = f"/members/{member['id']}"
    page = browser.get(base + here, timeout=TIMEOUT)
    assert page.status_code == 200, page.text[:2000]
    row = re.search(rf'<tr data-family="{family_id}"[^>]*>(.*?)</tr>', page.text, re.S).group(1)
    assert "从未联系" in row

    bad = browser.post(base + here + "/contacts", timeout=TIMEOUT, allow_redirects=False,
                       data={"csrf": csrf_of(page.url, page.text), "family_id": family_id,
                             "on": ago(-1), "way": "visit", "note": ""},
                       headers={"Accept-Language": "en"})
    assert bad.status_code == 422
    assert set(re.findall(r'class="field-error" data-field="([^"]+)"', bad.text)) == {"note"}
    later = browser.post(base + here + "/contacts", timeout=TIMEOUT, allow_redirects=False,
                         data={"csrf": csrf_of(page.url, page.text), "family_id": family_id,
                               "on": ago(-1), "way": "visit", "note": "上门"})
    assert later.status_code == 422
    assert re.findall(r'class="field-error" data-field="([^"]+)"', later.text) == ["on"]
    done = browser.post(base + here + "/contacts", timeout=TIMEOUT, allow_redirects=False,
                        data={"csrf": csrf_of(page.url, page.text), "family_id": family_id,
                              "on": ago(35), "way": "visit", "note": "上门看望"})
    assert done.status_code == 303, done.text[:2000]
    page = browser.get(base + done.headers["Location"], timeout=TIMEOUT).text
    row = re.search(rf'<tr data-family="{family_id}"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert ago(35) in row and "逾期" in row and 'id="notice"' in page
    assert "上门看望" in page

    association = browser.get(base + f"/associations/{COUNTY}", timeout=TIMEOUT).text
    assert f'href="/associations/{COUNTY}/overdue-contacts"' in association
    assert 'data-figure="low_income_families"' in association
    number = 1
    while True:  # the member is the newest: on the last page of a long list
        overdue = browser.get(base + f"/associations/{COUNTY}/overdue-contacts",
                              params={"overdue_page": number}, timeout=TIMEOUT)
        assert overdue.status_code == 200
        if f'data-member="{member["id"]}" data-family="{family_id}"' in overdue.text:
            break
        assert 'class="next"' in overdue.text, "the overdue pair is on no page"
        number += 1
    english = browser.get(base + here, timeout=TIMEOUT, headers={"Accept-Language": "en"})
    assert "Last contact" in english.text and "Overdue" in english.text
