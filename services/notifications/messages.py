"""Telling people: a notice becomes one message per person and channel, written in the
transaction of the event (or reminder) it comes from, keyed by it, so it is made once however
often the event arrives. The inbox always; SMS to a known phone and e-mail to a known
address, each with a send due now, or `suppressed` where the person opted out."""
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from services.notifications import consent
from services.notifications.domain import language_of, mask_email
from services.notifications.models import Message, Send
from services.notifications.texts import say
from shared.crypto import blind
from shared.identity import mask_name, mask_phone
from shared.recipients import open_contact


@dataclass(frozen=True)
class Person:
    """A recipient with their contact details opened."""
    key: str
    name: str
    phone: str | None
    email: str | None
    language: str | None

    @classmethod
    def of(cls, recipient: dict) -> "Person":
        return cls(recipient["person"], recipient["name"],
                   open_contact(recipient.get("phone"), "phone"),
                   open_contact(recipient.get("email"), "email"), recipient.get("language"))


def filled(values: dict, language: str, name: str) -> dict:
    """A message's values for one person: their name, and a place not yet known said so."""
    found = {**values, "name": name}
    if "place" in found and not found["place"]:
        found["place"] = say("place_to_be_announced", language)
    return found


def tell(session: Session, association: str, event_key: str, kind: str, values: dict,
         people: list[Person], now: datetime) -> None:
    indexes = {index for person in people for index in _indexes(person) if index}
    said = consent.consents(session, association, indexes)
    for person in people:
        phone, email = _indexes(person)
        language = language_of(person.language, said.language(phone, email))
        write = _writer(session, association, event_key, kind, values, person, language)
        write("inbox", None, None, person.key, "delivered")
        if person.phone:
            write("sms", person.phone, phone, mask_phone(person.phone),
                  "suppressed" if said.opted_out("sms", phone) else "queued", now)
        if person.email:
            write("email", person.email, email, mask_email(person.email),
                  "suppressed" if said.opted_out("email", phone, email) else "queued", now)


def _indexes(person: Person) -> tuple[str | None, str | None]:
    return blind(person.phone, "phone"), blind(person.email, "email")


def _writer(session, association, event_key, kind, values, person, language):
    def write(channel, address, index, to_masked, status, due_at=None):
        # Names are masked wherever a message leaves the system (张*); the inbox is the
        # person's own.
        name = person.name if channel == "inbox" else mask_name(person.name)
        params = filled(values, language, name)
        message = Message(association_code=association, event_key=event_key,
                          person=person.key, channel=channel, kind=kind, language=language,
                          text=say(kind, language, params), params=params, address=address,
                          address_index=index, to_masked=to_masked, status=status, attempts=0)
        session.add(message)
        if status == "queued":
            queue(session, message, due_at)
    return write


def queue(session: Session, message: Message, due_at: datetime) -> Send:
    """A send of the message, due at `due_at`, under an idempotency key of its own."""
    send = Send(message=message, key=str(uuid.uuid4()), channel=message.channel,
                address_index=message.address_index, status="due", due_at=due_at, attempts=0)
    session.add(send)
    return send
