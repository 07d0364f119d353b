"""What a volunteer is already booked for: confirmed shifts and assigned visits. A place on
a waitlist books nothing, so a volunteer may wait for one shift and take another at the same
time; a promotion that would clash passes them over instead (`domain.promotion`)."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.volunteers.domain import Window
from services.volunteers.models import Shift, Signup, Visit
from shared.clock import as_utc


def booked_windows(session: Session, volunteer_id: int,
                   except_visit: int | None = None) -> list[Window]:
    return booked_windows_of(session, [volunteer_id], except_visit)[volunteer_id]


def booked_windows_of(session: Session, volunteer_ids: list[int],
                      except_visit: int | None = None) -> dict[int, list[Window]]:
    """Each volunteer's booked windows, in two queries however many volunteers."""
    windows: dict[int, list[Window]] = {vid: [] for vid in volunteer_ids}
    shifts = session.execute(select(Signup.volunteer_id, Shift.id, Shift.starts_at,
                                    Shift.ends_at).join(Shift, Signup.shift_id == Shift.id)
                             .where(Signup.volunteer_id.in_(volunteer_ids),
                                    Signup.status == "confirmed"))
    for vid, shift_id, start, end in shifts:
        windows[vid].append(Window(as_utc(start), as_utc(end), ("shift", shift_id)))
    # The team is a JSON list, so assigned visits are matched here rather than in SQL.
    assigned = session.execute(select(Visit.id, Visit.starts_at, Visit.ends_at,
                                      Visit.volunteer_ids).where(Visit.status == "assigned"))
    for visit_id, start, end, team in assigned:
        for vid in team or []:
            if vid in windows and visit_id != except_visit:
                windows[vid].append(Window(as_utc(start), as_utc(end), ("visit", visit_id)))
    return windows
