"""every row carries its association's code and every unique key includes it

Revision ID: 0015
Revises: 0014
"""
from alembic import op

from shared.migrate import add_association_code, key_by_association

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_association_code(op, "ledger_lines", ("ledger_transactions", "transaction_id"))
    add_association_code(op, "donation_history", ("donations", "donation_id"))
    add_association_code(op, "disbursement_history", ("disbursements", "disbursement_id"))
    add_association_code(op, "pledge_history", ("pledges", "pledge_id"))
    add_association_code(op, "recurring_plan_history", ("recurring_plans", "plan_id"))
    key_by_association(op, "projects", ["fund_id", "code"])
    key_by_association(op, "donations", ["receipt_no"])
    key_by_association(op, "disbursements", ["source_key"])
    key_by_association(op, "pledges", ["pledge_no"])
    key_by_association(op, "pledges", ["pay_reference"])
    key_by_association(op, "pledges", ["channel_txn_id"])
    key_by_association(op, "pledges", ["recurring_plan_id", "month"])


def downgrade() -> None:
    raise NotImplementedError("keys by association are not undone by a migration; restore a "
                              "backup")
