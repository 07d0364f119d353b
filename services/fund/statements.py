"""A fund's statement for a period of local dates, straight from the ledger: its cash,
the money its projects hold included (goods given in kind are not cash). The opening
balance is the month totals before the period's month plus that month's lines before the
period, so it costs the same however long the books are. A page of a statement reads the
fund's movements and month totals the postings keep (`ledger`), never the period's lines."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from services.fund import ledger
from services.fund.domain import fund_account, project_account
from services.fund.models import (
    AccountMonth,
    FundMonth,
    FundMovement,
    LedgerLine,
    LedgerTransaction,
    Project,
)
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
    # A page of the lines only (statement_page): how many there are, and by month.
    line_count: int | None = None
    months: list[tuple[str, int, int]] | None = None  # ("YYYY-MM", in, out)


def statement(session: Session, association: str, code: str, start: date,
              end: date) -> Statement:
    fund = ledger.find_fund(session, association, code)
    accounts = _accounts(session, fund)
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


def statement_page(session: Session, association: str, code: str, start: date, end: date,
                   limit: int, offset: int) -> Statement:
    """The statement's totals, months and line count, and `limit` of its lines from
    `offset` on. The totals add up the fund's kept month totals (less the movements of the
    period's first and last month outside it), the lines come in order from an index: a
    page of a long period is as quick to read as a page of a short one."""
    fund = ledger.find_fund(session, association, code)
    begin = start_of_local_day(start)
    stop = start_of_local_day(end + timedelta(days=1))
    first, last = start.replace(day=1), end.replace(day=1)
    kept = _kept_months(session, association, fund.code, first, last)
    before = _moved_between(session, association, fund.code, start_of_local_day(first), begin)
    after = _moved_between(session, association, fund.code, stop,
                           start_of_local_day(_next_month(last)))
    kept[first] = kept.get(first, ZERO).less(before)
    kept[last] = kept.get(last, ZERO).less(after)
    months = [(month.strftime("%Y-%m"), moved.money_in, moved.money_out)
              for month, moved in sorted(kept.items()) if moved.count]
    opening = _balance_before_month(session, association, fund.code, first) + before.net
    found = Statement(fund.code, start, end, opening,
                      total_in_fen=sum(m[1] for m in months),
                      total_out_fen=sum(m[2] for m in months),
                      line_count=sum(moved.count for moved in kept.values()), months=months)
    found.closing_balance_fen = opening + found.total_in_fen - found.total_out_fen
    period = _movements(association, fund.code, begin, stop)
    earlier = period.with_only_columns(FundMovement.change_fen).limit(offset).subquery()
    balance = opening + (int(session.scalar(select(func.coalesce(func.sum(
        earlier.c.change_fen), 0)))) if offset else 0)
    for posted_at, change, kind, memo in session.execute(
            period.add_columns(LedgerTransaction.kind, LedgerTransaction.memo)
            .join(FundMovement.transaction).limit(limit).offset(offset)):
        balance += change
        found.lines.append(StatementLine(posted_at, kind, memo, max(change, 0),
                                         max(-change, 0), balance))
    return found


@dataclass(frozen=True)
class Moved:
    """Money in and out of a fund's cash, and how many movements."""
    money_in: int
    money_out: int
    count: int

    @property
    def net(self) -> int:
        return self.money_in - self.money_out

    def less(self, other: "Moved") -> "Moved":
        return Moved(self.money_in - other.money_in, self.money_out - other.money_out,
                     self.count - other.count)


ZERO = Moved(0, 0, 0)


def _next_month(month: date) -> date:
    return (month + timedelta(days=31)).replace(day=1)


def _kept_months(session: Session, association: str, fund_code: str, first: date,
                 last: date) -> dict[date, Moved]:
    return {month: Moved(int(money_in), int(money_out), count)
            for month, money_in, money_out, count in session.execute(
                select(FundMonth.month, FundMonth.in_fen, FundMonth.out_fen,
                       FundMonth.movements)
                .where(FundMonth.association_code == association,
                       FundMonth.fund_code == fund_code,
                       FundMonth.month >= first, FundMonth.month <= last))}


def _balance_before_month(session: Session, association: str, fund_code: str,
                          month: date) -> int:
    return int(session.scalar(
        select(func.coalesce(func.sum(FundMonth.in_fen - FundMonth.out_fen), 0))
        .where(FundMonth.association_code == association, FundMonth.fund_code == fund_code,
               FundMonth.month < month)))


def _movements(association: str, fund_code: str, begin: datetime, stop: datetime):
    """The fund's movements from `begin` up to `stop`, in the statement's order."""
    return (select(FundMovement.posted_at, FundMovement.change_fen)
            .where(FundMovement.association_code == association,
                   FundMovement.fund_code == fund_code,
                   FundMovement.posted_at >= begin, FundMovement.posted_at < stop)
            .order_by(FundMovement.posted_at, FundMovement.transaction_id))


def _moved_between(session: Session, association: str, fund_code: str, begin: datetime,
                   stop: datetime) -> Moved:
    """What moved from `begin` up to `stop` (within one month: at most a month's lines)."""
    if stop <= begin:
        return ZERO
    change = FundMovement.change_fen
    money_in, money_out, count = session.execute(
        select(func.coalesce(func.sum(case((change > 0, change), else_=0)), 0),
               func.coalesce(func.sum(case((change < 0, -change), else_=0)), 0),
               func.count())
        .where(FundMovement.association_code == association,
               FundMovement.fund_code == fund_code,
               FundMovement.posted_at >= begin, FundMovement.posted_at < stop)).one()
    return Moved(int(money_in), int(money_out), count)


def _accounts(session: Session, fund) -> list[str]:
    return [fund_account(fund.code)] + [project_account(fund.code, project) for project in
                                        session.scalars(select(Project.code)
                                                        .where(Project.fund_id == fund.id))]


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
