"""when staff-side tokens were last used

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("token_uses",
                    sa.Column("token_id", sa.String(40), primary_key=True),
                    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False))
    op.create_index("ix_token_uses_expires_at", "token_uses", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_token_uses_expires_at", table_name="token_uses")
    op.drop_table("token_uses")
