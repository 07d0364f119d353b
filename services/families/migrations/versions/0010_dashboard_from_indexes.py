"""the dashboard's families and timeline counts read from indexes

On PostgreSQL the columns the dashboard sums ride in the index (INCLUDE), so a county's
figures are read from the index's own pages, packed by county, instead of one table page per
row scattered among a province's other counties (python -m bench province).

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_timeline_kind_at", "timeline_entries", ["association_code", "kind", "at"],
                    postgresql_include=["family_id"])
    op.create_index("ix_families_counts", "families", ["association_code", "village_code"],
                    postgresql_include=["category", "low_income"])


def downgrade() -> None:
    op.drop_index("ix_families_counts", table_name="families")
    op.drop_index("ix_timeline_kind_at", table_name="timeline_entries")
