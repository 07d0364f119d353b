"""A fund's statement for a period of local dates, straight from the ledger: its cash,
the money its projects hold included (goods given in kind are not cash). The opening
balance is the month totals before the period's month plus that month's lines before the
period, so it costs the same however long the books are."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, literal_column, select
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
    `offset` on: added up in the database, so a page of a long period is as quick to read
    as a page of a short one."""
    fund = ledger.find_fund(session, association, code)
    accounts = _accounts(session, fund)
    opening = -_sum_before(session, association, accounts, start)
    moved = _moved(session, association, accounts, start_of_local_day(start),
                   start_of_local_day(end + timedelta(days=1)))
    money_in = func.greatest(-moved.c.amount, 0) if _postgres(session) else \
        func.max(-moved.c.amount, 0)
    money_out = func.greatest(moved.c.amount, 0) if _postgres(session) else \
        func.max(moved.c.amount, 0)
    month = _local_month(session)(moved.c.posted_at)
    months = [(label, int(in_), int(out)) for label, in_, out, _ in session.execute(
        select(month, func.sum(money_in), func.sum(money_out), func.count())
        .group_by(month).order_by(month))]
    found = Statement(fund.code, start, end, opening,
                      total_in_fen=sum(m[1] for m in months),
                      total_out_fen=sum(m[2] for m in months),
                      line_count=session.scalar(select(func.count()).select_from(moved)),
                      months=months)
    found.closing_balance_fen = opening + found.total_in_fen - found.total_out_fen
    earlier = select(moved.c.amount).order_by(moved.c.posted_at, moved.c.id).limit(offset) \
        .subquery()
    balance = opening - int(session.scalar(select(func.coalesce(func.sum(earlier.c.amount), 0)))
                            if offset else 0)
    for posted_at, kind, memo, amount, _ in session.execute(
            select(moved).order_by(moved.c.posted_at, moved.c.id).limit(limit).offset(offset)):
        amount = int(amount)
        balance -= amount
        found.lines.append(StatementLine(posted_at, kind, memo, max(-amount, 0),
                                         max(amount, 0), balance))
    return found


def _accounts(session: Session, fund) -> list[str]:
    return [fund_account(fund.code)] + [project_account(fund.code, project) for project in
                                        session.scalars(select(Project.code)
                                                        .where(Project.fund_id == fund.id))]


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _local_month(session: Session):
    """The association's local month ('YYYY-MM') of a moment, in the database's SQL."""
    if _postgres(session):
        return lambda moment: func.to_char(
            func.timezone("Asia/Shanghai", moment), literal_column("'YYYY-MM'"))
    return lambda moment: func.strftime("%Y-%m", moment, "+8 hours")


def _moved(session: Session, association: str, accounts: list[str], begin: datetime,
           stop: datetime):
    """The period's transactions as they moved the fund's cash (those that moved none left
    out), as a subquery: posted_at, kind, memo, amount (debit positive), id."""
    amount = func.sum(LedgerLine.amount_fen)
    return (select(LedgerTransaction.posted_at, LedgerTransaction.kind, LedgerTransaction.memo,
                   amount.label("amount"), LedgerTransaction.id)
            .join(LedgerLine.transaction)
            .where(LedgerTransaction.association_code == association,
                   LedgerLine.account.in_(accounts),
                   LedgerTransaction.posted_at >= begin, LedgerTransaction.posted_at < stop)
            .group_by(LedgerTransaction.id, LedgerTransaction.posted_at,
                      LedgerTransaction.kind, LedgerTransaction.memo)
            .having(amount != 0).subquery())


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
