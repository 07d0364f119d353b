"""People's word on how they hear from the association (PIPL): opted out of SMS or e-mail,
per phone or e-mail address, taken down by staff or given through the signed link at the
foot of every SMS and e-mail (`/u/{token}`); and the language they read."""
import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notifications.models import Contact, Message
from shared.crypto import blind, keyring
from shared.errors import NotFound

OPT_OUT = {"sms": "sms_opted_out", "email": "email_opted_out"}
KIND_OF = {"sms": "phone", "email": "email"}  # the address a channel goes to
TOKEN_MAC_LENGTH = 16  # 96 bits of HMAC: short, for a link inside an SMS


@dataclass(frozen=True)
class Consents:
    """What the people of a batch of messages said about their addresses."""
    contacts: dict[str, Contact]  # by blind index

    def opted_out(self, channel: str, *indexes: str | None) -> bool:
        """Out if any of the person's addresses opted out of the channel (an opt-out of
        e-mail given by phone covers the person's e-mail address too)."""
        return any(getattr(self.contacts[i], OPT_OUT[channel]) for i in indexes
                   if i in self.contacts)

    def language(self, *indexes: str | None) -> str | None:
        return next((self.contacts[i].language for i in indexes
                     if i in self.contacts and self.contacts[i].language), None)


def consents(session: Session, association: str, indexes: set[str]) -> Consents:
    if not indexes:
        return Consents({})
    found = session.scalars(select(Contact).where(Contact.association_code == association,
                                                  Contact.address_index.in_(indexes)))
    return Consents({contact.address_index: contact for contact in found})


def set_preference(session: Session, association: str, body: dict, actor: dict,
                   now: datetime) -> Contact:
    contact = _contact(session, association, "phone", body["phone"], actor, now)
    setattr(contact, OPT_OUT[body["channel"]], body["opted_out"])
    if body.get("language"):
        contact.language = body["language"]
    return contact


def unsubscribe(session: Session, token: str, now: datetime) -> Message:
    """The message whose link was followed; its address opted out of its channel."""
    message = session.get(Message, _message_id(token))
    if message is None or message.channel not in OPT_OUT:
        raise NotFound("No such unsubscribe link.", "link_not_found")
    contact = _contact(session, message.association_code, KIND_OF[message.channel],
                       message.address, {"username": "unsubscribe link"}, now)
    setattr(contact, OPT_OUT[message.channel], True)
    return message


def token_for(message_id: int) -> str:
    return f"{message_id}.{_mac(message_id)}"


def _mac(message_id: int) -> str:
    # Keyed by the data keys' index key, which every process has and nobody rotates.
    return keyring().index(str(message_id), "unsubscribe")[:TOKEN_MAC_LENGTH]


def _message_id(token) -> int:
    number, _, mac = (token if isinstance(token, str) else "").partition(".")
    if not number.isascii() or not number.isdigit() or len(number) > 10 or \
            not hmac.compare_digest(mac.encode(), _mac(int(number)).encode()):
        raise NotFound("No such unsubscribe link.", "link_not_found")
    return int(number)


def _contact(session: Session, association: str, kind: str, address: str, actor: dict,
             now: datetime) -> Contact:
    index = blind(address, kind)
    contact = session.scalars(select(Contact).where(
        Contact.association_code == association, Contact.address_index == index)
        .with_for_update()).one_or_none()
    if contact is None:
        contact = Contact(association_code=association, kind=kind, address=address,
                          address_index=index, sms_opted_out=False, email_opted_out=False)
        session.add(contact)
    contact.updated_by = actor["username"]
    contact.updated_at = now
    return contact
