"""events waiting in the outbox, and those already sent, sealed at rest

Revision ID: 0007
Revises: 0006
"""
from alembic import op

from shared.crypto import seal_table

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    seal_table(op.get_bind(), "outbox", ("payload",))


def downgrade() -> None:
    raise NotImplementedError("sealed data is not unsealed by a migration; restore a backup")
