"""reads of one association's rows by indexes that lead with its code

A list of the association's donations (newest first) or disbursements (by status, newest
first) reads its own rows in its own order, whatever other counties' rows the tables hold.

Revision ID: 0016
Revises: 0015
"""
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_donations_association_id", "donations", ["association_code", "id"])
    op.create_index("ix_disbursements_association_status", "disbursements", ["association_code", "status", "id"])


def downgrade() -> None:
    op.drop_index("ix_disbursements_association_status", table_name="disbursements")
    op.drop_index("ix_donations_association_id", table_name="donations")
