"""a donor may give an e-mail to hear by (sealed like their phone)

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("donors") as batch:
        batch.add_column(sa.Column("email", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("donors") as batch:
        batch.drop_column("email")
