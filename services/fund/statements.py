"""A fund's statement for a period of local dates, straight from the ledger: its cash,
the money its projects hold included (goods given in kind are not cash). The opening
balance is the month totals before the period's month plus that month's lines before the
period, so it costs the same however long the books are."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.fund import ledger
from services.fund.domain import fund_account, project_account
from services.fund.models import AccountMonth, LedgerLine, LedgerTransaction, Project
from shared.clock import start_of_local_day


@dataclass(frozen=True)
class StatementLine:
    """One transaction of the period as it moved the fund's cash."""
    posted_at: datetime
    kind: str
    memo: str
    in_fen: int
    out_fen: int
    balance_fen: int  # after it


@dataclass
class Statement:
    fund_code: str
    start: date
    end: date
    opening_balance_fen: int
    closing_balance_fen: int = 0
    total_in_fen: int = 0
    total_out_fen: int = 0
    lines: list[StatementLine] = field(default_factory=list)


def statement(session: Session, association: str, code: str, start: date,
              end: date) -> Statement:
    fund = ledger.find_fund(session, association, code)
    accounts = [fund_account(code)] + [project_account(code, project) for project in
                                       session.scalars(select(Project.code)
                                                       .where(Project.fund_id == fund.id))]
    begin = start_of_local_day(start)
    stop = start_of_local_day(end + timedelta(days=1))
    # Credit-normal accounts: a fund's balance is minus the sum of its lines.
    opening = -_sum_before(session, association, accounts, start)
    found = Statement(fund.code, start, end, opening, closing_balance_fen=opening)
    for posted_at, kind, memo, amount in _lines(session, association, accounts, begin, stop):
        if not amount:
            continue
        amount = int(amount)  # PostgreSQL sums as a Decimal
        money_in = max(-amount, 0)
        money_out = max(amount, 0)
        found.closing_balance_fen += money_in - money_out
        found.total_in_fen += money_in
        found.total_out_fen += money_out
        found.lines.append(StatementLine(posted_at, kind, memo, money_in, money_out,
                                         found.closing_balance_fen))
    return found


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
