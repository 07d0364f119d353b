"""Service records for the national volunteer information system: one per volunteer and
shift or visit whose hours were credited in a period, with who served in full (that system
identifies volunteers by identity number), what, when and for how long. Each volunteer so
handed out is an entry in the audit log, a page at a time."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.volunteers.models import AUDIT, HoursEntry, Shift, Signup, Visit, Volunteer
from shared import audit, rows
from shared.audit_chain import Entry
from shared.clock import as_utc
from shared.paging import Page


@dataclass(frozen=True)
class ServiceRecord:
    """Hours credited to `person`: on a shift of the activity `project`, or a visit; from
    `starts_at` (None where the shift or visit is gone) for the entry's minutes."""
    entry: HoursEntry
    person: Volunteer
    project: str | None
    starts_at: datetime | None


def listing(session: Session, association: str, start: date, end: date, page: dict,
            actor: dict) -> Page[ServiceRecord]:
    query = select(HoursEntry).where(HoursEntry.association_code == association,
                                     HoursEntry.served_on >= start, HoursEntry.served_on <= end)
    found = rows.page(session, query, [HoursEntry.served_on, HoursEntry.id], page)
    people = _by_id(session, Volunteer, {e.volunteer_id for e in found.items})
    signups = _by_id(session, Signup, _sources(found.items, "shift"),
                     selectinload(Signup.shift).selectinload(Shift.activity))
    visits = _by_id(session, Visit, _sources(found.items, "visit"))
    audit.record(session, AUDIT, actor, *(
        Entry("reveal", "volunteer", volunteer_id, ("id_number", "phone"),
              f"Hours from {start} to {end} for the national volunteer system")
        for volunteer_id in sorted(people)))
    return Page([_record(e, people[e.volunteer_id], signups, visits) for e in found.items],
                found.total)


def _record(entry: HoursEntry, person: Volunteer, signups: dict, visits: dict) -> ServiceRecord:
    if entry.source == "shift" and entry.source_id in signups:
        signup = signups[entry.source_id]
        return ServiceRecord(entry, person, signup.shift.activity.title, _arrived(signup))
    if entry.source == "visit" and entry.source_id in visits:
        return ServiceRecord(entry, person, None, as_utc(visits[entry.source_id].starts_at))
    return ServiceRecord(entry, person, None, None)


def _arrived(signup: Signup) -> datetime:
    """When the volunteer's time on the shift began: their check-in, never before the shift
    starts (a no-show credited by a coordinator has none: the shift's start)."""
    start = as_utc(signup.shift.starts_at)
    return max(as_utc(signup.checked_in_at), start) if signup.checked_in_at else start


def _sources(entries: list[HoursEntry], source: str) -> set[int]:
    return {e.source_id for e in entries if e.source == source}


def _by_id(session: Session, model, ids: set[int], *options) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(
        select(model).where(model.id.in_(sorted(ids))).options(*options))}
