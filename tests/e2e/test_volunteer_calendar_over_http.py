"""A volunteer's calendar over HTTP, as a calendar app reads it: a shift they signed up
for and a care visit they were assigned to, fetched with no login but the token in the
address and parsed with icalendar; a wrong token or another volunteer's is refused. And a
campaign day's shifts made at once over the API and from the coordinator's page, all or
none. The system may be shared with other modules: everything here is made here."""
import re
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from icalendar import Calendar

from shared.clock import LOCAL
from shared.identity import make_resident_id
from tests.e2e.page_forms import TIMEOUT, csrf_of, field_errors, log_in
from tests.support import assert_problem, wait_until

BORN = date(1985, 7, 11)  # this module's people: no other module's have this birthday
TOMORROW = datetime.now(LOCAL).date() + timedelta(days=1)


def person(n: int, skills=("general",)) -> dict:
    return {"name": f"日历志愿者{n}", "phone": f"1375511{n:04d}",
            "id_number": make_resident_id("341181", BORN, n), "skills": list(skills)}


def family_of(n: int, address: str) -> dict:
    return {"category": "special_bereaved", "address": address, "village_code": "341181100001",
            "members": [{"name": f"日历户主{n}", "relation": "head",
                         "id_number": make_resident_id("341181", date(1950, 5, 29), n)}]}


def feed_address(system, url: str) -> tuple[str, dict]:
    """The feed at the system under test (the link names the configured public address)."""
    parsed = urlparse(url)
    return system.url + parsed.path, {k: v[0] for k, v in parse_qs(parsed.query).items()}


def fetch(system, url: str, **extra) -> requests.Response:
    path, query = feed_address(system, url)
    return requests.get(f"{path}?{urlencode({**query, **extra})}", timeout=TIMEOUT)


