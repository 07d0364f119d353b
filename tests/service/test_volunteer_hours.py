"""Honest hours, on the real VolunteersService (SQLite and PostgreSQL in turn): confirmed
volunteers who never came to a shift now over become no-shows (their places stay taken),
a coordinator corrects the minutes a sign-up credits with the reason kept, a volunteer's
record shows no-shows and reliability, and a waitlisted place blocks nothing, so a
promotion that would clash passes the volunteer over and says so in their history.

Shifts that are over are made in the past (a shift may be created for any time); the
no-show marking is run as the service's timer runs it, or called with a later `now`."""
import json
from datetime import datetime, timedelta

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import select

from services.volunteers import attendance
from services.volunteers.models import OUTBOX, HoursEntry
from shared.clock import LOCAL, now_utc
from shared.contracts.events import CATALOGUE
from shared.db import EVENT_CATALOGUE
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.service.test_volunteers_service import (
    claim_approved,
    deliver_claim,
)
from tests.volunteer_data import COORDINATOR, as_volunteer


def make_shift(volunteers, starts: datetime, minutes: int = 180, capacity: int = 20) -> dict:
    return volunteers.rpc.create_shift({
        "activity_id": volunteers.activity(), "capacity": capacity,
        "required_skills": ["general"], "starts_at": starts.astimezone(LOCAL).isoformat(),
        "ends_at": (starts + timedelta(minutes=minutes)).astimezone(LOCAL).isoformat()},
        COORDINATOR)


def yesterday_morning() -> datetime:
    day = (now_utc().astimezone(LOCAL) - timedelta(days=1)).date()
    return datetime(day.year, day.month, day.day, 9, tzinfo=LOCAL)


def sign_up(volunteers, shift_id: int, volunteer_id: int) -> dict:
    return volunteers.rpc.sign_up(shift_id, {"volunteer_id": volunteer_id}, COORDINATOR)


def mark_at(volunteers, now: datetime) -> int:
    with volunteers.session() as session:
        session.info[EVENT_CATALOGUE] = CATALOGUE  # the outbox checks the no-shows' events
        marked = attendance.mark_no_shows(session, now)
        session.commit()
    return marked


def run_the_timer(volunteers) -> None:
    with entrypoint_hook(volunteers.container, "mark_no_shows") as mark:
        mark()


def events(volunteers, event_type: str) -> list[dict]:
    with volunteers.session() as session:
        return [json.loads(payload)["data"] for payload in session.scalars(
            select(OUTBOX.c.payload).where(OUTBOX.c.event_type == event_type)
            .order_by(OUTBOX.c.id))]


def correct(volunteers, shift_id: int, volunteer_id: int, minutes, reason="忘记签到，现场确认"):
    return volunteers.rpc.correct_hours(shift_id, volunteer_id,
                                        {"minutes": minutes, "reason": reason}, COORDINATOR)


# No-shows

def test_confirmed_volunteers_who_never_checked_in_are_no_shows_once_the_shift_ends(
        volunteers):
    starts = now_utc() - timedelta(minutes=10)  # under way: check-in is open
    shift = make_shift(volunteers, starts, minutes=60, capacity=2)
    came, missed, waiting, late = (volunteers.register(n) for n in (1, 2, 3, 4))
    for volunteer_id in (came, missed, waiting):
        sign_up(volunteers, shift["id"], volunteer_id)
    volunteers.rpc.check_in(shift["id"], {"volunteer_id": came}, as_volunteer(came))
    ends = starts + timedelta(minutes=60)

    assert mark_at(volunteers, ends - timedelta(minutes=1)) == 0  # not over yet
    assert mark_at(volunteers, ends + timedelta(seconds=1)) == 1
    assert mark_at(volunteers, ends + timedelta(hours=1)) == 0  # a second run changes nothing

    seen = volunteers.rpc.get_shift(shift["id"], COORDINATOR)
    assert [(p["volunteer_id"], p["name"]) for p in seen["no_shows"]] == [(missed, "志愿者2")]
    assert [p["volunteer_id"] for p in seen["confirmed"]] == [came]
    assert [p["volunteer_id"] for p in seen["waitlisted"]] == [waiting]  # nobody moved up
    assert sign_up(volunteers, shift["id"], late)["status"] == "waitlisted"  # place kept
    entry = volunteers.rpc.get_signup(shift["id"], missed, COORDINATOR)
    assert entry["status"] == "no_show"
    assert [(h["from_status"], h["to_status"], h["actor"], h["reason"])
            for h in entry["history"]][-1] == ("confirmed", "no_show", "volunteers",
                                               "never checked in")
    assert [(e["volunteer_id"], e["shift_id"]) for e in events(volunteers, "volunteers.no_show")] \
        == [(missed, shift["id"])]
    record = volunteers.rpc.get_volunteer(missed, COORDINATOR)
    assert (record["no_shows"], record["reliability"]) == (1, 0.0)


