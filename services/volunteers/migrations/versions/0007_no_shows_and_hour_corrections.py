"""no-shows and hour corrections

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A no-show is a sign-up status (`no_show`, fits the column); corrections need a table.
    op.create_table(
        "hour_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signup_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("old_minutes", sa.Integer(), nullable=False),
        sa.Column("new_minutes", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["signup_id"], ["signups.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hour_corrections_signup_id", "hour_corrections", ["signup_id"])


def downgrade() -> None:
    op.execute("UPDATE signups SET status = 'confirmed' WHERE status = 'no_show'")
    op.drop_index("ix_hour_corrections_signup_id", table_name="hour_corrections")
    op.drop_table("hour_corrections")
