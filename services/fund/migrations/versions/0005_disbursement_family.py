"""a disbursement names the family it is paid for

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("disbursements") as batch:
        batch.add_column(sa.Column("family_id", sa.Integer(), nullable=True))
        batch.create_index("ix_disbursements_family_id", ["family_id"])


def downgrade() -> None:
    with op.batch_alter_table("disbursements") as batch:
        batch.drop_index("ix_disbursements_family_id")
        batch.drop_column("family_id")