def test_the_services_timer_marks_a_shift_that_is_over_once(volunteers):
    shift = make_shift(volunteers, yesterday_morning(), capacity=1)
    confirmed = volunteers.register(1)
    waiting = volunteers.register(2)
    sign_up(volunteers, shift["id"], confirmed)
    sign_up(volunteers, shift["id"], waiting)

    run_the_timer(volunteers)
    run_the_timer(volunteers)

    first = volunteers.rpc.get_signup(shift["id"], confirmed, COORDINATOR)
    assert first["status"] == "no_show"
    assert [h["to_status"] for h in first["history"]] == ["confirmed", "no_show"]
    assert volunteers.rpc.get_signup(shift["id"], waiting, COORDINATOR)["status"] == \
        "waitlisted"
    assert len(events(volunteers, "volunteers.no_show")) == 1


# Corrections

def test_a_coordinator_corrects_hours_with_the_reason_kept_and_the_total_follows(volunteers):
    shift = make_shift(volunteers, yesterday_morning(), capacity=1)
    forgot = volunteers.register(1)
    waiting = volunteers.register(2)
    sign_up(volunteers, shift["id"], forgot)
    sign_up(volunteers, shift["id"], waiting)

    first = correct(volunteers, shift["id"], forgot, 150)
    again = correct(volunteers, shift["id"], forgot, 120, "提前一小时离开")

    assert (again["status"], again["minutes"], again["name"]) == ("confirmed", 120, "志愿者1")
    assert first["corrections"][0]["old_minutes"] == 0
    assert [(c["actor"], c["old_minutes"], c["new_minutes"], c["reason"])
            for c in again["corrections"]] == [("coordinator1", 0, 150, "忘记签到，现场确认"),
                                               ("coordinator1", 150, 120, "提前一小时离开")]
    assert volunteers.rpc.get_signup(shift["id"], forgot, as_volunteer(forgot)) == again
    record = volunteers.rpc.get_volunteer(forgot, COORDINATOR)
    assert (record["minutes_total"], record["hours_total"]) == (120, 2.0)
    assert (record["shifts_attended"], record["no_shows"], record["reliability"]) == (1, 0, 1.0)
    with volunteers.session() as session:  # one entry for the sign-up, replaced
        assert session.scalars(select(HoursEntry.minutes).where(
            HoursEntry.volunteer_id == forgot)).all() == [120]
    assert [(e["old_minutes"], e["minutes"], e["source_id"])
            for e in events(volunteers, "volunteers.hours_corrected")] == \
        [(0, 150, first["id"]), (150, 120, first["id"])]

    run_the_timer(volunteers)  # credited: they came, so not a no-show
    assert volunteers.rpc.get_signup(shift["id"], forgot, COORDINATOR)["status"] == "confirmed"

    with pytest.raises(Conflict) as refused:  # a waitlisted volunteer served no hours
        correct(volunteers, shift["id"], waiting, 30)
    assert refused.value.code == "not_correctable"
    assert volunteers.rpc.get_volunteer(waiting, COORDINATOR)["minutes_total"] == 0


