"""an index for a fund's waiting payouts, looked for after every donation

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_disbursements_fund_status", "disbursements", ["fund_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_disbursements_fund_status", table_name="disbursements")
