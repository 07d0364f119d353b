"""A statement's opening balance and lines across month boundaries (local months: a gift at
00:10 on the 1st, Beijing time, is still the month before in UTC), against the ledger's own
lines, on both databases. The clock the ledger posts with is set for each gift."""
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from services.fund import donations, ledger
from services.fund.models import AccountMonth, LedgerLine, LedgerTransaction
from shared.clock import LOCAL, start_of_local_day
from tests.support import STAFF1, STAFF2

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
