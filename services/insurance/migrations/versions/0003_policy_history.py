"""policy history: every state change with who, when and why

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
    create_history_table(op, "policy_history", "policies", "policy_id")


def downgrade() -> None:
    op.drop_table("policy_history")
