"""Idempotent consumers: the event id is recorded in the handler's own transaction,
so a redelivered event finds it there and changes nothing."""
from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def first_delivery(session: Session, processed: Table, consumer: str, event_id: str) -> bool:
    try:
        with session.begin_nested():
            session.execute(insert(processed).values(consumer=consumer, event_id=event_id))
    except IntegrityError:
        return False
    return True


def handle_once(uow, processed: Table, consumer: str, envelope: dict, handle) -> None:
    """Run `handle(session, envelope)` in one transaction, unless this consumer already did."""
    with uow.transaction() as session:
        if first_delivery(session, processed, consumer, envelope["event_id"]):
            handle(session, envelope)
