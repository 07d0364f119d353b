"""A volunteer's calendar feed, built and read back with icalendar as a calendar app reads
it, and the token that is its only permission."""
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from services.gateway import calendar_feed, calendar_tokens
from services.gateway.web import i18n
from shared.actors import load_actor
from shared.errors import NotFound

NOW = datetime(2027, 5, 20, 2, 0, tzinfo=UTC)
AGENDA = {
    "volunteer_id": 12, "name": "王芳",
    "shifts": [
        {"id": 7, "title": "5·29 会员日宣传", "place": "天长市人民广场",
         "starts_at": "2027-05-29T09:00:00+08:00", "ends_at": "2027-05-29T12:00:00+08:00",
         "status": "confirmed"},
        {"id": 8, "title": "义诊", "place": None,
         "starts_at": "2027-05-30T14:00:00+08:00", "ends_at": "2027-05-30T16:00:00+08:00",
         "status": "waitlisted"}],
    "visits": [
        {"id": 3, "family_name": "刘桂兰", "address": "天长市秦栏镇东庄村3号",
         "starts_at": "2027-05-21T09:00:00+08:00", "ends_at": "2027-05-21T11:00:00+08:00",
         "status": "assigned", "volunteers": [{"id": 12, "name": "王芳"},
                                              {"id": 13, "name": "李强"}]}]}


def feed(language: str = "en") -> Calendar:
    built = calendar_feed.build(AGENDA, "341181", i18n.translations(language).gettext, NOW)
    assert b"\r\n" in built  # lines end as RFC 5545 says
    return Calendar.from_ical(built)


def events(calendar: Calendar) -> dict:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_the_calendar_names_itself_and_its_maker():
    calendar = feed()
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["prodid"]) == calendar_feed.PRODID
    assert str(calendar["x-wr-calname"]) == "王芳: shifts and visits"


def test_each_shift_and_visit_is_one_event_with_a_stable_uid_and_utc_times():
    found = events(feed())
    assert sorted(found) == ["shift-7@341181.phf", "shift-8@341181.phf", "visit-3@341181.phf"]
    shift = found["shift-7@341181.phf"]
    assert shift.decoded("dtstart") == datetime(2027, 5, 29, 1, 0, tzinfo=UTC)
    assert shift.decoded("dtend") == datetime(2027, 5, 29, 4, 0, tzinfo=UTC)
    assert (str(shift["summary"]), str(shift["location"])) == ("5·29 会员日宣传", "天长市人民广场")
    assert str(shift["status"]) == "CONFIRMED"
    assert shift.decoded("dtstamp") == NOW
    visit = found["visit-3@341181.phf"]
    assert (str(visit["summary"]), str(visit["location"])) == ("Visit: 刘桂兰",
                                                               "天长市秦栏镇东庄村3号")
    assert str(visit["description"]) == "Team: 王芳, 李强"
    assert visit.decoded("dtstart") == datetime(2027, 5, 21, 1, 0, tzinfo=UTC)


def test_held_places_remind_two_hours_before_and_a_waitlisted_one_is_tentative():
    found = events(feed())
    for uid in ("shift-7@341181.phf", "visit-3@341181.phf"):
        [alarm] = found[uid].walk("VALARM")
        assert alarm.decoded("trigger") == -timedelta(hours=2)
        assert str(alarm["action"]) == "DISPLAY"
    waiting = found["shift-8@341181.phf"]
    assert str(waiting["status"]) == "TENTATIVE"
    assert str(waiting["summary"]) == "On the waitlist: 义诊"
    assert waiting.walk("VALARM") == [] and "location" not in waiting


def test_a_chinese_reader_gets_chinese_words():
    calendar = feed("zh")
    assert str(calendar["x-wr-calname"]) == "王芳的志愿服务日程"
    found = events(calendar)
    assert str(found["visit-3@341181.phf"]["summary"]) == "探访：刘桂兰"
    assert str(found["visit-3@341181.phf"]["description"]) == "服务团队：王芳、李强"
    assert str(found["shift-8@341181.phf"]["summary"]) == "候补：义诊"


def test_an_empty_agenda_is_a_calendar_without_events():
    built = calendar_feed.build({**AGENDA, "shifts": [], "visits": []}, "341181",
                                i18n.translations("en").gettext, NOW)
    assert Calendar.from_ical(built).walk("VEVENT") == []


def test_the_window_is_ninety_days_back_and_a_year_ahead():
    assert calendar_feed.window(NOW) == (NOW - timedelta(days=90), NOW + timedelta(days=365))


def test_a_volunteers_token_opens_only_their_calendar():
    token = calendar_tokens.token_for("341181", 12)
    assert calendar_tokens.association_of(12, token) == "341181"
    other = calendar_tokens.token_for("341181", 13)
    elsewhere = calendar_tokens.token_for("341182", 12)
    forged = "341182." + token.partition(".")[2]
    for wrong in (other, forged, "", "341181", "341181.", token[:-1], token + "0", "x" * 70,
                  "341181." + "é" * 64):
        with pytest.raises(NotFound) as refused:
            calendar_tokens.association_of(12, wrong)
        assert refused.value.code == "calendar_not_found" and "token" in refused.value.fields
    assert calendar_tokens.association_of(12, elsewhere) == "341182"


def test_the_token_is_signed_with_a_key_of_its_own():
    mac = calendar_tokens.token_for("341181", 12).partition(".")[2]
    assert len(mac) == 64 and mac != calendar_tokens.token_for("341181", 21).partition(".")[2]


def test_whoever_holds_the_address_reads_as_that_volunteer_only():
    actor = load_actor(calendar_tokens.reader("341181", 12))
    assert (actor["role"], actor["volunteer_id"], actor["association_code"]) == (
        "volunteer", 12, "341181")


def test_the_address_carries_the_token_and_the_language():
    url = calendar_tokens.feed_url("341181", 12, "en")
    assert "/api/v1/volunteers/12/calendar.ics?token=341181." in url
    assert url.endswith("&lang=en")
