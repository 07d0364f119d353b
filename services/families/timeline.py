"""A family's timeline (一户一档), built from the other services' events that name it. Each
such event is kept whole, so the timeline can be rebuilt from them and come out the same."""
import json

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.families import domain
from services.families.models import Family, FamilyEvent, TimelineEntry
from shared import rows
from shared.contracts.events import CATALOGUE, load_envelope
from shared.paging import Page


def record(session: Session, envelope: dict) -> None:
    """Keep the event and add its entry; an event naming no family is not ours."""
    family_id = envelope["data"].get("family_id")
    if family_id is None:
        return
    association = envelope["data"]["association_code"]
    try:
        with session.begin_nested():
            session.add(FamilyEvent(event_id=envelope["event_id"], association_code=association,
                                    family_id=family_id, occurred_at=envelope["occurred_at"],
                                    envelope=json.dumps(_stored(envelope))))
    except IntegrityError:
        return  # kept already (another consumer name, or a replay): nothing new
    _add_entry(session, association, family_id, envelope)


def rebuild_timeline(session: Session, association: str, family_id: int) -> int:
    """The family's entries recomputed from its kept events alone; how many there are."""
    rows.one(session, Family, association, family_id)
    session.execute(delete(TimelineEntry).where(TimelineEntry.association_code == association,
                                                TimelineEntry.family_id == family_id))
    kept = session.scalars(select(FamilyEvent).where(
        FamilyEvent.association_code == association, FamilyEvent.family_id == family_id)
        .order_by(FamilyEvent.occurred_at, FamilyEvent.id))
    added = [_add_entry(session, association, family_id, load_envelope(json.loads(e.envelope)))
             for e in kept]
    session.flush()
    return sum(1 for a in added if a)


def page(session: Session, association: str, family_id: int,
         query: dict) -> Page[TimelineEntry]:
    rows.one(session, Family, association, family_id)
    found = select(TimelineEntry).where(TimelineEntry.association_code == association,
                                        TimelineEntry.family_id == family_id)
    return rows.page(session, found, [TimelineEntry.at, TimelineEntry.id], query)


def _add_entry(session: Session, association: str, family_id: int, envelope: dict) -> bool:
    entry = domain.entry_of(envelope["event_type"], envelope["data"])
    if entry is not None:
        session.add(TimelineEntry(event_id=envelope["event_id"], association_code=association,
                                  family_id=family_id, at=envelope["occurred_at"],
                                  kind=entry.kind, summary=entry.summary, ref=entry.ref))
    return entry is not None


def _stored(envelope: dict) -> dict:
    """The envelope as it travelled (JSON), from the loaded one."""
    schema = CATALOGUE[envelope["event_type"]][envelope["version"]]()
    return {**envelope, "occurred_at": envelope["occurred_at"].isoformat(),
            "data": schema.dump(envelope["data"])}
