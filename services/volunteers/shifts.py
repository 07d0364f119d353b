"""Activities and shifts: sign-ups within capacity, a waitlist that moves up in order,
and hours from check-in to check-out."""
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.volunteers import bookings, domain, people
from services.volunteers.models import OUTBOX, Activity, HoursEntry, Shift, Signup, Volunteer
from services.volunteers.views import shift_views
from shared import rows
from shared.clock import as_utc, local_date, now_utc
from shared.errors import Conflict, InvalidInput, NotFound
from shared.outbox import record_event


def create_activity(session: Session, association: str, body: dict, actor: dict) -> Activity:
    activity = Activity(association_code=association, created_by=actor["username"], **body)
    session.add(activity)
    session.flush()
    return activity


def create_shift(session: Session, association: str, body: dict) -> Shift:
    try:
        rows.one(session, Activity, association, body["activity_id"])
    except NotFound as missing:
        raise InvalidInput(missing.message, "unknown_activity",
                           {"activity_id": ["No such activity."]}) from None
    shift = Shift(association_code=association, **body)
    session.add(shift)
    session.flush()
    return shift


def signup(session: Session, association: str, shift_id: int, volunteer_id: int,
           actor: dict) -> Signup:
    # Lock order everywhere: shift, then volunteer. The shift lock is what keeps capacity.
    shift = rows.one(session, Shift, association, shift_id, lock=True)
    volunteer = people.active_for_input(session, association, volunteer_id, "volunteer_id")
    if _current(session, shift.id, volunteer.id) is not None:
        raise Conflict("Already signed up for this shift.", "already_signed_up")
    window = _window(shift)
    domain.check_skills(people.skills_of(volunteer), shift.required_skills, local_date(
        window.starts_at))
    domain.check_free(window, bookings.booked_windows(session, volunteer.id))
    status = domain.signup_status(len(_in(session, shift.id, "confirmed")), shift.capacity)
    entry = Signup(shift_id=shift.id, volunteer_id=volunteer.id,
                   signed_up_by=actor["username"], signed_up_at=now_utc())
    domain.SIGNUP.start(entry, status, actor["username"],
                        "room on the shift" if status == "confirmed" else "the shift is full")
    session.add(entry)
    session.flush()
    _signed_up(session, association, entry)
    return entry


def cancel(session: Session, association: str, shift_id: int, volunteer_id: int,
           actor: dict) -> list[int]:
    """Cancel a place; the first waitlisted moves up into a freed one. Returns who did."""
    shift = rows.one(session, Shift, association, shift_id, lock=True)
    entry = _current(session, shift.id, volunteer_id)
    if entry is None:
        raise NotFound("This volunteer is not signed up for this shift.", "not_signed_up")
    freed = 1 if entry.status == "confirmed" else 0
    domain.SIGNUP.move(entry, "cancelled", actor["username"], "cancelled")
    moved = domain.promote([s.id for s in _in(session, shift.id, "waitlisted")], freed)
    for promoted in session.scalars(select(Signup).where(Signup.id.in_(moved))):
        domain.SIGNUP.move(promoted, "confirmed", actor["username"], "a place was freed")
        _signed_up(session, association, promoted)
    return moved


def check_in(session: Session, association: str, shift_id: int, volunteer_id: int) -> Signup:
    shift, entry = _confirmed(session, association, shift_id, volunteer_id)
    if entry.checked_in_at is not None:
        raise Conflict("Already checked in.", "already_checked_in")
    now = now_utc()
    domain.check_in_open(_window(shift), now)
    entry.checked_in_at = now
    return entry


def check_out(session: Session, association: str, shift_id: int, volunteer_id: int) -> Signup:
    shift, entry = _confirmed(session, association, shift_id, volunteer_id)
    if entry.checked_in_at is None or entry.checked_out_at is not None:
        raise Conflict("Check in first, and check out only once.", "not_checked_in")
    entry.checked_out_at = now_utc()
    minutes = domain.served_minutes(_window(shift), as_utc(entry.checked_in_at),
                                    as_utc(entry.checked_out_at))
    if minutes:
        record_hours(session, association, volunteer_id, minutes, "shift", entry.id)
    return entry


def record_hours(session: Session, association: str, volunteer_id: int, minutes: int,
                 source: str, source_id: int) -> None:
    session.add(HoursEntry(association_code=association, volunteer_id=volunteer_id,
                           minutes=minutes, source=source, source_id=source_id,
                           served_on=local_date(now_utc())))
    record_event(session, OUTBOX, "volunteers.hours_recorded", {
        "association_code": association, "volunteer_id": volunteer_id, "minutes": minutes,
        "source": source, "source_id": source_id})


def views(session: Session, found: list[Shift]) -> list[dict]:
    """Shifts with their confirmed and waitlisted volunteers, in one more query in all."""
    query = (select(Signup, Volunteer.name).join(Volunteer, Volunteer.id == Signup.volunteer_id)
             .where(Signup.shift_id.in_([shift.id for shift in found]),
                    Signup.status.in_(("confirmed", "waitlisted"))).order_by(Signup.id))
    return shift_views(found, session.execute(query).all())


def view(session: Session, shift: Shift) -> dict:
    return views(session, [shift])[0]


def listing(session: Session, association: str, page: dict) -> dict:
    query = (select(Shift).where(Shift.association_code == association)
             .options(selectinload(Shift.activity)))
    found, total = rows.page(session, query, [Shift.starts_at, Shift.id], page["limit"],
                             page["offset"])
    return {"items": views(session, found), "total": total}


def _window(shift: Shift) -> domain.Window:
    return domain.Window(as_utc(shift.starts_at), as_utc(shift.ends_at))


def _in(session: Session, shift_id: int, status: str) -> list[Signup]:
    return list(session.scalars(select(Signup).where(
        Signup.shift_id == shift_id, Signup.status == status).order_by(Signup.id)))


def _current(session: Session, shift_id: int, volunteer_id: int) -> Signup | None:
    return session.scalars(select(Signup).where(
        Signup.shift_id == shift_id, Signup.volunteer_id == volunteer_id,
        Signup.status.in_(("confirmed", "waitlisted")))).first()


def _confirmed(session, association, shift_id, volunteer_id) -> tuple[Shift, Signup]:
    shift = rows.one(session, Shift, association, shift_id, lock=True)
    entry = _current(session, shift.id, volunteer_id)
    if entry is None or entry.status != "confirmed":
        raise Conflict("Only a confirmed volunteer can check in or out.", "not_confirmed")
    return shift, entry


def _signed_up(session: Session, association: str, entry: Signup) -> None:
    record_event(session, OUTBOX, "volunteers.shift_signed_up", {
        "association_code": association, "shift_id": entry.shift_id,
        "volunteer_id": entry.volunteer_id, "status": entry.status})
