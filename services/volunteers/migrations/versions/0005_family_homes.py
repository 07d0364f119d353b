"""where families live, from the families service's events

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "family_homes",
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("association_code", sa.String(6), nullable=False),
        sa.Column("family_no", sa.String(30), nullable=False),
        sa.Column("head_name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(200), nullable=True),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("family_id"))


def downgrade() -> None:
    op.drop_table("family_homes")
