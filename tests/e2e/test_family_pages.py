"""The family pages over HTTP, as a browser posts them: staff register a family through the
form, its page shows the members masked and its timeline, a care plan is saved; a bad form
comes back with each error at its member's field; readers read, donors are refused."""
import re
from datetime import date

from shared.clock import local_today
from shared.identity import make_resident_id
from tests.e2e.page_forms import TIMEOUT, csrf_of, log_in
from tests.support import wait_until

ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def _person(n: int, born=date(1958, 4, 2)) -> str:
    return make_resident_id("341181", born, 700 + n)


def _register(browser, base, **fields):
    form = browser.get(base + "/families", timeout=TIMEOUT)
    return browser.post(base + "/families", timeout=TIMEOUT, allow_redirects=False, data={
        "csrf": csrf_of(form.url, form.text), "category": "special_bereaved",
        "address": "天长市千秋街道某村 3 组 12 号", "village_code": "341181100203", **fields})


def test_staff_register_a_family_and_see_it_masked_with_its_timeline(running_system):
    base = running_system.url
    staff = log_in(running_system.url, "staff1")
    answer = _register(staff, base, member_0_name="赵德明", member_0_id_number=_person(1),
                       member_0_relation="head", member_0_phone="13905507777",
                       member_1_name="钱桂英", member_1_id_number=_person(2),
                       member_1_relation="spouse")
    assert answer.status_code == 303, answer.text[:2000]
    family = staff.get(base + answer.headers["Location"], timeout=TIMEOUT,
                       headers={"Accept-Language": "zh-CN"})
    assert family.status_code == 200
    assert "赵德明" in family.text and "钱桂英" in family.text and "户主" in family.text
    assert not ID_NUMBER.search(family.text) and "13905507777" not in family.text
    assert 'id="timeline"' in family.text

    plan = staff.post(base + answer.headers["Location"] + "/care-plan", timeout=TIMEOUT,
                      allow_redirects=False, data={
                          "csrf": csrf_of(family.url, family.text), "every_days": "30",
                          "starts_on": local_today().isoformat(), "skills": ["social_work"]})
    assert plan.status_code == 303, plan.text[:2000]
    # Due today: the volunteers are asked at once, and the coordinator sees where to go.
    coordinator = log_in(base, "coordinator1")
    assert wait_until(lambda: "天长市千秋街道某村 3 组 12 号" in coordinator.get(
        base + "/coordinator", timeout=TIMEOUT).text, timeout=30)
    listed = staff.get(base + "/families?category=special_bereaved", timeout=TIMEOUT).text
    assert "赵德明" in listed


def test_a_bad_family_form_shows_each_error_at_its_members_field(running_system):
    base = running_system.url
    staff = log_in(running_system.url, "staff1")
    answer = _register(staff, base, member_0_name="孙立", member_0_id_number=_person(3),
                       member_0_relation="head", member_1_name="孙小", member_1_relation="child",
                       member_1_id_number="110105194912310021", village_code="12ab")
    assert answer.status_code == 422
    errors = dict(re.findall(r'class="field-error" data-field="([^"]+)">([^<]+)<', answer.text))
    assert set(errors) >= {"member_1_id_number", "village_code"}, errors

    again = _register(staff, base, member_0_name="孙立", member_0_id_number=_person(4),
                      member_0_relation="head", member_1_name="孙立", member_1_relation="head",
                      member_1_id_number=_person(4))
    assert again.status_code == 422
    assert 'data-field="member_1_id_number"' in again.text


def test_readers_read_the_register_and_donors_may_not(running_system):
    base = running_system.url
    for reader in ("auditor1", "coordinator1"):
        browser = log_in(base, reader)
        page = browser.get(base + "/families", timeout=TIMEOUT)
        assert page.status_code == 200 and 'id="register-family"' not in page.text
    donor = log_in(base, "donor1")
    assert donor.get(base + "/families", timeout=TIMEOUT).status_code == 403
    assert donor.get(base + "/families/1", timeout=TIMEOUT).status_code == 403
    staff = log_in(base, "staff1")
    assert staff.get(base + "/families/99999999", timeout=TIMEOUT).status_code == 404
