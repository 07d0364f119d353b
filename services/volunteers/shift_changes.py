"""A shift moved or called off by a coordinator before it begins: everyone booked on it
(confirmed or waitlisted) hears. A called-off shift's places are cancelled with it, the reason
in each one's history, and it takes nobody new."""
from sqlalchemy.orm import Session

from services.volunteers import domain, recipients, shifts
from services.volunteers.models import Shift
from shared import rows
from shared.clock import as_utc, now_utc

CHANGEABLE = ("starts_at", "ends_at", "place")


def change(session: Session, association: str, shift_id: int, body: dict,
           actor: dict) -> shifts.Roster:
    """What `body` gives of the shift's time and place; nothing that differs, no event."""
    shift = _open(session, association, shift_id)
    window = domain.moved(_window(shift), now_utc(), body.get("starts_at"), body.get("ends_at"))
    wanted = {"starts_at": window.starts_at, "ends_at": window.ends_at,
              "place": body.get("place", shift.place)}
    now = {"starts_at": as_utc(shift.starts_at), "ends_at": as_utc(shift.ends_at),
           "place": shift.place}
    changed = [name for name in CHANGEABLE if wanted[name] != now[name]]
    for name in changed:
        setattr(shift, name, wanted[name])
    if changed:
        heard = recipients.volunteers(session, [s.volunteer_id for s in shifts.booked(
            session, shift.id)])
        shifts.announce(session, shift, "volunteers.shift_changed", heard, changed=changed,
                        changed_by=actor["username"])
    return shifts.roster(session, association, shift.id)


def call_off(session: Session, association: str, shift_id: int, reason: str,
             actor: dict) -> shifts.Roster:
    shift = _open(session, association, shift_id)
    domain.moved(_window(shift), now_utc())  # only before it begins
    places = shifts.booked(session, shift.id)
    for place in places:
        domain.SIGNUP.move(place, "cancelled", actor["username"], f"shift called off: {reason}")
    domain.SHIFT.move(shift, "cancelled", actor["username"], reason)
    shift.cancel_reason = reason
    shifts.announce(session, shift, "volunteers.shift_cancelled",
                    recipients.volunteers(session, [p.volunteer_id for p in places]),
                    reason=reason, cancelled_by=actor["username"])
    return shifts.roster(session, association, shift.id)


def _open(session: Session, association: str, shift_id: int) -> Shift:
    shift = rows.one(session, Shift, association, shift_id, lock=True)
    shifts.check_open(shift)
    return shift


def _window(shift: Shift) -> domain.Window:
    return domain.Window(as_utc(shift.starts_at), as_utc(shift.ends_at))
