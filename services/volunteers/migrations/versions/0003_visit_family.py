"""a visit names the family and its address when its trigger did

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visits") as batch:
        batch.add_column(sa.Column("family_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("address", sa.String(200), nullable=True))
        batch.create_index("ix_visits_family_id", ["family_id"])


def downgrade() -> None:
    with op.batch_alter_table("visits") as batch:
        batch.drop_index("ix_visits_family_id")
        batch.drop_column("address")
        batch.drop_column("family_id")
