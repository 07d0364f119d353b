"""the dashboard's money of a year read from an index

On PostgreSQL the columns the dashboard sums ride in the index (INCLUDE), so a county's
figures are read from the index's own pages, packed by county, instead of one table page per
row scattered among a province's other counties (python -m bench province).

Revision ID: 0017
Revises: 0016
"""
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_donations_year_totals", "donations", ["association_code", "recorded_at"],
                    postgresql_include=["grassroots_code", "amount_fen", "channel",
                                        "refund_transaction_id"])


def downgrade() -> None:
    op.drop_index("ix_donations_year_totals", table_name="donations")
