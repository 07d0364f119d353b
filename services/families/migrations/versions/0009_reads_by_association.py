"""reads of one association's rows by indexes that lead with its code

A page of the association's families (in id order) reads its own rows in its own order,
whatever other counties' families the table holds.

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_families_association_id", "families", ["association_code", "id"])


def downgrade() -> None:
    op.drop_index("ix_families_association_id", table_name="families")
