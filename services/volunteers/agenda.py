"""A volunteer's agenda in a window: the shifts they hold or wait for a place on, and the
care visits they are on the team of, as their calendar shows them."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.volunteers import people
from services.volunteers.models import Shift, Signup, Visit, Volunteer
from services.volunteers.views import named
from shared.clock import iso
from shared.contracts.volunteers import CalendarOut
from shared.schemas import shaped

CALENDAR = CalendarOut()
ON_CALENDAR_SIGNUPS = ("confirmed", "waitlisted")  # a cancelled place or a no-show is not
VISITS_ON_CALENDAR = ("assigned", "completed")  # an open visit has no team yet


def of(session: Session, volunteer: Volunteer, start: datetime, end: datetime) -> dict:
    shifts = _shifts(session, volunteer.id, start, end)
    visits = _visits(session, volunteer, start, end)
    names = people.names_of(session, sorted({vid for v in visits for vid in v.volunteer_ids}))
    return shaped(CALENDAR, {
        "volunteer_id": volunteer.id, "name": volunteer.name,
        "shifts": [{"id": shift.id, "title": shift.activity.title, "place": shift.place,
                    "starts_at": iso(shift.starts_at), "ends_at": iso(shift.ends_at),
                    "status": status} for status, shift in shifts],
        "visits": [{"id": visit.id, "family_name": visit.family_name,
                    "address": visit.address, "starts_at": iso(visit.starts_at),
                    "ends_at": iso(visit.ends_at), "status": visit.status,
                    "volunteers": named(list(visit.volunteer_ids), names)}
                   for visit in visits]})


def _shifts(session: Session, volunteer_id: int, start: datetime,
            end: datetime) -> list[tuple[str, Shift]]:
    query = (select(Signup.status, Shift).join(Shift, Signup.shift_id == Shift.id)
             .where(Signup.volunteer_id == volunteer_id,
                    Signup.status.in_(ON_CALENDAR_SIGNUPS),
                    Shift.starts_at < end, Shift.ends_at > start)
             .options(selectinload(Shift.activity)).order_by(Shift.starts_at, Shift.id))
    return [(status, shift) for status, shift in session.execute(query)]


def _visits(session: Session, volunteer: Volunteer, start: datetime,
            end: datetime) -> list[Visit]:
    found = session.scalars(select(Visit).where(
        Visit.association_code == volunteer.association_code,
        Visit.status.in_(VISITS_ON_CALENDAR), Visit.starts_at < end, Visit.ends_at > start)
        .order_by(Visit.starts_at, Visit.id))
    # The team is a JSON list, so the volunteer's visits are picked here rather than in SQL.
    return [visit for visit in found if volunteer.id in (visit.volunteer_ids or [])]
