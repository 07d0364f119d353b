"""one-time passwords

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
    # NOT NULL with a server default, so SQLite adds the column in place; logins made
    # before this chose their passwords themselves (or were given them by an admin).
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_index("uq_users_volunteer_id", "users", ["volunteer_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_users_volunteer_id", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
