"""donation history: a refund kept with who, when and why, like every other state change

Revision ID: 0009
Revises: 0008
"""
from alembic import op

from shared.history import create_history_table

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_history_table(op, "donation_history", "donations", "donation_id")
    # Donations refunded before: their refund from what the row already knows (who, why,
    # and when, which is when the reversing entry was posted).
    op.execute("""
        INSERT INTO donation_history (donation_id, at, actor, from_status, to_status, reason)
        SELECT d.id, t.posted_at, COALESCE(d.refunded_by, ''), 'recorded', 'refunded',
               d.refund_reason
        FROM donations d JOIN ledger_transactions t ON t.id = d.refund_transaction_id
        WHERE d.status = 'refunded'
        ORDER BY d.id""")


def downgrade() -> None:
    op.drop_table("donation_history")
