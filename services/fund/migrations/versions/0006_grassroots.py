"""donations, pledges and disbursements name the grassroots association they count for

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("donations", "pledges", "disbursements")


def upgrade() -> None:
    # NOT NULL with a server default, so SQLite adds the column in place (rebuilding these
    # tables would trip the foreign keys that point at them); rows written before this then
    # count for their own association.
    for name in TABLES:
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column("grassroots_code", sa.String(length=12), nullable=False,
                                       server_default=""))
        table = sa.table(name, sa.column("association_code", sa.String),
                         sa.column("grassroots_code", sa.String))
        op.execute(table.update().values(grassroots_code=table.c.association_code))


def downgrade() -> None:
    # In place as well (SQLite 3.35 and later drop a column without rebuilding the table).
    for name in reversed(TABLES):
        op.drop_column(name, "grassroots_code")
