"""A care visit moved, its team changed, or called off by a coordinator before it begins:
the team (and whoever was taken off it) and the family's head hear. Each change is in the
visit's history."""
from sqlalchemy.orm import Session

from services.volunteers import domain, visits
from services.volunteers.models import Visit
from shared import rows
from shared.clock import as_utc, iso, now_utc
from shared.errors import Conflict


def change(session: Session, association: str, visit_id: int, body: dict,
           actor: dict) -> visits.TeamVisit:
    """An assigned visit's time or team as `body` gives them; nothing that differs, no event.
    A new team is held to the rules of assigning one, at the visit's new time."""
    visit = rows.one(session, Visit, association, visit_id, lock=True)
    if visit.status != "assigned":
        raise Conflict(f"A visit that is {visit.status} is assigned, not changed.",
                       "illegal_transition", {"status": [f"is {visit.status}"]})
    window = domain.moved(visits.window_of(visit), now_utc(), body.get("starts_at"),
                          body.get("ends_at"))
    before = {"starts_at": as_utc(visit.starts_at), "ends_at": as_utc(visit.ends_at),
              "volunteer_ids": list(visit.volunteer_ids)}
    visit.starts_at, visit.ends_at = window.starts_at, window.ends_at
    visit.volunteer_ids = visits.team_for(session, visit, body.get("volunteer_ids",
                                                                   before["volunteer_ids"]))
    after = {"starts_at": window.starts_at, "ends_at": window.ends_at,
             "volunteer_ids": visit.volunteer_ids}
    changed = [name for name in before if before[name] != after[name]]
    if changed:
        domain.VISIT.note(visit, actor["username"], _said(changed, after))
        off = sorted(set(before["volunteer_ids"]) - set(visit.volunteer_ids))
        visits.announce(session, visit, "volunteers.visit_changed", also=off,
                        changed=changed, changed_by=actor["username"])
    return visits.with_team(session, [visit])[0]


def call_off(session: Session, association: str, visit_id: int, reason: str,
             actor: dict) -> visits.TeamVisit:
    visit = rows.one(session, Visit, association, visit_id, lock=True)
    domain.VISIT.check(visit.status, "cancelled")
    domain.moved(visits.window_of(visit), now_utc())  # only before it begins
    domain.VISIT.move(visit, "cancelled", actor["username"], reason)
    visits.announce(session, visit, "volunteers.visit_cancelled", reason=reason,
                    cancelled_by=actor["username"])
    return visits.with_team(session, [visit])[0]


def _said(changed: list[str], after: dict) -> str:
    """The history's line: what changed, to what."""
    shown = {"starts_at": iso(after["starts_at"]), "ends_at": iso(after["ends_at"]),
             "volunteer_ids": ", ".join(map(str, after["volunteer_ids"]))}
    return "changed: " + "; ".join(f"{name} {shown[name]}" for name in changed)
