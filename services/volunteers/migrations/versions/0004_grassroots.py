"""a volunteer names the grassroots association they serve with

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
    # NOT NULL with a server default, so SQLite adds the column in place (rebuilding the
    # table would trip the foreign keys that point at it); volunteers registered before this
    # then serve with their own association.
    with op.batch_alter_table("volunteers") as batch:
        batch.add_column(sa.Column("grassroots_code", sa.String(length=12), nullable=False,
                                   server_default=""))
    volunteers = sa.table("volunteers", sa.column("association_code", sa.String),
                          sa.column("grassroots_code", sa.String))
    op.execute(volunteers.update().values(grassroots_code=volunteers.c.association_code))


def downgrade() -> None:
    # In place as well (SQLite 3.35 and later drop a column without rebuilding the table).
    op.drop_column("volunteers", "grassroots_code")
