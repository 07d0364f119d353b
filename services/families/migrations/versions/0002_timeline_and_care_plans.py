"""a family's timeline from the events that name it, kept whole; care plans

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "family_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("association_code", sa.String(6), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"))
    op.create_index("ix_family_events_family", "family_events",
                    ["association_code", "family_id"])
    op.create_table(
        "timeline_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("association_code", sa.String(6), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("summary", sa.String(300), nullable=False),
        sa.Column("ref", sa.String(60), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"))
    op.create_index("ix_timeline_family", "timeline_entries",
                    ["association_code", "family_id", "at"])
    op.create_table(
        "care_plans",
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("association_code", sa.String(6), nullable=False),
        sa.Column("every_days", sa.Integer(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("next_due_on", sa.Date(), nullable=False),
        sa.Column("planned_by", sa.String(100), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"]),
        sa.PrimaryKeyConstraint("family_id"))
    op.create_index("ix_care_plans_next_due_on", "care_plans", ["next_due_on"])


def downgrade() -> None:
    op.drop_table("care_plans")
    op.drop_table("timeline_entries")
    op.drop_table("family_events")
