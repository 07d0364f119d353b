"""Models as the JSON the world sees, through the Out schemas of the notifications contract:
addresses masked, texts in the person's language."""
from services.notifications.models import Contact, Message
from shared.clock import iso
from shared.contracts.notifications import (
    InboxItemOut,
    MessageOut,
    PreferenceOut,
    UnreadOut,
    UnsubscribedOut,
)
from shared.identity import mask_phone
from shared.paging import Page
from shared.schemas import shaped

INBOX_ITEM = InboxItemOut()
MESSAGE = MessageOut()
PREFERENCE = PreferenceOut()
UNREAD = UnreadOut()
UNSUBSCRIBED = UnsubscribedOut()


def inbox_item_view(message: Message) -> dict:
    return shaped(INBOX_ITEM, {"id": message.id, "at": iso(message.created_at),
                               "kind": message.kind, "text": message.text,
                               "read": message.read_at is not None})


def inbox_view(found: Page[Message], unread: int) -> dict:
    return {**found.shaped(inbox_item_view), "unread": unread}


def unread_view(unread: int) -> dict:
    return shaped(UNREAD, {"unread": unread})


def message_view(message: Message) -> dict:
    return shaped(MESSAGE, {"id": message.id, "at": iso(message.created_at),
                            "kind": message.kind, "channel": message.channel,
                            "to": message.to_masked, "status": message.status,
                            "attempts": message.attempts, "error": message.error})


def preference_view(contact: Contact, channel: str) -> dict:
    return shaped(PREFERENCE, {"phone": mask_phone(contact.address), "channel": channel,
                               "opted_out": getattr(contact, f"{channel}_opted_out"),
                               "language": contact.language})


def unsubscribed_view(message: Message) -> dict:
    return shaped(UNSUBSCRIBED, {"channel": message.channel, "to": message.to_masked,
                                 "language": message.language})
