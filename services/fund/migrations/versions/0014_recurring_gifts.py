"""recurring gifts: a monthly plan, its history, and its months' pledges

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

from shared.history import create_history_table

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recurring_plans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("association_code", sa.String(6), nullable=False, index=True),
        sa.Column("donor_id", sa.Integer(), sa.ForeignKey("donors.id"), nullable=False,
                  index=True),
        sa.Column("fund_id", sa.Integer(), sa.ForeignKey("funds.id"), nullable=False),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id"), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("grassroots_code", sa.String(12), nullable=False, server_default=""),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("months_made", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("next_month_on", sa.Date(), nullable=True, index=True),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    create_history_table(op, "recurring_plan_history", "recurring_plans", "plan_id")
    with op.batch_alter_table("pledges") as batch:
        batch.add_column(sa.Column("recurring_plan_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("month", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_pledges_recurring_plan_id", "recurring_plans",
                                 ["recurring_plan_id"], ["id"])
        batch.create_index("ix_pledges_recurring_plan_id", ["recurring_plan_id"])
        batch.create_unique_constraint("uq_pledges_recurring_plan_id_month",
                                       ["recurring_plan_id", "month"])


def downgrade() -> None:
    with op.batch_alter_table("pledges") as batch:
        batch.drop_constraint("uq_pledges_recurring_plan_id_month", type_="unique")
        batch.drop_index("ix_pledges_recurring_plan_id")
        batch.drop_constraint("fk_pledges_recurring_plan_id", type_="foreignkey")
        batch.drop_column("month")
        batch.drop_column("recurring_plan_id")
    op.drop_table("recurring_plan_history")
    op.drop_table("recurring_plans")
