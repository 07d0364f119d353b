"""Idempotent consumers: the event id is recorded in the handler's own transaction,
so a redelivered event finds it there and changes nothing."""
from functools import cache

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


@cache
def _recording(processed: Table, dialect: str):
    """INSERT … ON CONFLICT DO NOTHING: a seen event inserts no row, without the savepoint
    (two statements more) that catching the unique key's error would take."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(processed).on_conflict_do_nothing()


def first_delivery(session: Session, processed: Table, consumer: str, event_id: str) -> bool:
    recording = _recording(processed, session.get_bind().dialect.name)
    return session.execute(recording, {"consumer": consumer, "event_id": event_id}).rowcount == 1


def handle_once(uow, processed: Table, consumer: str, envelope: dict, handle) -> None:
    """Run `handle(session, envelope)` in one transaction, unless this consumer already did."""
    with uow.transaction() as session:
        if first_delivery(session, processed, consumer, envelope["event_id"]):
            handle(session, envelope)
