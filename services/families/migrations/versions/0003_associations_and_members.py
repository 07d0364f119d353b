"""grassroots associations, members, their families, member days

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
NOW = sa.text("(CURRENT_TIMESTAMP)")


def upgrade() -> None:
    op.create_table(
        "grassroots_associations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_code", sa.String(6), nullable=False),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("parent_code", sa.String(12), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=NOW),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("association_code", "code"))
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_code", sa.String(6), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("phone", sa.String(11), nullable=False),
        sa.Column("grassroots_code", sa.String(12), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=NOW),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("association_code", "id_number"))
    op.create_index("ix_members_grassroots", "members", ["association_code", "grassroots_code"])
    op.create_table(
        "pairings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("paired_by", sa.String(100), nullable=False),
        sa.Column("paired_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=NOW),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("family_id"))
    op.create_index("ix_pairings_member_id", "pairings", ["member_id"])
    op.create_table(
        "member_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_code", sa.String(6), nullable=False),
        sa.Column("grassroots_code", sa.String(12), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("member_ids", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=NOW),
        sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_member_days_grassroots", "member_days",
                    ["association_code", "grassroots_code"])


def downgrade() -> None:
    op.drop_table("member_days")
    op.drop_table("pairings")
    op.drop_table("members")
    op.drop_table("grassroots_associations")
