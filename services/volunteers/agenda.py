"""A volunteer's agenda in a window: the shifts they hold or wait for a place on, and the
care visits they are on the team of, as their calendar shows them."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.volunteers import people
from services.volunteers.models import Shift, Signup, Visit, Volunteer

ON_CALENDAR_SIGNUPS = ("confirmed", "waitlisted")  # a cancelled place or a no-show is not
VISITS_ON_CALENDAR = ("assigned", "completed")  # an open visit has no team yet


@dataclass(frozen=True)
class BookedShift:
    """A shift on the calendar, with the volunteer's place on it: confirmed or waitlisted."""
    status: str
    shift: Shift


@dataclass(frozen=True)
class Agenda:
    """`names`: the volunteers' names by id, every visit's team among them."""
    volunteer: Volunteer
    shifts: list[BookedShift]
    visits: list[Visit]
    names: dict[int, str]


def of(session: Session, association: str, volunteer_id: int, start: datetime,
       end: datetime) -> Agenda:
    volunteer = people.get(session, association, volunteer_id)
    visits = _visits(session, volunteer, start, end)
    names = people.names_of(session, sorted({vid for v in visits for vid in v.volunteer_ids}))
    return Agenda(volunteer, _shifts(session, volunteer.id, start, end), visits, names)


def _shifts(session: Session, volunteer_id: int, start: datetime,
            end: datetime) -> list[BookedShift]:
    query = (select(Signup.status, Shift).join(Shift, Signup.shift_id == Shift.id)
             .where(Signup.volunteer_id == volunteer_id,
                    Signup.status.in_(ON_CALENDAR_SIGNUPS),
                    Shift.starts_at < end, Shift.ends_at > start)
             .options(selectinload(Shift.activity)).order_by(Shift.starts_at, Shift.id))
    return [BookedShift(status, shift) for status, shift in session.execute(query)]


def _visits(session: Session, volunteer: Volunteer, start: datetime,
            end: datetime) -> list[Visit]:
    found = session.scalars(select(Visit).where(
        Visit.association_code == volunteer.association_code,
        Visit.status.in_(VISITS_ON_CALENDAR), Visit.starts_at < end, Visit.ends_at > start)
        .order_by(Visit.starts_at, Visit.id))
    # The team is a JSON list, so the volunteer's visits are picked here rather than in SQL.
    return [visit for visit in found if volunteer.id in (visit.volunteer_ids or [])]
