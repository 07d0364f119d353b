"""disbursement history: every state change with who, when and why

Revision ID: 0003
Revises: 0002
"""
from alembic import op

from shared.history import create_history_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_history_table(op, "disbursement_history", "disbursements", "disbursement_id")


def downgrade() -> None:
    op.drop_table("disbursement_history")
