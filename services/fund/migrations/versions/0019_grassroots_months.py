"""money raised, refunded and spent by grassroots association and local month, kept as
postings happen

The leadership's dashboard and ranking add a year's money up over `grassroots_months`
instead of over every donation and paid disbursement (and their ledger transactions).
Filled here from the donations and disbursements recorded so far, in the months their
postings were made: a money donation when recorded, its refund when its refund was posted,
a disbursement when it was paid. Goods given in kind are no money raised.

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# The association's local month (China Standard Time) of a UTC moment.
LOCAL_MONTH = {
    "postgresql": "CAST(date_trunc('month', {0} AT TIME ZONE 'Asia/Shanghai') AS DATE)",
    "sqlite": "date({0}, '+8 hours', 'start of month')",
}


def upgrade() -> None:
    op.create_table(
        "grassroots_months",
        sa.Column("association_code", sa.String(length=6), nullable=False),
        sa.Column("grassroots_code", sa.String(length=12), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("donated_fen", sa.BigInteger(), nullable=False),
        sa.Column("refunded_fen", sa.BigInteger(), nullable=False),
        sa.Column("spent_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("association_code", "grassroots_code", "month"))
    month = LOCAL_MONTH[op.get_bind().dialect.name].format
    op.execute(f"""
        INSERT INTO grassroots_months (association_code, grassroots_code, month,
                                       donated_fen, refunded_fen, spent_fen)
        SELECT association_code, grassroots_code, month,
               SUM(donated_fen), SUM(refunded_fen), SUM(spent_fen)
        FROM (
            SELECT association_code, grassroots_code, {month('recorded_at')} AS month,
                   amount_fen AS donated_fen, 0 AS refunded_fen, 0 AS spent_fen
            FROM donations WHERE channel <> 'in_kind'
            UNION ALL
            SELECT d.association_code, d.grassroots_code, {month('t.posted_at')},
                   0, d.amount_fen, 0
            FROM donations d JOIN ledger_transactions t ON t.id = d.refund_transaction_id
            WHERE d.channel <> 'in_kind'
            UNION ALL
            SELECT d.association_code, d.grassroots_code, {month('t.posted_at')},
                   0, 0, d.amount_fen
            FROM disbursements d JOIN ledger_transactions t ON t.id = d.ledger_transaction_id
            WHERE d.status = 'paid'
        ) AS money
        WHERE grassroots_code <> ''
        GROUP BY association_code, grassroots_code, month""")


def downgrade() -> None:
    op.drop_table("grassroots_months")
