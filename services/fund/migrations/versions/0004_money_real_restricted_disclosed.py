"""projects, categories, in-kind gifts and pledges

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

from shared.contracts.fund import ADMIN_COST, CATEGORIES
from shared.history import create_history_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_code", sa.String(length=6), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("budget_fen", sa.BigInteger(), nullable=True),
        sa.Column("balance_fen", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.CheckConstraint("balance_fen >= 0", name="project_balance_not_negative"),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fund_id", "code"),
    )
    op.create_index("ix_projects_fund_id", "projects", ["fund_id"])
    with op.batch_alter_table("funds") as batch:
        batch.add_column(sa.Column("in_kind_fen", sa.BigInteger(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("allowed_categories", sa.JSON(), nullable=True))
    funds = sa.table("funds", sa.column("id"), sa.column("restricted"),
                     sa.column("allowed_categories", sa.JSON()))
    connection = op.get_bind()
    for fund_id, restricted in connection.execute(sa.select(funds.c.id, funds.c.restricted)):
        allowed = [c for c in CATEGORIES if not (restricted and c == ADMIN_COST)]
        connection.execute(funds.update().where(funds.c.id == fund_id)
                           .values(allowed_categories=allowed))
    with op.batch_alter_table("funds") as batch:
        batch.alter_column("allowed_categories", existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table("donors") as batch:
        batch.alter_column("kind", type_=sa.String(20), existing_type=sa.String(10),
                           existing_nullable=False)
    with op.batch_alter_table("donations") as batch:
        batch.add_column(sa.Column("project_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch.create_foreign_key("fk_donations_project_id", "projects", ["project_id"], ["id"])
    with op.batch_alter_table("disbursements") as batch:
        batch.add_column(sa.Column("project_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("category", sa.String(length=40), nullable=True))
        batch.create_foreign_key("fk_disbursements_project_id", "projects", ["project_id"],
                                 ["id"])
    op.create_table(
        "pledges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_code", sa.String(length=6), nullable=False),
        sa.Column("pledge_no", sa.String(length=40), nullable=False),
        sa.Column("pay_reference", sa.String(length=40), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("donor_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel_txn_id", sa.String(length=100), nullable=True),
        sa.Column("donation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
        sa.ForeignKeyConstraint(["donor_id"], ["donors.id"]),
        sa.ForeignKeyConstraint(["donation_id"], ["donations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pledge_no"),
        sa.UniqueConstraint("pay_reference"),
        sa.UniqueConstraint("channel_txn_id"),
    )
    op.create_index("ix_pledges_association_code", "pledges", ["association_code"])
    op.create_index("ix_pledges_donor_id", "pledges", ["donor_id"])
    op.create_index("ix_pledges_status", "pledges", ["status"])
    create_history_table(op, "pledge_history", "pledges", "pledge_id")


def downgrade() -> None:
    op.drop_table("pledge_history")
    op.drop_table("pledges")
    with op.batch_alter_table("disbursements") as batch:
        batch.drop_constraint("fk_disbursements_project_id", type_="foreignkey")
        batch.drop_column("category")
        batch.drop_column("project_id")
    with op.batch_alter_table("donations") as batch:
        batch.drop_constraint("fk_donations_project_id", type_="foreignkey")
        batch.drop_column("description")
        batch.drop_column("project_id")
    with op.batch_alter_table("funds") as batch:
        batch.drop_column("allowed_categories")
        batch.drop_column("in_kind_fen")
    op.drop_table("projects")


