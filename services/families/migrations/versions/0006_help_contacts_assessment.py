"""help records, members' contacts with their families, low-income families, the yearly
assessment of grassroots associations

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
NOW = sa.text("(CURRENT_TIMESTAMP)")


def _written(by: str, at: str) -> list[sa.Column]:
    return [sa.Column(by, sa.String(100), nullable=False),
            sa.Column(at, sa.DateTime(timezone=True), nullable=False, server_default=NOW)]


def upgrade() -> None:
    with op.batch_alter_table("families") as batch:
        batch.add_column(sa.Column("low_income", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("pairings") as batch:
        batch.add_column(sa.Column("last_contact_on", sa.Date()))
    op.create_table(
        "help_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_code", sa.String(6), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("helped_on", sa.Date(), nullable=False),
        sa.Column("helper_kind", sa.String(10), nullable=False),
        sa.Column("member_id", sa.Integer()),
        sa.Column("volunteer_id", sa.Integer()),
        sa.Column("helper_name", sa.String(200), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text()),
        sa.Column("follow_up_on", sa.Date()),
        sa.Column("followed_up_by", sa.Integer()),
        *_written("recorded_by", "recorded_at"),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_help_records_family", "help_records",
                    ["association_code", "family_id", "helped_on"])
    op.create_index("ix_help_records_follow_up", "help_records",
                    ["association_code", "follow_up_on"])
    op.create_table(
        "member_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_code", sa.String(6), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("contacted_on", sa.Date(), nullable=False),
        sa.Column("way", sa.String(10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        *_written("recorded_by", "recorded_at"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"]),
        sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_member_contacts_member", "member_contacts",
                    ["association_code", "member_id", "contacted_on"])
    op.create_index("ix_member_contacts_family", "member_contacts",
                    ["association_code", "family_id", "contacted_on"])
    op.create_table(
        "assessment_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_code", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        *_written("set_by", "set_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("association_code", "year"))
    op.create_table(
        "assessment_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_code", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("score", sa.Numeric(5, 2), nullable=False),
        *_written("set_by", "set_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("association_code", "year", "code", "key"))


def downgrade() -> None:
    for table in ("assessment_scores", "assessment_criteria", "member_contacts",
                  "help_records"):
        op.drop_table(table)
    with op.batch_alter_table("pairings") as batch:
        batch.drop_column("last_contact_on")
    with op.batch_alter_table("families") as batch:
        batch.drop_column("low_income")
