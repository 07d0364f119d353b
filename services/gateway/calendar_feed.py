"""A volunteer's shifts and visits as an iCalendar feed (RFC 5545) a calendar app
subscribes to. Times are written in UTC, which every app shows in its own zone. Confirmed
shifts and visits remind two hours before; a shift waited for is TENTATIVE, without one."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

PRODID = "-//Population Health Fund//Volunteer calendar//ZH"
PAST = timedelta(days=90)
AHEAD = timedelta(days=365)
REMINDER = timedelta(hours=2)
REFRESH = timedelta(hours=1)  # how often an app should fetch the feed again


def window(now: datetime) -> tuple[datetime, datetime]:
    """What the feed covers: 90 days back, for what was done, and a year ahead."""
    return now - PAST, now + AHEAD


def build(agenda: dict, association: str, say: Callable[[str], str], now: datetime) -> bytes:
    """`agenda`: the volunteers service's calendar answer; `say`: the reader's gettext."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", say("%(name)s: shifts and visits") % {"name": agenda["name"]})
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    for shift in agenda["shifts"]:
        waiting = shift["status"] == "waitlisted"
        summary = say("On the waitlist: %(title)s") if waiting else "%(title)s"
        calendar.add_component(_event(Entry(
            f"shift-{shift['id']}@{association}.phf", shift, summary % {"title": shift["title"]},
            shift["place"], tentative=waiting), now))
    for visit in agenda["visits"]:
        team = say(", ").join(member["name"] for member in visit["volunteers"])
        event = _event(Entry(f"visit-{visit['id']}@{association}.phf", visit,
                             say("Visit: %(family)s") % {"family": visit["family_name"]},
                             visit["address"]), now)
        event.add("description", say("Team: %(team)s") % {"team": team})
        calendar.add_component(event)
    return calendar.to_ical()


@dataclass(frozen=True)
class Entry:
    """A shift or a visit as the feed shows it."""
    uid: str
    held: dict  # its starts_at and ends_at
    summary: str
    location: str | None
    tentative: bool = False  # waited for, not booked: no reminder


def _event(entry: Entry, now: datetime) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", _utc(entry.held["starts_at"]))
    event.add("dtend", _utc(entry.held["ends_at"]))
    event.add("summary", entry.summary)
    if entry.location:
        event.add("location", entry.location)
    event.add("status", "TENTATIVE" if entry.tentative else "CONFIRMED")
    if not entry.tentative:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", entry.summary)
        alarm.add("trigger", -REMINDER)
        event.add_component(alarm)
    return event


def _utc(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone(UTC)
