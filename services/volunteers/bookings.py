"""What a volunteer is already booked for: confirmed or waitlisted shifts and open or
assigned visits. Waitlisted places count, so a promotion can never create a clash."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.volunteers.domain import Window
from services.volunteers.models import Shift, Signup, Visit
from shared.clock import as_utc


def booked_windows(session: Session, volunteer_id: int, except_shift: int | None = None,
                   except_visit: int | None = None) -> list[Window]:
    shifts = session.execute(select(Shift.id, Shift.starts_at, Shift.ends_at).join(
        Signup, Signup.shift_id == Shift.id).where(
        Signup.volunteer_id == volunteer_id, Signup.status.in_(("confirmed", "waitlisted"))))
    windows = [Window(as_utc(s), as_utc(e)) for sid, s, e in shifts if sid != except_shift]
    visits = session.scalars(select(Visit).where(Visit.status == "assigned"))
    windows += [Window(as_utc(v.starts_at), as_utc(v.ends_at)) for v in visits
                if volunteer_id in (v.volunteer_ids or []) and v.id != except_visit]
    return windows
