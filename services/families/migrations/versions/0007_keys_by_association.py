"""every row carries its association's code and every unique key includes it

Revision ID: 0007
Revises: 0006
"""
from alembic import op

from shared.migrate import add_association_code, key_by_association

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_association_code(op, "pairings", ("families", "family_id"))
    key_by_association(op, "family_events", ["event_id"])
    key_by_association(op, "timeline_entries", ["event_id"])
    key_by_association(op, "pairings", ["family_id"])


def downgrade() -> None:
    raise NotImplementedError("keys by association are not undone by a migration; restore a "
                              "backup")
