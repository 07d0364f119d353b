"""The columns of a state-change history row, the same for every stateful thing, and the
view of it that `shared.schemas.StateChangeOut` documents."""
from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.clock import iso


class StateChange:
    """Mixin for a history table: add `id` and the foreign key to the thing. The
    association's code is the thing's, set by its `record_change`."""
    association_code: Mapped[str] = mapped_column(String(6))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(Text)


def history_view(history) -> list[dict]:
    return [{"at": iso(h.at), "actor": h.actor, "from_status": h.from_status,
             "to_status": h.to_status, "reason": h.reason} for h in history]


def create_history_table(op, name: str, parent_table: str, parent_key: str) -> None:
    """For a migration: the history table of `parent_table`, with the mixin's columns."""
    import sqlalchemy as sa  # migrations only

    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(parent_key, sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("from_status", sa.String(length=30), nullable=True),
        sa.Column("to_status", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint([parent_key], [f"{parent_table}.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(f"ix_{name}_{parent_key}", name, [parent_key])
