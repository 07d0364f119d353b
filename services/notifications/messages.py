"""Telling people: a notice becomes one message per person and channel, written in the
transaction of the event (or reminder) it comes from, keyed by it, so it is made once however
often the event arrives. The inbox always; SMS to a known phone and e-mail to a known
address, each with a send due now, or `suppressed` where the person opted out."""
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import insert
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
    rows = []
    for person in people:
        phone, email = _indexes(person)
        language = language_of(person.language, said.language(phone, email))
        row = partial(_row, association, event_key, kind, values, person, language)
        rows.append(row("inbox", None, None, person.key, "delivered"))
        if person.phone:
            rows.append(row("sms", person.phone, phone, mask_phone(person.phone),
                            "suppressed" if said.opted_out("sms", phone) else "queued"))
        if person.email:
            rows.append(row("email", person.email, email, mask_email(person.email),
                            "suppressed" if said.opted_out("email", phone, email)
                            else "queued"))
    _write(session, rows, now)


def _row(association: str, event_key: str, kind: str, values: dict, person: Person,
         language: str, channel: str, address: str | None, index: str | None, to_masked: str,
         status: str) -> dict:
    # Names are masked wherever a message leaves the system (张*); the inbox is the person's.
    name = person.name if channel == "inbox" else mask_name(person.name)
    params = filled(values, language, name)
    return {"association_code": association, "event_key": event_key, "person": person.key,
            "channel": channel, "kind": kind, "language": language,
            "text": say(kind, language, params), "params": params, "address": address,
            "address_index": index, "to_masked": to_masked, "status": status, "attempts": 0}


def _write(session: Session, rows: list[dict], now: datetime) -> None:
    """The messages and their sends, a statement each (a consumer writes many a second)."""
    ids = session.scalars(insert(Message).returning(Message.id, sort_by_parameter_order=True),
                          rows).all()
    sends = [send_row(message_id, row["channel"], row["address_index"], now)
             for message_id, row in zip(ids, rows, strict=True) if row["status"] == "queued"]
    if sends:
        session.execute(insert(Send), sends)


def _indexes(person: Person) -> tuple[str | None, str | None]:
    return blind(person.phone, "phone"), blind(person.email, "email")


def send_row(message_id: int, channel: str, address_index: str | None,
             due_at: datetime) -> dict:
    """A send of a message, due at `due_at`, under an idempotency key of its own."""
    return {"message_id": message_id, "key": str(uuid.uuid4()), "channel": channel,
            "address_index": address_index, "status": "due", "due_at": due_at, "attempts": 0}
