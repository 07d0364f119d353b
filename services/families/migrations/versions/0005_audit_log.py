"""audit log: reveals and changes to families' and members' records, hash-chained
and append-only

Revision ID: 0005
Revises: 0004
"""
from alembic import op

from shared.audit_migration import create_audit_tables, drop_audit_tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_tables(op)


def downgrade() -> None:
    drop_audit_tables(op)
