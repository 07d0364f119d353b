"""The rules of help records (精准帮扶) without a broker or a database: the kinds and the
minutes the contract takes, the days a record may name, one helper at most, which earlier
follow-ups a new record meets, and how overdue one is."""
from datetime import date, timedelta

import pytest
from marshmallow import ValidationError

from services.families.domain import (
    FollowUp,
    check_help,
    days_overdue,
    entry_of,
    follow_ups_met,
)
from shared.actors import load
from shared.contracts.events import build_envelope
from shared.contracts.help import KINDS, HelpIn
from shared.errors import InvalidInput

TODAY = date(2026, 5, 29)
BODY = {"kind": "companionship", "on": "2026-05-28", "minutes": 90, "note": "陪老人聊天"}


def refused(body: dict) -> dict:
    with pytest.raises(InvalidInput) as error:
        load(HelpIn(), body)
    return error.value.fields


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_help_is_taken(kind):
    assert load(HelpIn(), {**BODY, "kind": kind})["kind"] == kind


@pytest.mark.parametrize("kind", ["money", "", "Living", None, 3])
def test_another_kind_is_refused_on_kind(kind):
    assert set(refused({**BODY, "kind": kind})) == {"kind"}


@pytest.mark.parametrize("minutes", [0, 1, 1440])
def test_minutes_from_none_to_a_whole_day_are_taken(minutes):
    assert load(HelpIn(), {**BODY, "minutes": minutes})["minutes"] == minutes


@pytest.mark.parametrize("minutes", [-1, 1441, 90.5, "90", True])
def test_minutes_below_none_past_a_day_or_not_whole_are_refused_on_minutes(minutes):
    assert set(refused({**BODY, "minutes": minutes})) == {"minutes"}


def test_a_record_needs_its_day_kind_minutes_and_note():
    assert set(refused({})) == {"kind", "on", "minutes", "note"}
    assert set(refused({**BODY, "note": "  "})) == {"note"}


def test_help_given_today_or_before_with_a_later_follow_up_is_valid():
    check_help(TODAY, TODAY + timedelta(days=30), None, None, TODAY)
    check_help(TODAY - timedelta(days=400), TODAY - timedelta(days=400), 1, None, TODAY)
    check_help(TODAY, None, None, 7, TODAY)


def test_help_after_today_is_refused_on_on():
    with pytest.raises(InvalidInput) as error:
        check_help(TODAY + timedelta(days=1), None, None, None, TODAY)
    assert set(error.value.fields) == {"on"}


def test_a_follow_up_before_the_help_is_refused_on_follow_up_on():
    with pytest.raises(InvalidInput) as error:
        check_help(TODAY, TODAY - timedelta(days=1), None, None, TODAY)
    assert set(error.value.fields) == {"follow_up_on"}


def test_a_member_and_a_volunteer_at_once_are_refused_naming_both():
    with pytest.raises(InvalidInput) as error:
        check_help(TODAY, None, 3, 4, TODAY)
    assert set(error.value.fields) == {"by_member_id", "by_volunteer_id"}


def test_every_fault_is_named_at_once():
    with pytest.raises(InvalidInput) as error:
        check_help(TODAY + timedelta(days=2), TODAY + timedelta(days=1), 3, 4, TODAY)
    assert set(error.value.fields) == {"on", "follow_up_on", "by_member_id",
                                       "by_volunteer_id"}


def test_a_new_record_meets_the_open_follow_ups_of_help_given_up_to_its_day():
    day = TODAY - timedelta(days=10)
    earlier = [
        FollowUp(1, day, day + timedelta(days=5), None),           # open: met
        FollowUp(2, day, None, None),                              # asked for none
        FollowUp(3, day, day + timedelta(days=5), 9),              # met already
        FollowUp(4, day + timedelta(days=3), day + timedelta(days=4), None),  # same day: met
        FollowUp(5, day + timedelta(days=4), day + timedelta(days=9), None),  # later help
    ]
    assert follow_ups_met(earlier, day + timedelta(days=3)) == [1, 4]
    assert follow_ups_met(earlier, TODAY) == [1, 4, 5]
    assert follow_ups_met([], TODAY) == []


def test_days_overdue_count_from_the_follow_up_day():
    assert days_overdue(TODAY - timedelta(days=3), TODAY) == 3
    assert days_overdue(TODAY, TODAY) == 0


def test_help_shows_on_the_timeline_without_its_note_or_outcome():
    envelope = build_envelope("families.help_recorded", {
        "association_code": "341181", "family_id": 5, "help_id": 12, "kind": "legal",
        "on": "2026-05-28", "minutes": 45, "helper_kind": "volunteer"}, "c")
    assert set(envelope["data"]) == {"association_code", "family_id", "help_id", "kind", "on",
                                     "minutes", "helper_kind"}
    entry = entry_of("families.help_recorded", envelope["data"])
    assert (entry.kind, entry.summary, entry.ref) == \
        ("help_recorded", "help given (legal, 45 minutes)", "help:12")
    with pytest.raises(ValidationError) as error:  # a note could tell of health or money
        build_envelope("families.help_recorded", {**envelope["data"], "note": "x"}, "c")
    assert set(error.value.messages) == {"note"}
