"""Books written before the fund kept its movements and month totals get both from the
migration that adds them: each transaction's net change to each fund's cash (money moved
between a fund and its project nets out; goods and the shared asset accounts are no fund's
cash), and each local month's money in, out and movements, on both databases."""
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import command

from shared.db import make_engine
from shared.migrate import alembic_config

# transaction id -> (posted at, UTC; its lines)
BOOKS = {
    1: (datetime(2025, 1, 31, 16, 30, tzinfo=UTC),  # 00:30 on 1 February, Beijing time
        [("asset:bank", 10_000), ("fund:GENERAL", -10_000)]),
    2: (datetime(2025, 2, 3, 2, 0, tzinfo=UTC), [("asset:cash", 5_000),
                                                 ("project:EDU:P1", -5_000)]),
    3: (datetime(2025, 2, 4, 2, 0, tzinfo=UTC), [("fund:EDU", 3_000),
                                                 ("project:EDU:P1", -3_000)]),
    4: (datetime(2025, 2, 5, 2, 0, tzinfo=UTC), [("asset:in_kind", 900),
                                                 ("in_kind:GENERAL", -900)]),
    5: (datetime(2025, 3, 1, 2, 0, tzinfo=UTC), [("fund:GENERAL", 4_000),
                                                 ("asset:bank", -4_000)]),
}


def test_the_books_so_far_fill_the_movements_and_months(empty_url):
    config = alembic_config("fund", empty_url)
    command.upgrade(config, "0017")
    engine = make_engine(empty_url)
    tables = sa.MetaData()
    transactions = sa.Table("ledger_transactions", tables, autoload_with=engine)
    lines = sa.Table("ledger_lines", tables, autoload_with=engine)
    with engine.begin() as connection:
        for transaction_id, (posted_at, entry) in BOOKS.items():
            connection.execute(transactions.insert(), {
                "id": transaction_id, "association_code": "341181", "kind": "donation",
                "memo": "", "posted_at": posted_at})
            connection.execute(lines.insert(), [
                {"association_code": "341181", "transaction_id": transaction_id,
                 "account": account, "amount_fen": amount} for account, amount in entry])
    command.upgrade(config, "head")
    with engine.connect() as connection:
        movements = connection.execute(sa.text(
            "SELECT transaction_id, fund_code, change_fen FROM fund_movements "
            "ORDER BY transaction_id")).all()
        months = connection.execute(sa.text(
            "SELECT fund_code, month, in_fen, out_fen, movements FROM fund_months "
            "ORDER BY fund_code, month")).all()
    engine.dispose()
    assert [tuple(row) for row in movements] == [
        (1, "GENERAL", 10_000), (2, "EDU", 5_000), (5, "GENERAL", -4_000)]
    assert [(code, str(month), money_in, money_out, count)
            for code, month, money_in, money_out, count in months] == [
        ("EDU", str(date(2025, 2, 1)), 5_000, 0, 1),
        ("GENERAL", str(date(2025, 2, 1)), 10_000, 0, 1),
        ("GENERAL", str(date(2025, 3, 1)), 0, 4_000, 1)]
