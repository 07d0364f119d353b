"""each fund's movements and their month totals, kept as postings happen

A statement reads a page of its lines from an index over `fund_movements` (what each
transaction did to a fund's cash) and adds its totals up over `fund_months` (money in, out
and movements per local month), never over every line of its period. Both are filled here
from the ledger written so far.

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# The fund whose cash an account holds: 'fund:CODE' or 'project:CODE:PROJECT'.
FUND_CODE = {
    "postgresql": "split_part(l.account, ':', 2)",
    "sqlite": "CASE WHEN l.account LIKE 'fund:%' THEN substr(l.account, 6) "
              "ELSE substr(l.account, 9, instr(substr(l.account, 9), ':') - 1) END",
}
# The association's local month (China Standard Time) of a UTC posted_at.
LOCAL_MONTH = {
    "postgresql": "CAST(date_trunc('month', posted_at AT TIME ZONE 'Asia/Shanghai') AS DATE)",
    "sqlite": "date(posted_at, '+8 hours', 'start of month')",
}


def upgrade() -> None:
    op.create_table(
        "fund_movements",
        sa.Column("transaction_id", sa.Integer(), sa.ForeignKey("ledger_transactions.id"),
                  nullable=False),
        sa.Column("fund_code", sa.String(length=40), nullable=False),
        sa.Column("association_code", sa.String(length=6), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("transaction_id", "fund_code"))
    op.create_table(
        "fund_months",
        sa.Column("association_code", sa.String(length=6), nullable=False),
        sa.Column("fund_code", sa.String(length=40), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("in_fen", sa.BigInteger(), nullable=False),
        sa.Column("out_fen", sa.BigInteger(), nullable=False),
        sa.Column("movements", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("association_code", "fund_code", "month"))
    dialect = op.get_bind().dialect.name
    code = FUND_CODE[dialect]
    op.execute(f"""
        INSERT INTO fund_movements (transaction_id, fund_code, association_code, posted_at,
                                    change_fen)
        SELECT t.id, {code}, t.association_code, t.posted_at, -SUM(l.amount_fen)
        FROM ledger_lines l JOIN ledger_transactions t ON t.id = l.transaction_id
        WHERE l.account LIKE 'fund:%' OR l.account LIKE 'project:%'
        GROUP BY t.id, {code}, t.association_code, t.posted_at
        HAVING SUM(l.amount_fen) <> 0""")
    month = LOCAL_MONTH[dialect]
    op.execute(f"""
        INSERT INTO fund_months (association_code, fund_code, month, in_fen, out_fen,
                                 movements)
        SELECT association_code, fund_code, {month},
               SUM(CASE WHEN change_fen > 0 THEN change_fen ELSE 0 END),
               SUM(CASE WHEN change_fen < 0 THEN -change_fen ELSE 0 END), COUNT(*)
        FROM fund_movements GROUP BY association_code, fund_code, {month}""")
    # After the fill: one index build instead of an insert into it per row.
    op.create_index("ix_fund_movements_statement", "fund_movements",
                    ["association_code", "fund_code", "posted_at", "transaction_id"],
                    postgresql_include=["change_fen"])


def downgrade() -> None:
    op.drop_index("ix_fund_movements_statement", table_name="fund_movements")
    op.drop_table("fund_months")
    op.drop_table("fund_movements")
