"""audit log: reveals and changes to volunteers' and applicants' records, hash-chained
and append-only

Revision ID: 0010
Revises: 0009
"""
from alembic import op

from shared.audit_migration import create_audit_tables, drop_audit_tables

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_tables(op)


def downgrade() -> None:
    drop_audit_tables(op)
