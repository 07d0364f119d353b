"""monthly totals of the funds' accounts, and the indexes a statement reads through

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The funds' own accounts (cash, projects, goods), as the ledger names them.
FUND_ACCOUNTS = "(l.account LIKE 'fund:%' OR l.account LIKE 'project:%' " \
                "OR l.account LIKE 'in_kind:%')"
# The association's local month (China Standard Time) of a UTC posted_at.
LOCAL_MONTH = {
    "postgresql": "CAST(date_trunc('month', t.posted_at AT TIME ZONE 'Asia/Shanghai') AS DATE)",
    "sqlite": "date(t.posted_at, '+8 hours', 'start of month')",
}


def upgrade() -> None:
    op.create_table(
        "account_months",
        sa.Column("association_code", sa.String(length=6), nullable=False),
        sa.Column("account", sa.String(length=60), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("association_code", "account", "month"))
    op.create_index("ix_ledger_transactions_period", "ledger_transactions",
                    ["association_code", "posted_at"])
    op.create_index("ix_ledger_lines_account_transaction", "ledger_lines",
                    ["account", "transaction_id"])
    # The books written before this migration, so their statements stay right.
    month = LOCAL_MONTH[op.get_bind().dialect.name]
    op.execute(f"""
        INSERT INTO account_months (association_code, account, month, amount_fen)
        SELECT t.association_code, l.account, {month}, SUM(l.amount_fen)
        FROM ledger_lines l JOIN ledger_transactions t ON t.id = l.transaction_id
        WHERE {FUND_ACCOUNTS}
        GROUP BY t.association_code, l.account, {month}""")


def downgrade() -> None:
    op.drop_index("ix_ledger_lines_account_transaction", "ledger_lines")
    op.drop_index("ix_ledger_transactions_period", "ledger_transactions")
    op.drop_table("account_months")
