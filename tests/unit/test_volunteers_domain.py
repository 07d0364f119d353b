"""Unit tests for services.volunteers.domain (pure rules: no broker, no database).

DESIGN, "Volunteers": a shift never holds more than its capacity (extra sign-ups wait in a
queue and move up on cancellation); a volunteer is never booked into two overlapping shifts or
visits; only volunteers with the required skill are assigned."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.volunteers import domain
from services.volunteers.domain import (
    Candidate,
    Skill,
    Window,
    check_free,
    check_skills,
    check_team_covers,
    promote,
    propose,
    signup_status,
    valid_skills,
)
from shared.clock import local_date
from shared.errors import Conflict, InvalidInput

CST = timezone(timedelta(hours=8))  # the association's local time (UTC+8)


def at(hour: int, minute: int = 0, day: int = 11) -> datetime:
    return datetime(2026, 7, day, hour, minute, tzinfo=CST)


def window(start_hour: float, end_hour: float, day: int = 11) -> Window:
    def point(h: float) -> datetime:
        return at(int(h), int(round((h - int(h)) * 60)), day)
    return Window(point(start_hour), point(end_hour))


VISIT = window(9, 12)  # 2026-07-11 09:00-12:00 +08:00
VISIT_DAY = date(2026, 7, 11)


# --- capacity ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("confirmed", "capacity", "expected"),
    [
        (0, 1, "confirmed"),
        (1, 1, "waitlisted"),
        (2, 1, "waitlisted"),
        (0, 20, "confirmed"),
        (19, 20, "confirmed"),
        (20, 20, "waitlisted"),
        (21, 20, "waitlisted"),
        (0, 0, "waitlisted"),
    ],
)
def test_signup_status_against_capacity(confirmed, capacity, expected):
    assert signup_status(confirmed, capacity) == expected


def test_hundred_signups_fill_capacity_exactly_and_wait_in_arrival_order():
    capacity = 20
    arrivals = [1000 + i for i in range(100)]
    confirmed: list[int] = []
    waitlist: list[int] = []
    for volunteer_id in arrivals:
        status = signup_status(len(confirmed), capacity)
        (confirmed if status == "confirmed" else waitlist).append(volunteer_id)

    assert len(confirmed) == capacity
    assert confirmed == arrivals[:20]
    assert waitlist == arrivals[20:]
    assert len(waitlist) == 80


# --- waitlist promotion -----------------------------------------------------------------------

WAITING = [17, 4, 99, 23, 8, 61, 2]  # arrival order, deliberately not sorted by id


@pytest.mark.parametrize(
    ("freed", "expected"),
    [
        (1, [17]),
        (3, [17, 4, 99]),
        (len(WAITING), WAITING),
        (0, []),
        (-1, []),
        (-5, []),
        (len(WAITING) + 1, WAITING),
        (100, WAITING),
    ],
)
def test_promote_takes_the_earliest_waiting_in_order(freed, expected):
    assert promote(list(WAITING), freed) == expected


def test_promote_from_an_empty_waitlist_is_nobody():
    assert promote([], 3) == []


def test_promote_does_not_change_the_waitlist_it_was_given():
    waiting = list(WAITING)
    promote(waiting, 2)
    assert waiting == WAITING


def test_five_cancellations_promote_exactly_the_next_five_in_order():
    capacity = 20
    confirmed = list(range(1, 21))
    waitlist = list(range(21, 41))
    for cancelled in (3, 7, 11, 15, 19):
        confirmed.remove(cancelled)
        moved = promote(waitlist, capacity - len(confirmed))
        assert len(moved) == 1
        confirmed.extend(moved)
        waitlist = waitlist[len(moved):]
        assert len(confirmed) == capacity

    assert confirmed[-5:] == [21, 22, 23, 24, 25]
    assert waitlist == list(range(26, 41))


# --- overlap ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("first", "second"),
    [
        (window(9, 12), window(11, 13)),      # partial overlap at the end
        (window(9, 12), window(8, 10)),       # partial overlap at the start
        (window(9, 12), window(10, 11)),      # contained
        (window(9, 12), window(8, 13)),       # containing
        (window(9, 12), window(9, 12)),       # identical
        (window(9, 12), window(11.5, 14)),    # by thirty minutes
        (window(9, 12), window(8, 9.5)),
    ],
    ids=["tail", "head", "contained", "containing", "identical", "half-hour-tail",
         "half-hour-head"],
)
def test_overlapping_windows_overlap_both_ways(first, second):
    assert first.overlaps(second)
    assert second.overlaps(first)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (window(9, 12), window(12, 14)),           # back-to-back after
        (window(9, 12), window(7, 9)),             # back-to-back before
        (window(9, 12), window(13, 14)),           # gap
        (window(9, 12), window(9, 12, day=12)),    # same hours, next day
    ],
    ids=["back-to-back-after", "back-to-back-before", "gap", "next-day"],
)
def test_separate_windows_do_not_overlap(first, second):
    assert not first.overlaps(second)
    assert not second.overlaps(first)


def test_overlap_compares_instants_across_timezones():
    # 09:00-12:00 at UTC+8 is 01:00-04:00 UTC.
    utc_clash = Window(datetime(2026, 7, 11, 3, tzinfo=UTC),
                       datetime(2026, 7, 11, 5, tzinfo=UTC))
    utc_after = Window(datetime(2026, 7, 11, 4, tzinfo=UTC),
                       datetime(2026, 7, 11, 6, tzinfo=UTC))
    assert VISIT.overlaps(utc_clash)
    assert not VISIT.overlaps(utc_after)


def test_check_free_refuses_an_overlap_naming_the_clashing_booking():
    earlier = window(7, 8)
    clash = window(11, 13)
    with pytest.raises(Conflict) as refused:
        check_free(VISIT, [earlier, clash, window(14, 15)])

    error = refused.value
    assert isinstance(error, Conflict)
    assert error.code == "overlap"
    assert clash.starts_at.isoformat() in error.message
    assert clash.ends_at.isoformat() in error.message
    assert earlier.starts_at.isoformat() not in error.message
    assert "volunteer_id" in error.fields


@pytest.mark.parametrize(
    "booked",
    [
        [],
        [window(12, 14)],
        [window(7, 9), window(12, 13)],
        [window(9, 12, day=12)],
    ],
    ids=["nothing", "back-to-back", "both-sides", "other-day"],
)
def test_check_free_passes_without_a_clash(booked):
    assert check_free(VISIT, booked) is None


@pytest.mark.parametrize(
    ("shift", "minutes"),
    [
        (window(9, 12), 180),
        (window(9, 9.5), 30),
        (window(9, 9), 0),
        (Window(at(23), at(1, day=12)), 120),  # across midnight
        (Window(at(9), at(9) + timedelta(minutes=59, seconds=59)), 59),  # whole minutes only
    ],
)
def test_window_minutes(shift, minutes):
    assert shift.minutes == minutes


# --- skills and certificate expiry ------------------------------------------------------------

EXPIRES = date(2026, 7, 11)


@pytest.mark.parametrize(
    ("day", "valid"),
    [
        (EXPIRES - timedelta(days=365), True),
        (EXPIRES - timedelta(days=1), True),
        (EXPIRES, True),                        # valid through its expiry day
        (EXPIRES + timedelta(days=1), False),   # expired the day after
        (EXPIRES + timedelta(days=400), False),
    ],
)
def test_certificate_is_valid_through_its_expiry_day(day, valid):
    skill = Skill("legal_aid", certificate_no="LA-001", expires_on=EXPIRES)
    assert skill.valid_on(day) is valid


@pytest.mark.parametrize("day", [date(2000, 1, 1), VISIT_DAY, date(2099, 12, 31)])
def test_skill_without_expiry_never_expires(day):
    assert Skill("general").valid_on(day)
    assert Skill("social_work", certificate_no="SW-9").valid_on(day)


def test_valid_skills_leaves_out_expired_certificates():
    skills = [
        Skill("general"),
        Skill("legal_aid", "LA-1", EXPIRES),
        Skill("psychological_counselling", "PC-1", EXPIRES - timedelta(days=1)),
    ]
    assert valid_skills(skills, EXPIRES) == {"general", "legal_aid"}


@pytest.mark.parametrize(
    ("skills", "required", "missing"),
    [
        ([], ["legal_aid"], ["legal_aid"]),
        ([Skill("general")], ["social_work", "legal_aid"], ["legal_aid", "social_work"]),
        ([Skill("legal_aid", "LA-1", VISIT_DAY - timedelta(days=1)), Skill("social_work")],
         ["legal_aid", "social_work"], ["legal_aid"]),
        ([Skill("psychological_counselling", "PC-1", date(2020, 1, 1))],
         ["reproductive_health_counselling", "psychological_counselling"],
         ["psychological_counselling", "reproductive_health_counselling"]),
    ],
    ids=["none", "two-missing-sorted", "one-expired", "expired-and-missing"],
)
def test_check_skills_refuses_listing_exactly_the_missing_codes(skills, required, missing):
    with pytest.raises(Conflict) as refused:
        check_skills(skills, required, VISIT_DAY)

    error = refused.value
    assert isinstance(error, Conflict)
    assert error.code == "missing_skill"
    assert error.message == f"Missing or expired skill: {', '.join(missing)}."
    assert list(error.fields.values()) == [missing]
    held = {s.code for s in skills} - set(missing)
    for code in held:
        assert code not in error.message


@pytest.mark.parametrize(
    ("skills", "required"),
    [
        ([Skill("legal_aid", "LA-1", VISIT_DAY), Skill("social_work")],
         ["legal_aid", "social_work"]),
        ([Skill("general"), Skill("legal_aid")], ["legal_aid"]),
        ([Skill("general")], []),
        ([], []),
    ],
    ids=["all-held-expiry-day", "subset", "nothing-required", "nothing-held-nothing-required"],
)
def test_check_skills_passes_when_everything_required_is_held(skills, required):
    assert check_skills(skills, required, VISIT_DAY) is None


# --- the matcher ------------------------------------------------------------------------------

def candidate(volunteer_id, skills=("social_work",), booked=(), recent_minutes=0):
    return Candidate(
        volunteer_id=volunteer_id,
        skills=tuple(s if isinstance(s, Skill) else Skill(s) for s in skills),
        booked=tuple(booked),
        recent_minutes=recent_minutes,
    )


def test_propose_keeps_only_skilled_free_volunteers_fewest_minutes_first_then_id():
    candidates = [
        candidate(1, ["social_work"], recent_minutes=300),
        candidate(2, ["general"], recent_minutes=0),                       # no needed skill
        candidate(3, ["legal_aid"], recent_minutes=60),
        candidate(4, ["social_work"], booked=[window(11, 13)]),             # busy
        candidate(5, ["legal_aid", "social_work"], recent_minutes=60),
        candidate(6, ["psychological_counselling"], recent_minutes=0),      # no needed skill
        candidate(7, ["social_work"], booked=[window(13, 14)], recent_minutes=10),
        candidate(8, ["legal_aid"], recent_minutes=60),
    ]
    proposed = propose(candidates, ["social_work", "legal_aid"], VISIT)
    assert proposed == [7, 3, 5, 8, 1]


def test_propose_orders_ties_by_id_whatever_the_input_order():
    candidates = [candidate(i, recent_minutes=120) for i in (9, 3, 7, 1)]
    assert propose(candidates, ["social_work"], VISIT) == [1, 3, 7, 9]


@pytest.mark.parametrize(
    ("expires_on", "proposed"),
    [
        (VISIT_DAY - timedelta(days=1), []),     # expired the day before the visit
        (VISIT_DAY, [1]),                        # still valid on its expiry day
        (None, [1]),
    ],
    ids=["expired", "expiry-day", "no-expiry"],
)
def test_propose_excludes_an_expired_certificate(expires_on, proposed):
    volunteer = candidate(1, [Skill("legal_aid", "LA-1", expires_on)])
    assert propose([volunteer], ["legal_aid"], VISIT) == proposed


def test_propose_expired_required_skill_excludes_even_with_other_valid_skills():
    volunteer = candidate(1, [Skill("legal_aid", "LA-1", date(2025, 1, 1)), Skill("general")])
    assert propose([volunteer], ["legal_aid"], VISIT) == []


@pytest.mark.parametrize(
    ("booking", "proposed"),
    [
        (window(7, 9), [1]),        # ends exactly when the visit starts
        (window(12, 14), [1]),      # starts exactly when the visit ends
        (window(7, 9.5), []),       # runs into the visit
        (window(10, 11), []),       # inside the visit
    ],
    ids=["ends-at-start", "starts-at-end", "runs-into", "inside"],
)
def test_propose_booking_boundaries(booking, proposed):
    volunteer = candidate(1, ["social_work"], booked=[booking])
    assert propose([volunteer], ["social_work"], VISIT) == proposed


def test_propose_judges_expiry_on_the_local_day_of_a_utc_window():
    # 2026-07-12 07:00-09:00 at UTC+8, as the service hands it over: in UTC (07-11 23:00Z).
    early_visit = Window(datetime(2026, 7, 11, 23, tzinfo=UTC),
                         datetime(2026, 7, 12, 1, tzinfo=UTC))
    assert local_date(early_visit.starts_at) == date(2026, 7, 12)
    skills = (Skill("legal_aid", "LA-1", date(2026, 7, 11)),)  # expired on the visit's day
    with pytest.raises(Conflict):  # what assign() would say
        check_skills(list(skills), ["legal_aid"], local_date(early_visit.starts_at))
    volunteer = Candidate(1, skills, (), 0)
    assert propose([volunteer], ["legal_aid"], early_visit) == []


def test_propose_with_nobody_suitable_is_empty():
    assert propose([], ["social_work"], VISIT) == []
    assert propose([candidate(1, ["general"])], ["social_work"], VISIT) == []


# --- check_team_covers ------------------------------------------------------------------------

REQUIRED = ["legal_aid", "social_work"]


@pytest.mark.parametrize(
    "team",
    [
        [{"legal_aid"}, {"social_work"}],
        [{"legal_aid", "general"}, {"social_work"}],
        [{"legal_aid", "social_work"}],
        [{"legal_aid", "social_work"}, {"social_work"}],
    ],
    ids=["two-people-two-skills", "extra-skill", "one-person-both", "overlapping-members"],
)
def test_team_covering_all_required_skills_passes(team):
    assert check_team_covers(team, REQUIRED) is None


@pytest.mark.parametrize(
    "team",
    [
        [{"legal_aid"}, {"social_work"}, {"general"}],
        [{"legal_aid", "social_work"}, set()],
        [{"psychological_counselling"}, {"legal_aid", "social_work"}],
    ],
    ids=["passenger", "no-skills", "wrong-skill"],
)
def test_every_team_member_must_bring_a_required_skill(team):
    with pytest.raises(Conflict) as refused:
        check_team_covers(team, REQUIRED)
    assert isinstance(refused.value, Conflict)
    assert refused.value.code == "missing_skill"
    assert "Each volunteer" in refused.value.message


@pytest.mark.parametrize(
    ("team", "missing"),
    [
        ([{"legal_aid"}], ["social_work"]),
        ([{"legal_aid"}, {"legal_aid", "general"}], ["social_work"]),
        ([], ["legal_aid", "social_work"]),
    ],
    ids=["one-short", "two-alike", "empty-team"],
)
def test_team_together_must_cover_every_required_skill(team, missing):
    with pytest.raises(Conflict) as refused:
        check_team_covers(team, REQUIRED)
    error = refused.value
    assert error.code == "missing_skill"
    assert error.message == f"Nobody assigned brings: {', '.join(missing)}."
    assert list(error.fields.values()) == [missing]


def test_a_visit_that_needs_no_particular_skill_takes_anyone():
    check_team_covers([{"general"}], [])


# Honest hours: when a volunteer may check in, and what a shift credits

SHIFT = Window(datetime(2027, 5, 29, 1, 0, tzinfo=UTC), datetime(2027, 5, 29, 4, 0, tzinfo=UTC))


@pytest.mark.parametrize("minutes_from_start, code", [
    (-31, "check_in_not_open"), (180, "shift_over"), (600, "shift_over"),
    (-60 * 24 * 365, "check_in_not_open")])
def test_check_in_is_refused_before_its_half_hour_and_after_the_end(minutes_from_start, code):
    with pytest.raises(Conflict) as refused:
        domain.check_in_open(SHIFT, SHIFT.starts_at + timedelta(minutes=minutes_from_start))
    assert refused.value.code == code


@pytest.mark.parametrize("minutes_from_start", [-30, -1, 0, 90, 179])
def test_check_in_is_open_from_half_an_hour_before_until_the_end(minutes_from_start):
    domain.check_in_open(SHIFT, SHIFT.starts_at + timedelta(minutes=minutes_from_start))


@pytest.mark.parametrize("came, left, minutes", [
    (-30, 200, 180),  # early and late: the shift only
    (15, 75, 60), (-20, -5, 0),  # gone before it began: nothing
    (10, 10.5, 1),  # part of a minute is one
])
def test_a_shift_credits_only_the_time_within_it(came, left, minutes):
    at = SHIFT.starts_at
    assert domain.served_minutes(SHIFT, at + timedelta(minutes=came),
                                 at + timedelta(minutes=left)) == minutes


# No-shows, reliability, corrections, and a waitlist that does not block

def waiting(signup_id: int, *booked: Window) -> domain.Waiting:
    return domain.Waiting(signup_id, booked)


ELSEWHERE = Window(at(10), at(11), ("shift", 41))  # overlaps VISIT (09:00-12:00)


def test_promotion_passes_over_a_volunteer_the_shift_would_clash_with():
    chosen = domain.promotion([waiting(5, ELSEWHERE), waiting(6), waiting(7)], VISIT, 1)
    assert chosen.promoted == [6]
    assert chosen.skipped == [(5, ELSEWHERE)]
    assert chosen.skipped[0][1].booked_by == ("shift", 41)


def test_promotion_tells_only_those_passed_over_before_the_places_filled():
    chosen = domain.promotion([waiting(5), waiting(6, ELSEWHERE)], VISIT, 1)
    assert (chosen.promoted, chosen.skipped) == ([5], [])


def test_promotion_with_everyone_busy_promotes_nobody_and_says_so_for_each():
    chosen = domain.promotion([waiting(5, ELSEWHERE), waiting(6, ELSEWHERE)], VISIT, 1)
    assert chosen.promoted == []
    assert [signup_id for signup_id, _ in chosen.skipped] == [5, 6]


@pytest.mark.parametrize("freed", [0, -1])
def test_promotion_without_a_freed_place_touches_nobody(freed):
    assert domain.promotion([waiting(5, ELSEWHERE), waiting(6)], VISIT, freed) == \
        domain.Promotion([], [])


def test_back_to_back_bookings_do_not_stop_a_promotion():
    after = Window(at(12), at(13), ("visit", 3))
    assert domain.promotion([waiting(5, after)], VISIT, 1).promoted == [5]


def test_what_holds_a_window_does_not_change_which_window_it_is():
    assert Window(at(10), at(11), ("shift", 1)) == Window(at(10), at(11))


@pytest.mark.parametrize(("attended", "no_shows", "share"), [
    (0, 0, None), (3, 0, 1.0), (3, 1, 0.75), (0, 2, 0.0)])
def test_reliability_is_the_share_of_places_kept_and_none_before_any(attended, no_shows,
                                                                    share):
    assert domain.reliability(attended, no_shows) == share


def test_the_matcher_puts_volunteers_who_missed_shifts_after_those_who_came():
    candidates = [
        Candidate(1, (Skill("social_work"),), (), 0, reliability=0.5),
        Candidate(2, (Skill("social_work"),), (), 300, reliability=1.0),
        Candidate(3, (Skill("social_work"),), (), 60, reliability=None),  # no shift over yet
        Candidate(4, (Skill("social_work"),), (), 0, reliability=0.75),
        Candidate(5, (Skill("social_work"),), (), 0, reliability=1.0),
    ]
    # Equally reliable: fewest recent hours first, then by number.
    assert propose(candidates, ["social_work"], VISIT) == [5, 3, 2, 4, 1]


def test_the_sign_up_lifecycle_knows_no_shows():
    assert domain.SIGNUP.allows("confirmed", "no_show")
    assert domain.SIGNUP.allows("no_show", "confirmed")  # a coordinator credits them hours
    assert not domain.SIGNUP.allows("waitlisted", "no_show")
    assert not domain.SIGNUP.allows("no_show", "cancelled")


def test_a_correction_is_at_most_the_shifts_length_and_names_the_field():
    with pytest.raises(InvalidInput) as refused:
        domain.check_correction("confirmed", SHIFT, 181, SHIFT.ends_at)
    assert (refused.value.code, list(refused.value.fields)) == ("too_many_minutes",
                                                                ["minutes"])


@pytest.mark.parametrize(("status", "minutes_from_start", "code"), [
    ("waitlisted", 200, "not_correctable"), ("cancelled", 200, "not_correctable"),
    ("confirmed", -1, "shift_not_started")])
def test_a_correction_needs_a_place_held_on_a_shift_that_has_begun(status, minutes_from_start,
                                                                   code):
    with pytest.raises(Conflict) as refused:
        domain.check_correction(status, SHIFT, 60,
                                SHIFT.starts_at + timedelta(minutes=minutes_from_start))
    assert refused.value.code == code


@pytest.mark.parametrize(("status", "minutes"), [("confirmed", 0), ("confirmed", 180),
                                                 ("no_show", 90)])
def test_a_correction_of_a_place_held_is_allowed_once_the_shift_began(status, minutes):
    domain.check_correction(status, SHIFT, minutes, SHIFT.starts_at)