def test_a_no_show_credited_by_a_coordinator_came_after_all(volunteers):
    shift = make_shift(volunteers, yesterday_morning())
    missed = volunteers.register(1)
    sign_up(volunteers, shift["id"], missed)
    run_the_timer(volunteers)
    assert volunteers.rpc.get_volunteer(missed, COORDINATOR)["reliability"] == 0.0

    credited = correct(volunteers, shift["id"], missed, 90, "签到机故障，本人到场")

    assert (credited["status"], credited["minutes"]) == ("confirmed", 90)
    last = credited["history"][-1]
    assert (last["from_status"], last["to_status"], last["actor"], last["reason"]) == \
        ("no_show", "confirmed", "coordinator1", "credited 90 minutes by a correction")
    run_the_timer(volunteers)
    record = volunteers.rpc.get_volunteer(missed, COORDINATOR)
    assert (record["minutes_total"], record["no_shows"], record["reliability"]) == (90, 0, 1.0)

    taken_back = correct(volunteers, shift["id"], missed, 0, "核实后未到场")
    assert taken_back["minutes"] == 0
    assert volunteers.rpc.get_volunteer(missed, COORDINATOR)["minutes_total"] == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"minutes": 60, "reason": "   "}, "reason"),
    ({"minutes": 60, "reason": "x" * 501}, "reason"),
    ({"minutes": 60}, "reason"),
    ({"minutes": -1, "reason": "核实"}, "minutes"),
    ({"minutes": 181, "reason": "核实"}, "minutes"),  # longer than the shift
    ({"minutes": "60", "reason": "核实"}, "minutes"),
    ({"reason": "核实"}, "minutes"),
])
def test_a_bad_correction_is_refused_naming_the_field(volunteers, body, field):
    shift = make_shift(volunteers, yesterday_morning())
    someone = volunteers.register(1)
    sign_up(volunteers, shift["id"], someone)
    with pytest.raises(InvalidInput) as refused:
        volunteers.rpc.correct_hours(shift["id"], someone, body, COORDINATOR)
    assert field in refused.value.fields
    assert volunteers.rpc.get_signup(shift["id"], someone, COORDINATOR)["corrections"] == []


def test_hours_of_a_shift_not_begun_or_of_nobody_on_it_are_not_corrected(volunteers):
    shift = make_shift(volunteers, now_utc() + timedelta(days=3))
    someone = volunteers.register(1)
    stranger = volunteers.register(2)
    sign_up(volunteers, shift["id"], someone)
    with pytest.raises(Conflict) as refused:
        correct(volunteers, shift["id"], someone, 60)
    assert refused.value.code == "shift_not_started"
    with pytest.raises(NotFound) as missing:
        correct(volunteers, shift["id"], stranger, 60)
    assert missing.value.code == "not_signed_up"
    with pytest.raises(Forbidden) as forbidden:
        volunteers.rpc.correct_hours(shift["id"], someone, {"minutes": 1, "reason": "我来了"},
                                     as_volunteer(someone))
    assert forbidden.value.code == "role_not_allowed"


def test_a_volunteer_with_no_shift_over_has_no_reliability_yet(volunteers):
    newcomer = volunteers.register(1)
    record = volunteers.rpc.get_volunteer(newcomer, COORDINATOR)
    assert (record["shifts_attended"], record["no_shows"], record["reliability"]) == \
        (0, 0, None)


def test_reliability_is_the_share_of_places_kept_and_listed_with_each_volunteer(volunteers):
    someone = volunteers.register(1)
    for days_ago, minutes in ((3, 60), (2, None)):
        shift = make_shift(volunteers, yesterday_morning() - timedelta(days=days_ago - 1))
        sign_up(volunteers, shift["id"], someone)
        if minutes:
            correct(volunteers, shift["id"], someone, minutes)
    run_the_timer(volunteers)
    [listed] = volunteers.rpc.list_volunteers({}, COORDINATOR)["items"]
    assert (listed["shifts_attended"], listed["no_shows"], listed["reliability"],
            listed["minutes_total"]) == (1, 1, 0.5, 60)


# A waitlist that does not block

