"""A person's inbox: the inbox messages of every person key their login stands for (a donor
login's donor, a volunteer login's volunteer, and the login itself), the latest first."""
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.notifications.models import Message
from shared import rows
from shared.errors import NotFound
from shared.paging import Page


def person_keys(actor: dict) -> list[str]:
    keys = [f"user:{actor['username']}"]
    if actor.get("donor_id"):
        keys.append(f"donor:{actor['donor_id']}")
    if actor.get("volunteer_id"):
        keys.append(f"volunteer:{actor['volunteer_id']}")
    return keys


def _of(association: str, keys: list[str]):
    return (Message.association_code == association, Message.channel == "inbox",
            Message.person.in_(keys))


def page(session: Session, association: str, keys: list[str], query: dict) -> Page[Message]:
    return rows.page(session, select(Message).where(*_of(association, keys)),
                     [Message.id.desc()], query)


def unread(session: Session, association: str, keys: list[str]) -> int:
    return session.scalar(select(func.count()).select_from(Message)
                          .where(*_of(association, keys), Message.read_at.is_(None)))


def mark_read(session: Session, association: str, keys: list[str], message_id: int,
              now: datetime) -> Message:
    """Another person's message is as one that does not exist."""
    message = session.scalars(select(Message).where(Message.id == message_id,
                                                    *_of(association, keys))).one_or_none()
    if message is None:
        raise NotFound(f"No message {message_id}.", "message_not_found")
    message.read_at = message.read_at or now
    return message
