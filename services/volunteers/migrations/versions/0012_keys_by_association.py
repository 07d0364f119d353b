"""every row carries its association's code and every unique key includes it

Revision ID: 0012
Revises: 0011
"""
from alembic import op

from shared.migrate import add_association_code, key_by_association

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_association_code(op, "volunteer_skills", ("volunteers", "volunteer_id"))
    add_association_code(op, "application_history", ("applications", "application_id"))
    add_association_code(op, "shift_history", ("shifts", "shift_id"))
    add_association_code(op, "signups", ("shifts", "shift_id"))
    add_association_code(op, "signup_history", ("signups", "signup_id"))
    add_association_code(op, "hour_corrections", ("signups", "signup_id"))
    add_association_code(op, "visit_history", ("visits", "visit_id"))
    key_by_association(op, "volunteer_skills", ["volunteer_id", "skill"])
    key_by_association(op, "visits", ["trigger_key"])
    key_by_association(op, "hours", ["volunteer_id", "source", "source_id"])


def downgrade() -> None:
    raise NotImplementedError("keys by association are not undone by a migration; restore a "
                              "backup")