def test_a_waitlisted_volunteer_books_another_shift_at_the_same_time_and_is_passed_over(
        volunteers):
    starts = now_utc() + timedelta(days=5)
    full = make_shift(volunteers, starts, capacity=1)
    other = make_shift(volunteers, starts + timedelta(hours=1))  # overlaps `full`
    holder, busy, free = (volunteers.register(n) for n in (1, 2, 3))
    sign_up(volunteers, full["id"], holder)
    assert sign_up(volunteers, full["id"], busy)["status"] == "waitlisted"
    assert sign_up(volunteers, full["id"], free)["status"] == "waitlisted"

    assert sign_up(volunteers, other["id"], busy)["status"] == "confirmed"  # not blocked

    cancelled = volunteers.rpc.cancel_signup(full["id"], holder, as_volunteer(holder))
    assert [(p["volunteer_id"], p["name"]) for p in cancelled["promoted"]] == [(free, "志愿者3")]
    [skipped] = cancelled["skipped"]
    assert (skipped["volunteer_id"], skipped["name"]) == (busy, "志愿者2")
    assert skipped["reason"].startswith(f"skipped: clashes with shift {other['id']} from ")

    seen = volunteers.rpc.get_shift(full["id"], COORDINATOR)
    assert [p["volunteer_id"] for p in seen["confirmed"]] == [free]
    assert [p["volunteer_id"] for p in seen["waitlisted"]] == [busy]
    passed_over = volunteers.rpc.get_signup(full["id"], busy, COORDINATOR)
    assert passed_over["status"] == "waitlisted"
    last = passed_over["history"][-1]
    assert (last["from_status"], last["to_status"], last["actor"], last["reason"]) == \
        ("waitlisted", "waitlisted", f"vol{holder}", skipped["reason"])
    assert other["starts_at"] in last["reason"]


def test_a_waitlisted_volunteer_may_be_sent_on_a_visit_at_that_time_and_is_then_passed_over(
        volunteers):
    starts = now_utc() + timedelta(days=4)
    full = make_shift(volunteers, starts, capacity=1)
    holder = volunteers.register(1)
    visiting = volunteers.register(2, ("general", "social_work"))
    sign_up(volunteers, full["id"], holder)
    sign_up(volunteers, full["id"], visiting)
    deliver_claim(volunteers, claim_approved(claim_id=77))
    [visit] = volunteers.visits()["items"]

    assigned = volunteers.rpc.assign(visit["id"], {
        "volunteer_ids": [visiting], "starts_at": full["starts_at"],
        "ends_at": (starts + timedelta(hours=2)).isoformat()}, COORDINATOR)
    assert assigned["status"] == "assigned"

    cancelled = volunteers.rpc.cancel_signup(full["id"], holder, as_volunteer(holder))
    assert cancelled["promoted"] == []
    assert cancelled["skipped"][0]["reason"].startswith(
        f"skipped: clashes with visit {visit['id']} from ")


def test_check_out_frees_no_place(volunteers):
    shift = make_shift(volunteers, now_utc() - timedelta(minutes=5), minutes=60, capacity=1)
    worker = volunteers.register(1)
    waiting = volunteers.register(2)
    sign_up(volunteers, shift["id"], worker)
    sign_up(volunteers, shift["id"], waiting)
    volunteers.rpc.check_in(shift["id"], {"volunteer_id": worker}, as_volunteer(worker))
    volunteers.rpc.check_out(shift["id"], {"volunteer_id": worker}, as_volunteer(worker))
    assert volunteers.rpc.get_signup(shift["id"], waiting, COORDINATOR)["status"] == \
        "waitlisted"


def test_a_coordinators_figure_stands_when_the_volunteer_checks_out_later(volunteers):
    shift = make_shift(volunteers, now_utc() - timedelta(minutes=30), minutes=60)
    worker = volunteers.register(1)
    sign_up(volunteers, shift["id"], worker)
    volunteers.rpc.check_in(shift["id"], {"volunteer_id": worker}, as_volunteer(worker))
    correct(volunteers, shift["id"], worker, 45, "到场后即开始服务")
    volunteers.rpc.check_out(shift["id"], {"volunteer_id": worker}, as_volunteer(worker))
    assert volunteers.rpc.get_volunteer(worker, COORDINATOR)["minutes_total"] == 45


def test_every_sign_up_of_a_shift_is_listed_with_its_name_and_story(volunteers):
    shift = make_shift(volunteers, yesterday_morning(), capacity=1)
    first = volunteers.register(1)
    second = volunteers.register(2)
    sign_up(volunteers, shift["id"], first)
    sign_up(volunteers, shift["id"], second)
    correct(volunteers, shift["id"], first, 100)
    listed = volunteers.rpc.list_signups(shift["id"], COORDINATOR)
    assert listed["total"] == 2
    assert [(s["volunteer_id"], s["name"], s["status"], s["minutes"], len(s["corrections"]))
            for s in listed["items"]] == [(first, "志愿者1", "confirmed", 100, 1),
                                          (second, "志愿者2", "waitlisted", 0, 0)]
