"""disbursements may wait for funds: a longer status

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
    with op.batch_alter_table("disbursements") as batch:
        batch.alter_column("status", type_=sa.String(20), existing_type=sa.String(12),
                           existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("disbursements") as batch:
        batch.alter_column("status", type_=sa.String(12), existing_type=sa.String(20),
                           existing_nullable=False)
