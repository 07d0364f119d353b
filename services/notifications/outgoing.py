"""Messages as staff follow them: every channel's, filtered by status, channel and kind, the
latest first; and a message sent again (a new send of the same text, with a key of its own)."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notifications.domain import MESSAGE
from services.notifications.messages import send_row
from services.notifications.models import Message, Send
from shared import rows
from shared.contracts.notifications import RESENDABLE
from shared.errors import Conflict
from shared.paging import Page

FILTERS = ("status", "channel", "kind")


def listing(session: Session, association: str, query: dict) -> Page[Message]:
    found = select(Message).where(Message.association_code == association)
    for name in FILTERS:
        if query.get(name):
            found = found.where(getattr(Message, name) == query[name])
    return rows.page(session, found, [Message.id.desc()], query)


def resend(session: Session, association: str, message_id: int, now: datetime) -> Message:
    message = rows.one(session, Message, association, message_id, lock=True)
    if message.channel == "inbox" or message.status not in RESENDABLE:
        raise Conflict(f"A message that is {message.status} cannot be sent again.",
                       "not_resendable", {"status": [f"is {message.status}"]})
    session.add(Send(**send_row(message.id, message.channel, message.address_index, now)))
    MESSAGE.step(message, "queued")
    message.error = None
    return message
