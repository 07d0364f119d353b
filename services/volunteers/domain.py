"""Volunteer rules in plain Python: skills and certificates, overlapping bookings, shift
capacity with a waitlist, and the matcher that proposes volunteers for a visit."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.clock import local_date
from shared.errors import Conflict
from shared.lifecycle import Lifecycle

SIGNUP = Lifecycle.of("sign-up", {
    "confirmed": {"cancelled"},
    "waitlisted": {"confirmed", "cancelled"},
    "cancelled": set(),
})

VISIT = Lifecycle.of("visit", {
    "open": {"assigned"},
    "assigned": {"completed"},
    "completed": set(),
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

    def overlaps(self, other: "Window") -> bool:
        # Back-to-back bookings (one ends as the next starts) do not overlap.
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


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


def valid_skills(skills: list[Skill], day: date) -> set[str]:
    return {s.code for s in skills if s.valid_on(day)}


def check_skills(skills: list[Skill], required: list[str], day: date) -> None:
    missing = set(required) - valid_skills(skills, day)
    if missing:
        raise Conflict(f"Missing or expired skill: {', '.join(sorted(missing))}.",
                             "missing_skill", {"volunteer_id": sorted(missing)})


def check_free(window: Window, booked: list[Window]) -> None:
    clash = next((b for b in booked if window.overlaps(b)), None)
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
class Candidate:
    volunteer_id: int
    skills: tuple[Skill, ...]
    booked: tuple[Window, ...]
    recent_minutes: int


def propose(candidates: list[Candidate], required: list[str], window: Window) -> list[int]:
    """Free volunteers holding at least one required, valid skill; fewest recent hours first
    so the work is shared out."""
    day = local_date(window.starts_at)  # certificates expire on the association's dates
    fit = [c for c in candidates
           if valid_skills(list(c.skills), day) & set(required)
           and not any(window.overlaps(b) for b in c.booked)]
    return [c.volunteer_id for c in sorted(fit, key=lambda c: (c.recent_minutes,
                                                               c.volunteer_id))]


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
