"""reads of one association's rows by indexes that lead with its code

A page of the association's shifts (by start) reads its own rows in its own order,
whatever other counties' shifts the table holds.

Revision ID: 0013
Revises: 0012
"""
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_shifts_association_start", "shifts", ["association_code", "starts_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_shifts_association_start", table_name="shifts")
