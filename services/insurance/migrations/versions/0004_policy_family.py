"""a policy names the family it covers (its claims are that family's)

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.add_column(sa.Column("family_id", sa.Integer(), nullable=True))
        batch.create_index("ix_policies_family_id", ["family_id"])


def downgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.drop_index("ix_policies_family_id")
        batch.drop_column("family_id")
