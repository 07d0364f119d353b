"""sign-up and visit history: every state change with who, when and why

Revision ID: 0002
Revises: 0001
"""
from alembic import op

from shared.history import create_history_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_history_table(op, "signup_history", "signups", "signup_id")
    create_history_table(op, "visit_history", "visits", "visit_id")


def downgrade() -> None:
    op.drop_table("visit_history")
    op.drop_table("signup_history")
