"""A fund's statement for a period of local dates, straight from the ledger: its cash,
the money its projects hold included (goods given in kind are not cash). The opening
balance is the month totals before the period's month plus that month's lines before the
period, so it costs the same however long the books are."""
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.fund import ledger
from services.fund.domain import fund_account, project_account
from services.fund.models import AccountMonth, LedgerLine, LedgerTransaction, Project
from shared.clock import iso, start_of_local_day


def statement(session: Session, association: str, code: str, start: date, end: date) -> dict:
    fund = ledger.find_fund(session, association, code)
    accounts = [fund_account(code)] + [project_account(code, project) for project in
                                       session.scalars(select(Project.code)
                                                       .where(Project.fund_id == fund.id))]
    begin, stop = start_of_local_day(start), start_of_local_day(end + timedelta(days=1))
    # Credit-normal accounts: a fund's balance is minus the sum of its lines.
    opening = -_sum_before(session, association, accounts, start)
    balance, rows, total_in, total_out = opening, [], 0, 0
    for posted_at, kind, memo, amount in _lines(session, association, accounts, begin, stop):
        if not amount:
            continue
        amount = int(amount)  # PostgreSQL sums as a Decimal
        money_in, money_out = max(-amount, 0), max(amount, 0)
        balance += money_in - money_out
        total_in, total_out = total_in + money_in, total_out + money_out
        rows.append({"posted_at": iso(posted_at), "kind": kind, "memo": memo,
                     "in_fen": money_in, "out_fen": money_out, "balance_fen": balance})
    return {"fund_code": fund.code, "from": start.isoformat(), "to": end.isoformat(),
            "opening_balance_fen": opening, "closing_balance_fen": balance,
            "total_in_fen": total_in, "total_out_fen": total_out, "lines": rows}


def _sum_before(session: Session, association: str, accounts: list[str], day: date) -> int:
    month = day.replace(day=1)
    months = session.scalar(select(func.coalesce(func.sum(AccountMonth.amount_fen), 0)).where(
        AccountMonth.association_code == association, AccountMonth.account.in_(accounts),
        AccountMonth.month < month))
    lines = session.scalar(select(func.coalesce(func.sum(LedgerLine.amount_fen), 0))
                           .join(LedgerLine.transaction)
                           .where(LedgerTransaction.association_code == association,
                                  LedgerLine.account.in_(accounts),
                                  LedgerTransaction.posted_at >= start_of_local_day(month),
                                  LedgerTransaction.posted_at < start_of_local_day(day)))
    return int(months) + int(lines)


def _lines(session: Session, association: str, accounts: list[str], begin: datetime,
           stop: datetime):
    """One line per transaction: money moved between the fund and its projects nets out."""
    return session.execute(
        select(LedgerTransaction.posted_at, LedgerTransaction.kind, LedgerTransaction.memo,
               func.sum(LedgerLine.amount_fen))
        .join(LedgerLine.transaction)
        .where(LedgerTransaction.association_code == association,
               LedgerLine.account.in_(accounts),
               LedgerTransaction.posted_at >= begin, LedgerTransaction.posted_at < stop)
        # Grouped in the order the lines are wanted: one sort serves both.
        .group_by(LedgerTransaction.posted_at, LedgerTransaction.id, LedgerTransaction.kind,
                  LedgerTransaction.memo)
        .order_by(LedgerTransaction.posted_at, LedgerTransaction.id))
