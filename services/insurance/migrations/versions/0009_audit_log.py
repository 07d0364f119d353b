"""audit log: reveals and changes to the records of insured people, hash-chained and
append-only

Revision ID: 0009
Revises: 0008
"""
from alembic import op

from shared.audit_migration import create_audit_tables, drop_audit_tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_tables(op)


def downgrade() -> None:
    drop_audit_tables(op)
