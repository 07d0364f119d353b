"""An event heard: what it says told to the people it names (their messages written, the
sends queued) and the reminders it books, moves or drops kept, all in the consumer's own
transaction, the one that records the event as seen."""
from datetime import datetime

from sqlalchemy.orm import Session

from services.notifications import reminders
from services.notifications.messages import Person, tell
from services.notifications.notices import heard


def hear(session: Session, envelope: dict, now: datetime) -> None:
    data = envelope["data"]
    association = data["association_code"]
    found = heard(envelope["event_type"], data)
    for notice in found.notices:
        if notice.recipients:
            tell(session, association, envelope["event_id"], notice.kind, notice.values,
                 [Person.of(recipient) for recipient in notice.recipients], now)
    reminders.keep(session, association, envelope["event_id"], found, now)
