"""every unique key of a message or a reminder includes the association's code

Revision ID: 0002
Revises: 0001
"""
from alembic import op

from shared.migrate import add_association_code, key_by_association

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    key_by_association(op, "messages", ["event_key", "person", "channel"])
    key_by_association(op, "reminders", ["key"])


def downgrade() -> None:
    raise NotImplementedError("keys by association are not undone by a migration; restore a "
                              "backup")
