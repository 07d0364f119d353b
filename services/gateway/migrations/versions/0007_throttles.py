"""failed logins and requests without a login, counted in the database for every replica

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("throttles",
                    sa.Column("key", sa.String(100), primary_key=True),
                    sa.Column("count", sa.Integer, nullable=False),
                    sa.Column("since", sa.Double, nullable=False),
                    sa.Column("last_at", sa.Double, nullable=False),
                    sa.Column("wait_until", sa.Double, nullable=False),
                    sa.Column("expires_at", sa.Double, nullable=False))
    op.create_index("ix_throttles_expires_at", "throttles", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_throttles_expires_at", table_name="throttles")
    op.drop_table("throttles")
