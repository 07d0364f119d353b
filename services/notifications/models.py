"""The notifications service's tables: the messages people are sent (one per event, person
and channel), the sends that carry them out (the outbox of the providers), people's consent
by phone or e-mail, and the reminders waiting for their time. Phones and e-mail addresses
are sealed, with a blind index where they are looked up."""
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.audit import add_audit_tables
from shared.columns import created
from shared.crypto import INDEX_LENGTH, Sealed, SealedJSON, SealedText
from shared.messaging_tables import add_messaging_tables


class Base(DeclarativeBase):
    pass


OUTBOX, PROCESSED_EVENTS = add_messaging_tables(Base.metadata)
AUDIT = add_audit_tables(Base.metadata)


class Message(Base):
    """What one person is told of one event by one channel. The unique key is what makes it
    once however often the event arrives; `text` is in the person's language, as the inbox
    shows it and the log records it; `params` are the values it was made from (an SMS
    template's parameters)."""
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("association_code", "event_key", "person", "channel"),
        Index("ix_messages_inbox", "association_code", "person", "channel", "id"),
        Index("ix_messages_listing", "association_code", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    event_key: Mapped[str] = mapped_column(String(60))  # the event's id, or a reminder's
    person: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(5))
    kind: Mapped[str] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(2))
    text: Mapped[str] = mapped_column(SealedText("messages.text"))
    params: Mapped[dict] = mapped_column(SealedJSON("messages.params"))
    address: Mapped[str | None] = mapped_column(Sealed("messages.address"))  # phone or e-mail
    address_index: Mapped[str | None] = mapped_column(String(INDEX_LENGTH))
    to_masked: Mapped[str] = mapped_column(String(80))  # as staff see it, or the person key
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created()
    sends: Mapped[list["Send"]] = relationship(back_populates="message", order_by="Send.id")


class Send(Base):
    """One hand-over of a message to its provider: `key` is its idempotency key (Aliyun's
    OutId, the e-mail's Message-ID), the same through every try and every restart. `due`
    until taken, `sending` while the provider has it (a send still `sending` after its lease
    was cut off mid-call: the provider is asked before it goes again), then `sent`, `failed`
    or `suppressed` (opted out meanwhile)."""
    __tablename__ = "sends"
    __table_args__ = (
        Index("ix_sends_due", "status", "due_at"),
        # The hourly limit counts a number's sends by when they were handed over.
        Index("ix_sends_number_hour", "address_index", "claimed_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    key: Mapped[str] = mapped_column(String(36), unique=True)
    channel: Mapped[str] = mapped_column(String(5))
    address_index: Mapped[str | None] = mapped_column(String(INDEX_LENGTH))
    status: Mapped[str] = mapped_column(String(10), default="due")
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    provider_ref: Mapped[str | None] = mapped_column(String(100))
    message: Mapped[Message] = relationship(back_populates="sends")


class Contact(Base):
    """A phone or e-mail address and its owner's word on it: opted out of SMS or e-mail,
    the language they read. Found by the blind index of the address."""
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("association_code", "address_index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(5))  # phone | email
    address: Mapped[str] = mapped_column(Sealed("contacts.address"))
    address_index: Mapped[str] = mapped_column(String(INDEX_LENGTH))
    sms_opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    email_opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(2))
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Reminder(Base):
    """A message due at a time of its own (a shift 2 h before it starts, a family's visit
    the day before), kept from the event that booked it: `key` names the booking, so a
    change moves the reminder and a cancellation drops it."""
    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "status", "due_at"),
                      UniqueConstraint("association_code", "key"))
    id: Mapped[int] = mapped_column(primary_key=True)
    association_code: Mapped[str] = mapped_column(String(6))
    key: Mapped[str] = mapped_column(String(120))  # shift:7:volunteer:3
    kind: Mapped[str] = mapped_column(String(30))
    person: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(Sealed("reminders.phone"))
    email: Mapped[str | None] = mapped_column(Sealed("reminders.email"))
    language: Mapped[str | None] = mapped_column(String(2))
    params: Mapped[dict] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # sent | cancelled
    created_at: Mapped[datetime] = created()
