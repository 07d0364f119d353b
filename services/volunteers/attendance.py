"""Who came to the shifts that are over: no-shows marked by the service, hours a
coordinator corrects (with the reason kept), each sign-up's story and each volunteer's
record of places held and kept."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from services.volunteers import domain
from services.volunteers.models import (
    OUTBOX,
    HourCorrection,
    HoursEntry,
    Shift,
    Signup,
    Volunteer,
)
from shared import rows
from shared.clock import as_utc, local_date, now_utc
from shared.errors import NotFound
from shared.outbox import record_event
from shared.paging import Page

SELF = "volunteers"  # who marks a no-show
BATCH = 500  # no-shows marked per run; the next run takes the rest


@dataclass(frozen=True)
class SignupRecord:
    """A sign-up with its volunteer's name and the minutes it credits now (check-out or a
    coordinator's correction)."""
    signup: Signup
    name: str
    minutes: int


@dataclass(frozen=True)
class Correction:
    """A coordinator's figure for the minutes a volunteer's place on a shift credits."""
    shift_id: int
    volunteer_id: int
    minutes: int
    reason: str


def mark_no_shows(session: Session, now: datetime | None = None) -> int:
    """Confirmed volunteers of a shift now over who never checked in, and whom no
    coordinator credited, become no-shows. Their places stay taken: nobody moves up into a
    shift that is over. How many were marked; a second run marks nobody again."""
    now = now or now_utc()
    due = session.execute(
        select(Signup, Shift.association_code).join(Shift, Shift.id == Signup.shift_id)
        .where(Signup.status == "confirmed", Signup.checked_in_at.is_(None),
               Shift.ends_at <= now,
               ~select(HoursEntry.id).where(*_credits(Signup.id, Signup.volunteer_id)).exists())
        .order_by(Signup.id).limit(BATCH)
        # Another replica marking at the same moment takes other rows, not these again.
        .with_for_update(of=Signup, skip_locked=True)
        .execution_options(populate_existing=True)).all()
    for entry, association in due:
        domain.SIGNUP.move(entry, "no_show", SELF, "never checked in")
        record_event(session, OUTBOX, "volunteers.no_show", {
            "association_code": association, "shift_id": entry.shift_id,
            "signup_id": entry.id, "volunteer_id": entry.volunteer_id})
    return len(due)


def correct_hours(session: Session, association: str, correction: Correction,
                  actor: dict) -> SignupRecord:
    """Set the minutes a sign-up credits, replacing what check-out gave; kept with who, when,
    before, after and why. Hours for a no-show mean they came after all."""
    volunteer_id = correction.volunteer_id
    shift = rows.one(session, Shift, association, correction.shift_id, lock=True)
    entry = _latest(session, shift.id, volunteer_id, lock=True)
    window = domain.Window(as_utc(shift.starts_at), as_utc(shift.ends_at))
    minutes = correction.minutes
    now = now_utc()
    domain.check_correction(entry.status, window, minutes, now)
    hours = session.scalars(select(HoursEntry).where(
        *_credits(entry.id, entry.volunteer_id))).one_or_none()
    old = hours.minutes if hours is not None else 0
    if hours is not None and minutes == 0:
        session.delete(hours)
    elif hours is not None:
        hours.minutes = minutes
    elif minutes:
        session.add(HoursEntry(association_code=association, volunteer_id=volunteer_id,
                               minutes=minutes, source="shift", source_id=entry.id,
                               served_on=local_date(window.starts_at)))
    entry.corrections.append(HourCorrection(
        association_code=entry.association_code, at=now, actor=actor["username"],
        old_minutes=old, new_minutes=minutes, reason=correction.reason))
    if entry.status == "no_show" and minutes:
        domain.SIGNUP.move(entry, "confirmed", actor["username"],
                           f"credited {minutes} minutes by a correction")
    if old != minutes:
        record_event(session, OUTBOX, "volunteers.hours_corrected", {
            "association_code": association, "volunteer_id": volunteer_id,
            "old_minutes": old, "minutes": minutes, "source": "shift", "source_id": entry.id,
            "corrected_by": actor["username"]})
    return _record(session, entry)


def signup(session: Session, association: str, shift_id: int,
           volunteer_id: int) -> SignupRecord:
    """The volunteer's latest sign-up for the shift, with its history and corrections."""
    shift = rows.one(session, Shift, association, shift_id)
    return _record(session, _latest(session, shift.id, volunteer_id))


def of_shift(session: Session, association: str, shift_id: int) -> Page[SignupRecord]:
    """Every sign-up of the shift, cancelled ones too, in the order they came."""
    shift = rows.one(session, Shift, association, shift_id)
    found = list(session.scalars(select(Signup).where(Signup.shift_id == shift.id)
                                 .options(selectinload(Signup.history),
                                          selectinload(Signup.corrections))
                                 .order_by(Signup.id)))
    names = dict(session.execute(select(Volunteer.id, Volunteer.name).where(
        Volunteer.id.in_({s.volunteer_id for s in found}))).all())
    credited = dict(session.execute(select(HoursEntry.source_id, HoursEntry.minutes).where(
        HoursEntry.source == "shift", HoursEntry.source_id.in_([s.id for s in found]))).all())
    return Page([SignupRecord(s, names.get(s.volunteer_id, ""), credited.get(s.id, 0))
                 for s in found], len(found))


def _record(session: Session, entry: Signup) -> SignupRecord:
    name = session.scalar(select(Volunteer.name).where(Volunteer.id == entry.volunteer_id))
    hours = session.scalar(select(HoursEntry.minutes).where(
        *_credits(entry.id, entry.volunteer_id)))
    return SignupRecord(entry, name or "", hours or 0)


def records_of(session: Session, volunteer_ids: list[int],
               now: datetime | None = None) -> dict[int, tuple[int, int]]:
    """(shifts attended, no-shows) of each volunteer, over the shifts now over, in one query.
    Attended: a confirmed place they checked in to or a coordinator credited hours for."""
    came = case((and_(Signup.status == "confirmed", Shift.ends_at <= (now or now_utc()),
                      or_(Signup.checked_in_at.is_not(None), HoursEntry.id.is_not(None))), 1),
                else_=0)
    missed = case((Signup.status == "no_show", 1), else_=0)
    found = session.execute(
        select(Signup.volunteer_id, func.sum(came), func.sum(missed))
        .join(Shift, Shift.id == Signup.shift_id)
        .outerjoin(HoursEntry, and_(*_credits(Signup.id, Signup.volunteer_id)))
        .where(Signup.volunteer_id.in_(volunteer_ids),
               Signup.status.in_(("confirmed", "no_show")))
        .group_by(Signup.volunteer_id))
    return {vid: (int(attended or 0), int(no_shows or 0)) for vid, attended, no_shows in found}


def _credits(signup_id, volunteer_id) -> tuple:
    """Where a sign-up's hours are: the values, or the columns of a sign-up in the query."""
    return (HoursEntry.source == "shift", HoursEntry.source_id == signup_id,
            HoursEntry.volunteer_id == volunteer_id)


def _latest(session: Session, shift_id: int, volunteer_id: int, lock: bool = False) -> Signup:
    found = session.scalars(rows.locked(select(Signup).where(
        Signup.shift_id == shift_id, Signup.volunteer_id == volunteer_id)
        .order_by(Signup.id.desc()).limit(1), lock)).first()
    if found is None:
        raise NotFound("This volunteer is not signed up for this shift.", "not_signed_up")
    return found
