"""A statement's opening balance and lines across month boundaries (local months: a gift at
00:10 on the 1st, Beijing time, is still the month before in UTC), against the ledger's own
lines, on both databases. The clock the ledger posts with is set for each gift."""
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from services.fund import donations, ledger
from services.fund.domain import cash_fund_of
from services.fund.models import (
    AccountMonth,
    FundMonth,
    FundMovement,
    LedgerLine,
    LedgerTransaction,
)
from shared.clock import LOCAL, local_date, start_of_local_day
from tests.support import ADMIN, STAFF1, STAFF2

GIFTS = [(datetime(2025, 1, 31, 23, 30), 10_000), (datetime(2025, 2, 1, 0, 10), 20_000),
         (datetime(2025, 2, 15, 12, 0), 30_000)]
REFUNDED_ON = datetime(2025, 3, 2, 9, 0)


def at(monkeypatch, local: datetime) -> None:
    moment = local.replace(tzinfo=LOCAL).astimezone(UTC)  # as now_utc() gives it
    for module in (ledger, donations):
        monkeypatch.setattr(module, "now_utc", lambda: moment)


def give(fund, monkeypatch) -> None:
    fund.ensure_fund()
    given = []
    for moment, amount in GIFTS:
        at(monkeypatch, moment)
        given.append(fund.rpc.record_donation({
            "fund_code": "GENERAL", "amount_fen": amount, "channel": "bank",
            "donor": {"kind": "person", "name": "张三"}}, None, STAFF1))
    at(monkeypatch, REFUNDED_ON)
    fund.rpc.refund_donation(given[2]["id"], {"reason": "退回"}, STAFF2)


def ledger_before(fund, day: date) -> int:
    """The fund's cash before `day`, summed from every line."""
    with fund.session() as session:
        return -int(session.scalar(select(func.coalesce(func.sum(LedgerLine.amount_fen), 0))
                                   .join(LedgerLine.transaction)
                                   .where(LedgerLine.account == "fund:GENERAL",
                                          LedgerTransaction.posted_at < start_of_local_day(day))))


def test_opening_balances_and_lines_agree_with_the_ledger_across_months(fund, monkeypatch):
    give(fund, monkeypatch)
    february = fund.rpc.statement("GENERAL", {"from": "2025-02-01", "to": "2025-02-28"}, STAFF1)
    assert february["opening_balance_fen"] == 10_000 == ledger_before(fund, date(2025, 2, 1))
    assert [(line["in_fen"], line["out_fen"]) for line in february["lines"]] == [
        (20_000, 0), (30_000, 0)]
    assert february["lines"][0]["posted_at"].startswith("2025-02-01T00:10")
    assert february["closing_balance_fen"] == 60_000 == ledger_before(fund, date(2025, 3, 1))

    middle = fund.rpc.statement("GENERAL", {"from": "2025-02-10", "to": "2025-03-31"}, STAFF1)
    assert middle["opening_balance_fen"] == 30_000 == ledger_before(fund, date(2025, 2, 10))
    assert [(line["kind"], line["in_fen"], line["out_fen"]) for line in middle["lines"]] == [
        ("donation", 30_000, 0), ("refund", 0, 30_000)]
    assert middle["closing_balance_fen"] == 30_000 == ledger_before(fund, date(2025, 4, 1))
    assert fund.rpc.get_fund("GENERAL", STAFF1)["balance_fen"] == 30_000

    with fund.session() as session:
        months = session.execute(select(AccountMonth.month, AccountMonth.amount_fen)
                                 .where(AccountMonth.account == "fund:GENERAL")
                                 .order_by(AccountMonth.month)).all()
    assert [(month, int(amount)) for month, amount in months] == [
        (date(2025, 1, 1), -10_000), (date(2025, 2, 1), -50_000), (date(2025, 3, 1), 30_000)]


