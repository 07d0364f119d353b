"""Donations and disbursements recorded before the fund kept money by grassroots
association and month get their totals from the migration that adds them: a money
donation in the local month it was recorded, its refund in the month the refund was
posted, a payout in the month it was paid; goods, and payouts not paid, count for nothing.
On both databases."""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from shared.db import make_engine
from shared.migrate import alembic_config

COUNTY = "341181"
VILLAGE = "341181100001"
FEB_1 = datetime(2025, 1, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 February, Beijing time
MAR = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
# transaction id -> posted at (UTC)
POSTED = {1: FEB_1, 2: FEB_1, 3: FEB_1, 4: MAR, 5: MAR}
# (id, grassroots code, channel, amount, its transaction, its refund's)
DONATIONS = [(1, VILLAGE, "bank", 5_000, 1, None), (2, COUNTY, "in_kind", 900, 2, None),
             (3, VILLAGE, "cash", 300, 3, 4)]
# (id, grassroots code, status, amount, its transaction)
DISBURSEMENTS = [(1, VILLAGE, "paid", 1_000, 5), (2, VILLAGE, "requested", 70, None)]


def test_the_donations_and_payouts_so_far_fill_the_grassroots_months(empty_url):
    config = alembic_config("fund", empty_url)
    command.upgrade(config, "0018")
    engine = make_engine(empty_url)
    with engine.begin() as connection:
        _write_books(connection)
    command.upgrade(config, "head")
    with engine.connect() as connection:
        months = connection.execute(sa.text(
            "SELECT grassroots_code, month, donated_fen, refunded_fen, spent_fen "
            "FROM grassroots_months ORDER BY grassroots_code, month")).all()
    engine.dispose()
    assert [(code, str(month), donated, refunded, spent)
            for code, month, donated, refunded, spent in months] == [
        (VILLAGE, "2025-02-01", 5_300, 0, 0), (VILLAGE, "2025-03-01", 0, 300, 1_000)]


def _write_books(connection) -> None:
    tables = sa.MetaData()
    table = {name: sa.Table(name, tables, autoload_with=connection) for name in (
        "funds", "donors", "ledger_transactions", "donations", "disbursements")}
    connection.execute(table["funds"].insert(), {
        "id": 1, "association_code": COUNTY, "code": "GENERAL", "name": "general",
        "balance_fen": 0, "in_kind_fen": 0, "restricted": False, "allowed_categories": []})
    connection.execute(table["donors"].insert(), {
        "id": 1, "association_code": COUNTY, "kind": "person", "name": "donor"})
    connection.execute(table["ledger_transactions"].insert(), [
        {"id": n, "association_code": COUNTY, "kind": "donation", "memo": "", "posted_at": at}
        for n, at in POSTED.items()])
    connection.execute(table["donations"].insert(), [
        {"id": n, "association_code": COUNTY, "receipt_no": f"R{n}", "fund_id": 1,
         "donor_id": 1, "amount_fen": amount, "channel": channel, "anonymous": False,
         "status": "refunded" if refund else "recorded", "recorded_by": "staff1",
         "grassroots_code": code, "ledger_transaction_id": posted,
         "refund_transaction_id": refund, "recorded_at": POSTED[posted]}
        for n, code, channel, amount, posted, refund in DONATIONS])
    connection.execute(table["disbursements"].insert(), [
        {"id": n, "association_code": COUNTY, "fund_id": 1, "amount_fen": amount,
         "purpose": "help", "payee_name": "payee", "grassroots_code": code, "status": status,
         "requested_by": "staff1", "ledger_transaction_id": posted, "requested_at": FEB_1}
        for n, code, status, amount, posted in DISBURSEMENTS])
