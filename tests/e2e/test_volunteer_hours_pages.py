"""The coordinator's page of a shift's sign-ups, in both languages: who did not come, each
sign-up's history and hour corrections, and a correction form whose bad input is shown at
its field; the volunteer's page shows their hours, no-shows and reliability."""
import re
from datetime import UTC, datetime, timedelta

from tests.e2e.page_forms import field_errors
from tests.e2e.test_hostile_pages import Browser
from tests.volunteer_data import volunteer


def test_a_coordinator_corrects_hours_on_the_shifts_page(running_system, anonymous):
    api = anonymous.login("coordinator1")
    person = api.call("POST", "/api/v1/volunteers", volunteer(942)).json()
    activity = api.call("POST", "/api/v1/activities", {"title": "健康讲座"}).json()
    start = datetime.now(UTC) - timedelta(days=1)
    shift = api.call("POST", "/api/v1/shifts", {
        "activity_id": activity["id"], "capacity": 1, "required_skills": ["general"],
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()}
    ).json()
    api.call("POST", f"/api/v1/shifts/{shift['id']}/signups", {"volunteer_id": person["id"]})
    page_of_shift = f"/coordinator/shifts/{shift['id']}"
    form = f"{page_of_shift}/signups/{person['id']}/hours"

    for language in ("en", "zh"):
        coordinator = Browser(running_system.url, "coordinator1", language)
        home = coordinator.get("/coordinator")
        assert f'href="{page_of_shift}"' in home.text
        refused = coordinator.post(form, {"minutes": "一百", "reason": ""})
        assert refused.status_code == 422
        assert set(field_errors(refused.text)) == {"minutes", "reason"}
        too_long = coordinator.post(form, {"minutes": "181", "reason": "核实"})  # 3 hours
        assert (too_long.status_code, set(field_errors(too_long.text))) == (422, {"minutes"})
        ids = re.findall(r'\bid="([^"]+)"', refused.text)
        assert len(ids) == len(set(ids)), "duplicate ids"
        for field in re.findall(r'<input id="([^"]+)" name="(?:minutes|reason)"', refused.text):
            assert f'<label for="{field}">' in refused.text
    done = coordinator.post(form, {"minutes": "150", "reason": "忘记签到，现场确认"})
    assert (done.status_code, done.headers["Location"]) == (303, f"{page_of_shift}?done=corrected")
    shown = coordinator.get(done.headers["Location"]).text
    assert "忘记签到，现场确认" in shown and "计入 150 分钟" in shown
    assert "志愿者942" in shown and "no_show" not in shown.replace('data-status="no_show"', "")


def test_a_volunteer_reads_their_hours_no_shows_and_reliability(running_system, anonymous):
    me = anonymous.login("volunteer1").call("GET", "/api/v1/me").json()
    record = anonymous.login("coordinator1").call(
        "GET", f"/api/v1/volunteers/{me['volunteer_id']}").json()
    for language, no_history in (("en", "No shift over yet"), ("zh", "尚无已结束的班次")):
        page = Browser(running_system.url, "volunteer1", language).get("/volunteer").text
        assert f'<strong id="my-no-shows">{record["no_shows"]}</strong>' in page
        shown = re.search(r'<strong id="my-reliability">([^<]*)</strong>', page).group(1)
        assert shown == (no_history if record["reliability"] is None
                         else f"{round(record['reliability'] * 100)}%")
