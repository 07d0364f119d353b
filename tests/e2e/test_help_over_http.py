"""Help records (精准帮扶) over HTTP, on the running system with its demo data: the API's
round trip with bad input refused by field and outsiders kept out, the family's page listing
the help and its form recording more in both languages, and an unmet follow-up whose day has
passed listed as overdue, in the API and on the staff's page."""
from datetime import timedelta

from shared.clock import local_today
from tests.e2e.page_forms import TIMEOUT, csrf_of, field_errors, log_in
from tests.family_data import family
from tests.support import assert_problem

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
# People of these tests: numbered apart from the demo's and the other tests'.
A = 961
B = 962
C = 963


def day(offset: int) -> str:
    return (local_today() + timedelta(days=offset)).isoformat()


def _family(staff, n: int) -> dict:
    made = staff.call("POST", "/api/v1/families", family(n, village="341181100001"))
    assert made.status_code == 201, made.text
    return made.json()


def test_help_is_recorded_and_listed_over_the_api_and_bad_input_is_named(anonymous):
    staff = anonymous.login("staff1")
    family_id = _family(staff, A)["id"]
    path = f"/api/v1/families/{family_id}/help"

    first = staff.call("POST", path, {"kind": "health", "on": day(-3), "minutes": 40,
                                      "note": "陪同就医", "follow_up_on": day(20)})
    assert first.status_code == 201, first.text
    coordinator = anonymous.login("coordinator1")
    second = coordinator.call("POST", path, {"kind": "companionship", "on": day(-1),
                                             "minutes": 90, "note": "上门探访",
                                             "outcome": "老人情绪稳定"})
    assert second.status_code == 201, second.text
    assert (second.json()["helper_kind"], second.json()["helper_name"]) == \
        ("staff", "coordinator1")

    listed = anonymous.login("auditor1").call("GET", path)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [r["id"] for r in items] == [second.json()["id"], first.json()["id"]]
    assert items[1]["followed_up_by"] == second.json()["id"]  # met by the later help

    for body, field in (({"kind": "money"}, "kind"), ({"minutes": -5}, "minutes"),
                        ({"minutes": 1441}, "minutes"), ({"on": day(1)}, "on"),
                        ({"follow_up_on": day(-9)}, "follow_up_on"),
                        ({"by_member_id": 1, "by_volunteer_id": 1}, "by_volunteer_id"),
                        ({"by_volunteer_id": 2_000_000}, "by_volunteer_id")):
        refused = staff.call("POST", path, {"kind": "living", "on": day(-2), "minutes": 10,
                                            "note": "送米", **body})
        problem = assert_problem(refused, 422)
        assert field in problem["errors"], (body, problem)
    assert staff.call("GET", path).json()["total"] == 2

    for outsider in ("donor1", "volunteer1"):
        who = anonymous.login(outsider)
        assert_problem(who.call("POST", path, {"kind": "living", "on": day(0), "minutes": 1,
                                               "note": "x"}), 403)
        assert_problem(who.call("GET", path), 403)
    assert_problem(staff.call("GET", "/api/v1/families/2000000/help"), 404)


def test_the_family_page_lists_the_help_and_its_form_records_more_in_both_languages(
        running_system, anonymous):
    base = running_system.url
    family_id = _family(anonymous.login("staff1"), B)["id"]
    staff = log_in(base, "staff1")
    page = staff.get(f"{base}/families/{family_id}", timeout=TIMEOUT, headers=ZH)
    assert page.status_code == 200 and 'id="help-form"' in page.text
    assert "尚无帮扶记录。" in page.text

    def post(headers, **fields):
        form = staff.get(f"{base}/families/{family_id}", timeout=TIMEOUT, headers=headers)
        return staff.post(f"{base}/families/{family_id}/help", timeout=TIMEOUT,
                          allow_redirects=False, headers=headers, data={
                              "csrf": csrf_of(form.url, form.text), "help_kind": "living",
                              "help_on": day(-2), "help_minutes": "30", "help_note": "送米送油",
                              **fields})

    # Refused on its field, in the reader's language, and nothing recorded.
    bad = post(ZH, help_on=day(3))
    assert bad.status_code == 422
    assert field_errors(bad.text) == {"help_on": ["不能晚于今天。"]}
    bad = post(ZH, help_minutes="-1", help_kind="money")
    assert bad.status_code == 422
    assert set(field_errors(bad.text)) == {"help_minutes", "help_kind"}
    bad = post(EN, help_follow_up_on=day(-5))
    assert bad.status_code == 422
    assert field_errors(bad.text)["help_follow_up_on"] == \
        ["Must not be before the day of the help."]

    done = post(ZH, help_outcome="生活有保障", help_follow_up_on=day(30))
    assert done.status_code == 303, done.text[:2000]
    done = post(EN, help_kind="legal", help_on=day(-1), help_minutes="45",
                help_note="讲解赡养纠纷的法律规定")
    assert done.status_code == 303, done.text[:2000]

    zh = staff.get(f"{base}/families/{family_id}", timeout=TIMEOUT, headers=ZH).text
    assert "生活帮扶" in zh and "法律帮扶" in zh and "生活有保障" in zh
    assert "精准帮扶（法律帮扶，45 分钟）" in zh  # on the timeline too
    en = staff.get(f"{base}/families/{family_id}", timeout=TIMEOUT, headers=EN).text
    assert "Help with daily living" in en and "Legal help" in en
    assert f"{day(30)} · done" in en  # the legal help met the living help's follow-up
    listed = anonymous.login("staff1").call("GET", f"/api/v1/families/{family_id}/help")
    assert [r["kind"] for r in listed.json()["items"]] == ["legal", "living"]


def test_an_unmet_follow_up_past_its_day_is_listed_as_overdue(running_system, anonymous):
    staff = anonymous.login("staff1")
    made = _family(staff, C)
    asked = staff.call("POST", f"/api/v1/families/{made['id']}/help", {
        "kind": "psychological", "on": day(-10), "minutes": 60, "note": "心理疏导",
        "follow_up_on": day(-2)})
    assert asked.status_code == 201, asked.text

    coordinator = anonymous.login("coordinator1")
    for code in ("341181", "341181100", "341181100001"):  # the county, a township, a village
        overdue = coordinator.call("GET", f"/api/v1/associations/{code}/overdue-follow-ups",
                                   params={"limit": 500})
        assert overdue.status_code == 200, overdue.text
        mine = [o for o in overdue.json()["items"] if o["help_id"] == asked.json()["id"]]
        assert mine == [{"help_id": asked.json()["id"], "family_id": made["id"],
                         "family_no": made["family_no"], "village_code": "341181100001",
                         "kind": "psychological", "helped_on": day(-10),
                         "follow_up_on": day(-2), "helper_name": "staff1",
                         "days_overdue": 2}]
    assert_problem(anonymous.login("donor1").call(
        "GET", "/api/v1/associations/341181/overdue-follow-ups"), 403)

    browser = log_in(running_system.url, "staff1")
    home = browser.get(running_system.url + "/staff", timeout=TIMEOUT, headers=ZH)
    assert 'href="/follow-ups"' in home.text
    listed = browser.get(running_system.url + "/follow-ups", timeout=TIMEOUT, headers=ZH)
    assert listed.status_code == 200
    assert made["family_no"] in listed.text and "心理慰藉" in listed.text
