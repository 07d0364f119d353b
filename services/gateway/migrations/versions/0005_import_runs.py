"""spreadsheets brought in

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
    op.create_table(
        "import_runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("association_code", sa.String(6), nullable=False),
        sa.Column("register", sa.String(20), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("filename", sa.String(200)),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("all_or_nothing", sa.Boolean(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("to_do", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON()),
        sa.Column("headers", sa.JSON()),
        sa.Column("rows_in_error", sa.Text()),
        sa.Column("failure", sa.Text()),
        sa.Column("content", sa.Text()),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("touched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)))
    op.create_index("ix_import_runs_association", "import_runs",
                    ["association_code", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_import_runs_association", table_name="import_runs")
    op.drop_table("import_runs")
