"""applications from the public

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

from shared.history import create_history_table

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("volunteer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    # One pending application per person, whoever sends two at once.
    op.create_index("uq_applications_pending", "applications",
                    ["association_code", "id_number"], unique=True,
                    postgresql_where=PENDING, sqlite_where=PENDING)
    create_history_table(op, "application_history", "applications", "application_id")


def downgrade() -> None:
    op.drop_table("application_history")
    op.drop_index("uq_applications_pending", table_name="applications")
    op.drop_table("applications")