def events_of(response) -> dict:
    return {str(e["uid"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def test_a_volunteer_subscribes_to_their_shifts_and_visits(running_system, anonymous):
    coordinator = anonymous.login("coordinator1")
    staff = anonymous.login("staff1")
    me = coordinator.call("POST", "/api/v1/volunteers", person(1, ["general", "social_work"]))
    other = coordinator.call("POST", "/api/v1/volunteers", person(2))
    assert me.status_code == other.status_code == 201, me.text
    me, other = me.json(), other.json()
    activity = coordinator.call("POST", "/api/v1/activities", {"title": "5·29 会员日义诊"}).json()
    made = coordinator.call("POST", "/api/v1/shifts", {
        "activity_id": activity["id"], "capacity": 5, "required_skills": ["general"],
        "place": "天长市人民广场", "starts_at": "2027-05-29T09:00:00+08:00",
        "ends_at": "2027-05-29T11:30:00+08:00"}).json()
    signed = coordinator.call("POST", f"/api/v1/shifts/{made['id']}/signups",
                              {"volunteer_id": me["id"]})
    assert signed.status_code == 201, signed.text
    home = staff.call("POST", "/api/v1/families", family_of(1, "天长市秦栏镇日历村1号")).json()
    plan = staff.call("POST", f"/api/v1/families/{home['id']}/care-plan", {
        "every_days": 90, "skills": ["social_work"], "starts_on": TOMORROW.isoformat()})
    assert plan.status_code == 200, plan.text

    def the_visit():
        items = coordinator.call("GET", "/api/v1/visits", params={"limit": 500}).json()["items"]
        return next((v for v in items if v["family_id"] == home["id"]), None)

    visit = wait_until(the_visit, timeout=30)
    assigned = coordinator.call("POST", f"/api/v1/visits/{visit['id']}/assign",
                                {"volunteer_ids": [me["id"]]})
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["volunteers"] == [{"id": me["id"], "name": "日历志愿者1"}]

    link = coordinator.call("GET", f"/api/v1/volunteers/{me['id']}/calendar-link")
    assert link.status_code == 200, link.text
    feed = fetch(running_system, link.json()["url"], lang="en")
    assert feed.status_code == 200, feed.text
    assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    found = events_of(feed)
    assert set(found) == {f"shift-{made['id']}@341181.phf", f"visit-{visit['id']}@341181.phf"}
    shift = found[f"shift-{made['id']}@341181.phf"]
    assert shift.decoded("dtstart") == datetime(2027, 5, 29, 1, 0, tzinfo=UTC)
    assert shift.decoded("dtend") == datetime(2027, 5, 29, 3, 30, tzinfo=UTC)
    assert (str(shift["summary"]), str(shift["location"])) == ("5·29 会员日义诊", "天长市人民广场")
    on_visit = found[f"visit-{visit['id']}@341181.phf"]
    nine = datetime.combine(TOMORROW, time(9), LOCAL)
    assert on_visit.decoded("dtstart") == nine.astimezone(UTC)
    assert on_visit.decoded("dtend") == (nine + timedelta(hours=2)).astimezone(UTC)
    assert (str(on_visit["summary"]), str(on_visit["location"])) == ("Visit: 日历户主1",
                                                                     "天长市秦栏镇日历村1号")
    assert all(e.walk("VALARM") for e in found.values())
    chinese = events_of(fetch(running_system, link.json()["url"], lang="zh"))
    assert str(chinese[f"visit-{visit['id']}@341181.phf"]["summary"]) == "探访：日历户主1"

    # Another volunteer's calendar is empty of these; their token does not open mine.
    theirs = coordinator.call("GET", f"/api/v1/volunteers/{other['id']}/calendar-link").json()
    assert events_of(fetch(running_system, theirs["url"])) == {}
    path, query = feed_address(running_system, link.json()["url"])
    _, their_query = feed_address(running_system, theirs["url"])
    flipped = query["token"][:-1] + ("1" if query["token"].endswith("0") else "0")
    for token in (their_query["token"], flipped, "", "341181.abc"):
        refused = requests.get(path, params={"token": token}, timeout=TIMEOUT)
        assert_problem(refused, 404, "calendar_not_found")
        assert "token" in refused.json()["errors"]
    assert_problem(requests.get(path, timeout=TIMEOUT), 404, "calendar_not_found")
    assert_problem(requests.get(path, params={**query, "lang": "fr"}, timeout=TIMEOUT), 422)


def test_the_link_is_for_the_volunteer_themself_or_their_coordinators(anonymous):
    coordinator = anonymous.login("coordinator1")
    volunteer = anonymous.login("volunteer1")
    mine = volunteer.call("GET", "/api/v1/me").json()["volunteer_id"]
    someone = coordinator.call("POST", "/api/v1/volunteers", person(3)).json()
    own = volunteer.call("GET", f"/api/v1/volunteers/{mine}/calendar-link")
    assert own.status_code == 200 and f"/volunteers/{mine}/calendar.ics?token=" in \
        own.json()["url"]
    assert_problem(volunteer.call("GET", f"/api/v1/volunteers/{someone['id']}/calendar-link"),
                   403, "not_yourself")
    assert_problem(coordinator.call("GET", "/api/v1/volunteers/999999/calendar-link"), 404)
    assert_problem(anonymous.call("GET", f"/api/v1/volunteers/{mine}/calendar-link"), 401)
    assert_problem(anonymous.login("donor1").call(
        "GET", f"/api/v1/volunteers/{mine}/calendar-link"), 403)


def labelled_once(html: str) -> list[str]:
    """What a screen reader would miss: ids given twice, fields without a label of theirs."""
    ids = re.findall(r'\sid="([^"]+)"', html)
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    fields = re.findall(r'<(?:input|textarea|select)\b(?![^>]*type="(?:hidden|checkbox)")'
                        r'[^>]*\sid="([^"]+)"', html)
    return [f"id {i} twice" for i in sorted({i for i in ids if ids.count(i) > 1})] + \
        [f"no label for {f}" for f in fields if f not in labelled]


def test_the_volunteer_page_offers_their_own_calendar(running_system):
    base = running_system.url
    browser = log_in(base, "volunteer1")
    page = browser.get(base + "/volunteer", timeout=TIMEOUT, headers={"Accept-Language": "zh"})
    assert page.status_code == 200
    assert labelled_once(page.text) == []
    assert 'id="calendar-url"' in page.text and "webcal://" in page.text
    mine = requests.get(base + "/api/v1/me", timeout=TIMEOUT, headers={
        "Authorization": f"Bearer {browser.cookies['phf_session']}"}).json()["volunteer_id"]
    assert f"/api/v1/volunteers/{mine}/calendar.ics?token=" in page.text


def campaign_day(activity_id: int, places: list[str], **changes) -> dict:
    return {"activity_id": activity_id, "shifts": [
        {"place": place, "capacity": 8, "required_skills": ["general"],
         "starts_at": "2027-07-11T08:30:00+08:00", "ends_at": "2027-07-11T11:30:00+08:00",
         **(changes if n == 2 else {})} for n, place in enumerate(places)]}


def shifts_where(client, wanted) -> list[dict]:
    found = []
    offset = 0
    while True:
        page = client.call("GET", "/api/v1/shifts", params={"limit": 500, "offset": offset})
        body = page.json()
        found += [s for s in body["items"] if wanted(s)]
        offset += 500
        if offset >= body["total"]:
            return found


def shifts_of(client, activity_id: int) -> list[dict]:
    return shifts_where(client, lambda s: s["activity_id"] == activity_id)


def test_a_campaign_days_shifts_are_made_together_or_not_at_all(anonymous):
    coordinator = anonymous.login("coordinator1")
    activity = coordinator.call("POST", "/api/v1/activities", {"title": "7·11 宣传"}).json()
    places = ["人民广场", "秦栏镇卫生院", "铜城镇政府", "千秋街道社区"]
    bad = coordinator.call("POST", "/api/v1/shifts/bulk", campaign_day(
        activity["id"], places, ends_at="2027-07-11T08:00:00+08:00"))
    assert set(assert_problem(bad, 422, "invalid_input")["errors"]) == {"shifts.2.ends_at"}
    blank = coordinator.call("POST", "/api/v1/shifts/bulk", campaign_day(
        activity["id"], places, place=" "))
    assert set(assert_problem(blank, 422)["errors"]) == {"shifts.2.place"}
    too_many = coordinator.call("POST", "/api/v1/shifts/bulk",
                                campaign_day(activity["id"], [f"点{n}" for n in range(101)]))
    assert set(assert_problem(too_many, 422)["errors"]) == {"shifts"}
    unknown = coordinator.call("POST", "/api/v1/shifts/bulk", campaign_day(999_999, places))
    assert_problem(unknown, 422, "unknown_activity")
    assert shifts_of(coordinator, activity["id"]) == []

    made = coordinator.call("POST", "/api/v1/shifts/bulk", campaign_day(activity["id"], places))
    assert made.status_code == 201, made.text
    assert made.json()["total"] == 4
    assert [s["place"] for s in made.json()["items"]] == places
    assert sorted(s["place"] for s in shifts_of(coordinator, activity["id"])) == sorted(places)
    assert_problem(anonymous.login("volunteer1").call(
        "POST", "/api/v1/shifts/bulk", campaign_day(activity["id"], places)), 403)


def test_the_coordinator_page_makes_a_campaign_day_in_either_language(running_system,
                                                                     anonymous):
    base = running_system.url
    api = anonymous.login("coordinator1")
    browser = log_in(base, "coordinator1")
    for language, title in (("zh", "5·29 会员日咨询"), ("en", "5·29 member day desk")):
        page = browser.get(base + "/coordinator", timeout=TIMEOUT,
                           cookies={"phf_lang": language})
        assert labelled_once(page.text) == []
        form = {"csrf": csrf_of(page.url, page.text), "day_title": title,
                "places": "东门社区\n\n西门社区 \n", "day_starts_at": "2027-05-29T08:30",
                "day_ends_at": "2027-05-29T08:00", "day_capacity": "6",
                "day_required_skills": ["general"]}
        wrong = browser.post(base + "/coordinator/shifts/bulk", data=form, timeout=TIMEOUT,
                             cookies={"phf_lang": language}, allow_redirects=False)
        assert wrong.status_code == 422
        errors = field_errors(wrong.text)
        assert list(errors) == ["day_ends_at"] and len(errors["day_ends_at"]) == 1
        assert labelled_once(wrong.text) == []
        assert ("晚于" in errors["day_ends_at"][0]) == (language == "zh"), errors
        done = browser.post(base + "/coordinator/shifts/bulk", timeout=TIMEOUT,
                            data={**form, "day_ends_at": "2027-05-29T11:00"},
                            cookies={"phf_lang": language}, allow_redirects=False)
        assert done.status_code == 303, done.text[:2000]
        listed = browser.get(base + done.headers["Location"], timeout=TIMEOUT)
        assert 'id="notice"' in listed.text
        ours = shifts_where(api, lambda s, title=title: s["title"] == title)
        assert sorted(s["place"] for s in ours) == ["东门社区", "西门社区"]
        assert {(s["starts_at"], s["capacity"]) for s in ours} == {
            ("2027-05-29T08:30:00+08:00", 6)}