def test_a_page_of_a_statement_agrees_with_the_whole(fund, monkeypatch):
    """A page (limit/offset) has the whole period's totals, its local months and line
    count, and the lines of the whole statement at its place, running balances and all."""
    give(fund, monkeypatch)
    period = {"from": "2025-01-01", "to": "2025-03-31"}
    whole = fund.rpc.statement("GENERAL", period, STAFF1)
    assert "months" not in whole and "line_count" not in whole
    pages = [fund.rpc.statement("GENERAL", {**period, "limit": "2", "offset": str(offset)},
                                STAFF1) for offset in (0, 2)]
    for page in pages:
        for key in ("opening_balance_fen", "closing_balance_fen", "total_in_fen",
                    "total_out_fen"):
            assert page[key] == whole[key]
        assert page["line_count"] == len(whole["lines"]) == 4
        # 23:30 on 31 January, Beijing time, is January's; the refund is March's.
        assert page["months"] == [{"month": "2025-01", "in_fen": 10_000, "out_fen": 0},
                                  {"month": "2025-02", "in_fen": 50_000, "out_fen": 0},
                                  {"month": "2025-03", "in_fen": 0, "out_fen": 30_000}]
    assert pages[0]["lines"] + pages[1]["lines"] == whole["lines"]


def test_kept_movements_and_month_totals_are_the_lines_added_up(fund, monkeypatch):
    """Gifts to a fund and to its project, in kind, a refund and a payout across months:
    each transaction's kept change to each fund's cash, and each month's money in, out and
    movements, are what the ledger's lines add up to."""
    give(fund, monkeypatch)
    fund.ensure_fund("EDU")
    fund.rpc.create_project("EDU", {"code": "P1", "name": "助学", "purpose": "助学",
                                    "budget_fen": None}, ADMIN)
    at(monkeypatch, datetime(2025, 3, 31, 23, 50))
    for body in ({"fund_code": "EDU", "project_code": "P1", "amount_fen": 7_000},
                 {"fund_code": "EDU", "amount_fen": 5_000},
                 {"fund_code": "GENERAL", "amount_fen": 900, "channel": "in_kind",
                  "description": "大米"}):
        fund.rpc.record_donation({"channel": "bank", **body, "donor": {
            "kind": "person", "name": "李四"}}, None, STAFF1)
    at(monkeypatch, datetime(2025, 4, 1, 8, 0))
    asked = fund.rpc.request_disbursement({
        "fund_code": "EDU", "project_code": "P1", "amount_fen": 2_000,
        "category": "poverty_relief", "purpose": "慰问", "payee": {"name": "王五"}}, STAFF1)
    assert fund.rpc.approve_disbursement(asked["id"], STAFF2)["status"] == "paid"

    with fund.session() as session:
        changes, posted = {}, {}
        for transaction_id, at_, account, amount in session.execute(
                select(LedgerTransaction.id, LedgerTransaction.posted_at, LedgerLine.account,
                       LedgerLine.amount_fen).join(LedgerLine.transaction)):
            if (code := cash_fund_of(account)) is not None:
                changes[transaction_id, code] = changes.get((transaction_id, code), 0) - amount
                posted[transaction_id] = at_
        kept = {(m.transaction_id, m.fund_code): (m.change_fen, m.posted_at)
                for m in session.scalars(select(FundMovement))}
        months = {(m.fund_code, m.month): (m.in_fen, m.out_fen, m.movements)
                  for m in session.scalars(select(FundMonth))}
    assert kept == {key: (change, posted[key[0]]) for key, change in changes.items() if change}
    added = {}
    for (transaction_id, code), change in changes.items():
        month = (code, local_date(posted[transaction_id]).replace(day=1))
        money_in, money_out, count = added.get(month, (0, 0, 0))
        added[month] = (money_in + max(change, 0), money_out + max(-change, 0), count + 1)
    assert months == added
    # 23:50 on 31 March, Beijing time, is March's; the refund was posted in March too.
    assert months["EDU", date(2025, 3, 1)] == (12_000, 0, 2)
    assert months["EDU", date(2025, 4, 1)] == (0, 2_000, 1)
    assert months["GENERAL", date(2025, 3, 1)] == (0, 30_000, 1)
