"""Volunteer rules in plain Python: skills and certificates, overlapping bookings, shift
capacity with a waitlist, and the matcher that proposes volunteers for a visit."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from shared.clock import local_date
from shared.contracts.volunteers import HOURS_CORRECTABLE
from shared.errors import Conflict, InvalidInput
from shared.lifecycle import Lifecycle

SIGNUP = Lifecycle.of("sign-up", {
    "confirmed": {"cancelled", "no_show"},
    "waitlisted": {"confirmed", "cancelled"},
    "cancelled": set(),
    # A coordinator who credits a no-show with hours says they came after all.
    "no_show": {"confirmed"},
})

VISIT = Lifecycle.of("visit", {
    "open": {"assigned", "cancelled"},
    "assigned": {"completed", "cancelled"},
    "completed": set(),
    "cancelled": set(),
})

# A shift is open from the start; a coordinator may call it off, once.
SHIFT = Lifecycle.of("shift", {"open": {"cancelled"}, "cancelled": set()})

# An application from the public: a coordinator decides it once, either way.
APPLICATION = Lifecycle.of("application", {
    "pending": {"approved", "declined"},
    "approved": set(),
    "declined": set(),
})


@dataclass(frozen=True)
class Skill:
    code: str
    certificate_no: str | None = None
    expires_on: date | None = None

    def valid_on(self, day: date) -> bool:
        """An expired certificate does not count; a skill without one never expires."""
        return self.expires_on is None or day <= self.expires_on


@dataclass(frozen=True)
class Window:
    starts_at: datetime
    ends_at: datetime
    # What holds this time when it is a booking: ("shift", 12) or ("visit", 3).
    booked_by: tuple[str, int] | None = field(default=None, compare=False)

    def overlaps(self, other: "Window") -> bool:
        # Back-to-back bookings (one ends as the next starts) do not overlap.
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


def moved(window: Window, now: datetime, starts_at: datetime | None = None,
          ends_at: datetime | None = None) -> Window:
    """A shift's or visit's time as a coordinator moves it (what is not given stays): only
    before it begins, to a time still to come, ending after it starts."""
    if now >= window.starts_at:
        raise Conflict("It has begun: its time and people stay as they are.", "already_begun",
                       {"starts_at": ["Has passed."]})
    new = Window(starts_at or window.starts_at, ends_at or window.ends_at)
    if starts_at is not None and starts_at <= now:
        raise InvalidInput("A new start must be still to come.", "invalid_input",
                           {"starts_at": ["Must be in the future."]})
    if new.ends_at <= new.starts_at:
        raise InvalidInput("It would end before it starts.", "invalid_input",
                           {"ends_at": ["Must be after starts_at."]})
    return new


CHECK_IN_EARLY = timedelta(minutes=30)


def check_in_open(shift: Window, now: datetime) -> None:
    """A volunteer checks in from half an hour before the shift starts until it ends."""
    if now < shift.starts_at - CHECK_IN_EARLY:
        raise Conflict("Check-in opens 30 minutes before the shift starts.", "check_in_not_open")
    if now >= shift.ends_at:
        raise Conflict("The shift is over; a coordinator may correct the hours.", "shift_over")


def served_minutes(shift: Window, checked_in: datetime, checked_out: datetime) -> int:
    """The minutes of the shift the volunteer was there for: arriving early or leaving late
    adds nothing, leaving before it started is none, part of a minute is one."""
    served = Window(max(checked_in, shift.starts_at), min(checked_out, shift.ends_at))
    if served.ends_at <= served.starts_at:
        return 0
    return max(1, served.minutes)


def check_correction(status: str, shift: Window, minutes: int, now: datetime) -> None:
    """A coordinator sets the minutes of someone who held a place (confirmed, checked out or
    not, or a no-show) once the shift has begun, to no more than the shift is long."""
    if minutes > shift.minutes:
        raise InvalidInput(f"At most {shift.minutes} minutes, the length of the shift.",
                           "too_many_minutes",
                           {"minutes": [f"At most {shift.minutes} minutes, the length of the "
                                        "shift."]})
    if status not in HOURS_CORRECTABLE:
        raise Conflict(f"A sign-up that is {status} has no hours to correct.",
                       "not_correctable", {"status": [f"is {status}"]})
    if now < shift.starts_at:
        raise Conflict("The shift has not started: there are no hours to correct yet.",
                       "shift_not_started")


def valid_skills(skills: list[Skill], day: date) -> set[str]:
    return {s.code for s in skills if s.valid_on(day)}


def check_skills(skills: list[Skill], required: list[str], day: date) -> None:
    missing = set(required) - valid_skills(skills, day)
    if missing:
        raise Conflict(f"Missing or expired skill: {', '.join(sorted(missing))}.",
                             "missing_skill", {"volunteer_id": sorted(missing)})


def first_clash(window: Window, booked: list[Window] | tuple[Window, ...]) -> Window | None:
    return next((b for b in booked if window.overlaps(b)), None)


def check_free(window: Window, booked: list[Window]) -> None:
    clash = first_clash(window, booked)
    if clash is not None:
        raise Conflict(f"Already booked from {clash.starts_at.isoformat()} to "
                             f"{clash.ends_at.isoformat()}.", "overlap",
                             {"volunteer_id": ["Booked at an overlapping time."]})


def signup_status(confirmed: int, capacity: int) -> str:
    """Confirmed while there is room, otherwise waitlisted (in order of signing up)."""
    return "confirmed" if confirmed < capacity else "waitlisted"


def promote(waitlisted_ids: list[int], freed_places: int) -> list[int]:
    """Who moves up when places free: the earliest waitlisted, in order."""
    return waitlisted_ids[:max(freed_places, 0)]


@dataclass(frozen=True)
class Waiting:
    """A waitlisted sign-up and what its volunteer is booked for elsewhere."""
    signup_id: int
    booked: tuple[Window, ...]


@dataclass(frozen=True)
class Promotion:
    promoted: list[int]
    skipped: list[tuple[int, Window]]  # (sign-up, the booking the shift would clash with)


def promotion(waiting: list[Waiting], shift: Window, freed_places: int) -> Promotion:
    """The earliest waitlisted move up, passing over anyone the shift would clash with: they
    stay waiting. Only those passed over before the places were filled are skipped."""
    if freed_places <= 0:
        return Promotion([], [])
    clashes = [(w.signup_id, first_clash(shift, w.booked)) for w in waiting]
    promoted = promote([sid for sid, clash in clashes if clash is None], freed_places)
    order = [sid for sid, _ in clashes]
    # Places left over: everyone who clashes was passed over; else those ahead of the last in.
    reach = order.index(promoted[-1]) if len(promoted) == freed_places else len(order)
    return Promotion(promoted, [(sid, clash) for sid, clash in clashes[:reach]
                                if clash is not None])


def reliability(attended: int, no_shows: int) -> float | None:
    """The share of a volunteer's confirmed places on shifts now over that they came to;
    None before they have had one."""
    held = attended + no_shows
    return None if held == 0 else attended / held


def standing(share: float | None) -> float:
    """For ordering: a volunteer with no shift behind them yet counts as reliable."""
    return 1.0 if share is None else share


@dataclass(frozen=True)
class Candidate:
    volunteer_id: int
    skills: tuple[Skill, ...]
    booked: tuple[Window, ...]
    recent_minutes: int
    reliability: float | None = None


def propose(candidates: list[Candidate], required: list[str], window: Window) -> list[int]:
    """Free volunteers holding at least one required, valid skill; the most reliable first
    (those who missed shifts after those who came), then fewest recent hours so the work is
    shared out."""
    day = local_date(window.starts_at)  # certificates expire on the association's dates
    fit = [c for c in candidates
           if valid_skills(list(c.skills), day) & set(required)
           and not any(window.overlaps(b) for b in c.booked)]
    return [c.volunteer_id for c in sorted(fit, key=lambda c: (
        -standing(c.reliability), c.recent_minutes, c.volunteer_id))]


def check_team_covers(team_skills: list[set[str]], required: list[str]) -> None:
    """Everyone assigned brings a required skill, and together they bring all of them."""
    if not required:
        return  # a visit that needs no particular skill takes anyone free
    if any(not (skills & set(required)) for skills in team_skills):
        raise Conflict("Each volunteer assigned must hold a skill the visit needs.",
                             "missing_skill", {"volunteer_ids": ["Lacks a needed skill."]})
    missing = set(required) - set().union(*team_skills)
    if missing:
        raise Conflict(f"Nobody assigned brings: {', '.join(sorted(missing))}.",
                             "missing_skill", {"volunteer_ids": sorted(missing)})
