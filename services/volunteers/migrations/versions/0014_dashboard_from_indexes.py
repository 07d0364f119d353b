"""the dashboard's active volunteers read from an index

On PostgreSQL the columns the dashboard sums ride in the index (INCLUDE), so a county's
figures are read from the index's own pages, packed by county, instead of one table page per
row scattered among a province's other counties (python -m bench province).

Revision ID: 0014
Revises: 0013
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_volunteers_counts", "volunteers", ["association_code", "status"],
                    postgresql_include=["grassroots_code"])


def downgrade() -> None:
    op.drop_index("ix_volunteers_counts", table_name="volunteers")
