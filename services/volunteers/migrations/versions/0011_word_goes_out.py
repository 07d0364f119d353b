"""a family's home keeps its head's phone (sealed) and village, so a care visit tells the
family; a shift may be called off, with its reason and its history

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

from shared.history import create_history_table

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("family_homes") as batch:
        batch.add_column(sa.Column("head_phone", sa.String(200), nullable=True))
        batch.add_column(sa.Column("village_code", sa.String(12), nullable=True))
    with op.batch_alter_table("shifts") as batch:
        batch.add_column(sa.Column("status", sa.String(12), nullable=False,
                                   server_default="open"))
        batch.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
    create_history_table(op, "shift_history", "shifts", "shift_id")


def downgrade() -> None:
    op.drop_table("shift_history")
    with op.batch_alter_table("shifts") as batch:
        batch.drop_column("cancel_reason")
        batch.drop_column("status")
    with op.batch_alter_table("family_homes") as batch:
        batch.drop_column("village_code")
        batch.drop_column("head_phone")
