"""Reminders: kept from the events that book them (a shift signed up for, a family's visit
assigned), moved when the booking moves, dropped when it is cancelled, and told when due by
the postman's rounds. A reminder due after its start has nothing left to say."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notifications.domain import REMINDER
from services.notifications.messages import Person, tell
from services.notifications.models import Reminder
from services.notifications.notices import Booking, Heard
from shared.clock import as_utc


def keep(session: Session, association: str, event_key: str, heard: Heard,
         now: datetime) -> None:
    for booking in heard.bookings:
        _book(session, association, booking)
    for move in heard.moves:
        for reminder in _under(session, association, move.prefix, ("pending", "sent")):
            _reschedule(reminder, {**reminder.params, **move.values}, move.starts_at,
                        move.due_at)
    for drop in heard.drops:
        told = []
        for reminder in _under(session, association, drop.prefix, ("pending", "sent")):
            if reminder.status == "sent":
                told.append(_person(reminder))
            REMINDER.step(reminder, "cancelled")
        if drop.then_kind and told:
            tell(session, association, event_key, drop.then_kind, drop.values, told, now)


def fire_due(session: Session, now: datetime, batch: int = 100) -> int:
    """Tell the reminders due by `now`; returns how many were taken."""
    query = (select(Reminder).where(Reminder.status == "pending", Reminder.due_at <= now)
             .order_by(Reminder.due_at).limit(batch))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # replicas take turns, never twice
    due = session.scalars(query).all()
    for reminder in due:
        if now < as_utc(reminder.starts_at):
            # Keyed by the start it reminds of: moved later, it is told again.
            tell(session, reminder.association_code,
                 f"reminder:{reminder.id}:{reminder.starts_at:%Y%m%d%H%M}", reminder.kind,
                 reminder.params, [_person(reminder)], now)
            REMINDER.step(reminder, "sent")
        else:
            REMINDER.step(reminder, "missed")
    return len(due)


def _book(session: Session, association: str, booking: Booking) -> None:
    person = Person.of(booking.recipient)
    reminder = session.scalars(select(Reminder).where(Reminder.association_code == association,
                                                      Reminder.key == booking.key)
                               .with_for_update()).one_or_none()
    if reminder is None:
        reminder = Reminder(association_code=association, key=booking.key, kind=booking.kind)
        session.add(reminder)
    reminder.person, reminder.name, reminder.language = person.key, person.name, person.language
    reminder.phone, reminder.email = person.phone, person.email
    _reschedule(reminder, booking.values, booking.starts_at, booking.due_at)


def _reschedule(reminder: Reminder, values: dict, starts_at: datetime,
                due_at: datetime) -> None:
    reminder.params = values
    reminder.starts_at, reminder.due_at = starts_at, due_at
    REMINDER.step(reminder, "pending")


def _under(session: Session, association: str, prefix: str,
           statuses: tuple[str, ...]) -> list[Reminder]:
    return list(session.scalars(select(Reminder).where(Reminder.association_code == association,
                                                       Reminder.key.startswith(prefix),
                                                       Reminder.status.in_(statuses))))


def _person(reminder: Reminder) -> Person:
    return Person(reminder.person, reminder.name, reminder.phone, reminder.email,
                  reminder.language)

