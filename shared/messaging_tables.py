"""The two tables every service that publishes or consumes events keeps in its own database."""
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    func,
)

from shared.crypto import SealedText


def add_messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    outbox = Table(
        "outbox", metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(100), nullable=False),
        # Events carry names, addresses and the like: sealed at rest like the rest.
        Column("payload", SealedText("outbox.payload"), nullable=False),
        Column("correlation_id", String(100), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published", Boolean, nullable=False, default=False, index=True),
        Column("published_at", DateTime(timezone=True)),
    )
    processed = Table(
        "processed_events", metadata,
        Column("consumer", String(200), nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "event_id"),
    )
    return outbox, processed
