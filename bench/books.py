"""Large books on PostgreSQL: a year's statement and a balance read over 1 000 000 lines.

    .venv/bin/python -m bench.books [--lines 1000000]

Builds a throwaway schema with the fund's Alembic history up to the revision before the
month totals, writes the books straight in SQL (ten funds over five years, GENERAL taking
half the transactions; one disbursement in ten), upgrades to head (which fills the month
totals from those lines), then times the fund service's statement use case for GENERAL's
last year (about 50 000 statement lines), its answer shaped as the RPC sends it, the same
unshaped, another fund's (about 5 500 lines), and a balance read. `measure()` gives
the figures to `python -m bench`."""
import argparse
import os
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import date

from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from services.fund import ledger, statements
from services.fund.views import fund_view, statement_view
from shared.db import make_engine
from shared.migrate import alembic_config

POSTGRES = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
ASSOCIATION = "341181"
FUNDS = 10
YEARS = (2021, 2025)
BEFORE_MONTH_TOTALS = "0006"
TIMES = 5

FILL = """
INSERT INTO funds (id, association_code, code, name, restricted, balance_fen, in_kind_fen,
                   allowed_categories)
SELECT f, :association, CASE WHEN f = 0 THEN 'GENERAL' ELSE 'F' || f END, 'fund ' || f,
       false, 0, 0, '[]'
FROM generate_series(0, :funds - 1) AS f;

-- Every other transaction is GENERAL's; the rest go round the other funds.
INSERT INTO ledger_transactions (id, association_code, kind, memo, posted_at)
SELECT i, :association, CASE WHEN i % 10 = 0 THEN 'disbursement' ELSE 'donation' END,
       'book ' || i,
       timestamptz '2021-01-01 00:00+08' + (i * (interval '1826 days' / :transactions))
FROM generate_series(1, :transactions) AS i;

INSERT INTO ledger_lines (id, transaction_id, account, amount_fen)
SELECT 2 * i - 1 + side, i,
       CASE WHEN side = 0 THEN 'asset:bank'
            WHEN i % 2 = 0 THEN 'fund:GENERAL'
            ELSE 'fund:F' || (1 + (i / 2) % (:funds - 1)) END,
       (CASE WHEN i % 10 = 0 THEN -5000 ELSE 10000 END) * (1 - 2 * side)
FROM generate_series(1, :transactions) AS i, generate_series(0, 1) AS side;

UPDATE funds SET balance_fen = -(SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_lines
                                 WHERE account = 'fund:' || funds.code);
SELECT setval(pg_get_serial_sequence('funds', 'id'), :funds);
SELECT setval(pg_get_serial_sequence('ledger_transactions', 'id'), :transactions);
SELECT setval(pg_get_serial_sequence('ledger_lines', 'id'), 2 * :transactions);
"""


@contextmanager
def throwaway_schema():
    schema = f"bench_books_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def load_books(url: str, lines: int) -> dict:
    """The books, written in SQL; seconds to write them and to migrate them to head."""
    command.upgrade(alembic_config("fund", url), BEFORE_MONTH_TOTALS)
    engine = make_engine(url)
    started = time.monotonic()
    with engine.begin() as connection:
        for statement in FILL.split(";\n"):
            if statement.strip():
                connection.execute(text(statement), {
                    "association": ASSOCIATION, "funds": FUNDS, "transactions": lines // 2})
    loaded = time.monotonic()
    command.upgrade(alembic_config("fund", url), "head")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return {"books_load_s": loaded - started, "books_migrate_s": time.monotonic() - loaded}


def a_year(session: Session, code: str = "GENERAL", shape: bool = True):
    """A fund's statement for the last year, as the fund service answers it (`shape`: through
    its view, as the RPC does; else the use case's Statement)."""
    answer = statements.statement(session, ASSOCIATION, code, date(YEARS[1], 1, 1),
                                  date(YEARS[1], 12, 31))
    return statement_view(answer) if shape else answer


def timed(work, times: int) -> tuple[float, object]:
    """The median of `times` runs (the first warms the caches), and the last answer."""
    seconds = []
    answer = None
    for _ in range(times):
        started = time.perf_counter()
        answer = work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), answer


def measure(lines: int = 1_000_000) -> dict:
    with throwaway_schema() as url:
        figures = load_books(url, lines)
        engine = make_engine(url)
        with Session(engine) as session:
            year_s, year = timed(lambda: a_year(session), TIMES)
            unshaped_s, _ = timed(lambda: a_year(session, shape=False), TIMES)
            other_s, other = timed(lambda: a_year(session, "F1"), TIMES)
            read_s, _ = timed(lambda: fund_view(ledger.find_fund(session, ASSOCIATION,
                                                                 "GENERAL")), 100)
        engine.dispose()
    return {"statement_1m_lines_s": year_s, "balance_read_ms": read_s * 1000,
            "statement_unshaped_s": unshaped_s, "statement_other_fund_s": other_s,
            "other_fund_lines": len(other["lines"]),
            "books_lines": lines, "statement_lines": len(year["lines"]),
            "statement_opening_fen": year["opening_balance_fen"], **figures}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    figures = measure(args.lines)
    for name, value in figures.items():
        print(f"{name:<24}{value:>14.3f}" if isinstance(value, float) else
              f"{name:<24}{value:>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
