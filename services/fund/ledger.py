"""Posting balanced entries against locked fund rows, and numbering receipts."""
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from services.fund.domain import (
    LedgerEntry,
    cash_changes,
    is_fund_account,
    new_balance,
    new_in_kind,
    new_project_balance,
    receipt_no,
)
from services.fund.models import (
    AccountMonth,
    Fund,
    FundMonth,
    FundMovement,
    GrassrootsMonth,
    LedgerLine,
    LedgerTransaction,
    Project,
    ReceiptSeries,
)
from shared import rows
from shared.clock import local_date, now_utc
from shared.db import per_dialect
from shared.errors import InvalidInput, NotFound
from shared.paging import Page


def find_fund(session: Session, association: str, code: str, lock: bool = False) -> Fund:
    query = select(Fund).where(Fund.association_code == association, Fund.code == code)
    # Row lock: concurrent payments from one fund queue here, so none overdraws it.
    fund = session.scalars(rows.locked(query, lock)).one_or_none()
    if fund is None:
        raise _no_fund(code)
    return fund


def _no_fund(code: str) -> NotFound:
    return NotFound(f"No fund {code}.", "fund_not_found", {"fund_code": ["No such fund."]})


def _as_input(missing: NotFound) -> InvalidInput:
    return InvalidInput(missing.message, "unknown_fund", missing.fields)


def fund_for_input(session: Session, association: str, code: str) -> Fund:
    """A fund named in a request body: unknown is bad input (422), not a missing page."""
    try:
        return find_fund(session, association, code, lock=True)
    except NotFound as missing:
        raise _as_input(missing) from None


def funds_for_input(session: Session, association: str,
                    codes: set[str]) -> dict[str, Fund | InvalidInput]:
    """The funds a batch names, locked in one query (in code order, as every batch locks
    them, so two batches never wait on each other); an unknown code maps to its error."""
    found = {fund.code: fund for fund in session.scalars(rows.locked(
        select(Fund).where(Fund.association_code == association, Fund.code.in_(codes))
        .order_by(Fund.code)))}
    return {code: found.get(code) or _as_input(_no_fund(code)) for code in codes}


@dataclass(frozen=True)
class Posting:
    """A balanced entry against a fund (and one of its projects), with its memo, and the
    grassroots association a donation, its refund or a payout counts for."""
    fund: Fund
    entry: LedgerEntry
    memo: str
    project: Project | None = None
    grassroots_code: str | None = None


def post(session: Session, association: str, posting: Posting) -> LedgerTransaction:
    """Post a balanced entry; the fund (and project) rows must be locked by the caller."""
    [transaction_id] = post_many(session, association, [posting])
    return session.get(LedgerTransaction, transaction_id)


_NEW_TRANSACTIONS = insert(LedgerTransaction.__table__).returning(
    LedgerTransaction.__table__.c.id, sort_by_parameter_order=True)
_NEW_LINES = insert(LedgerLine.__table__)


def post_many(session: Session, association: str, postings: list[Posting]) -> list[int]:
    """Post entries in order, with one statement per table (on PostgreSQL, one entry's
    lines and month totals in one); the funds' (and projects') rows must be locked by the
    caller. Their transactions' ids."""
    now = now_utc()
    for posting in postings:
        _change_balances(posting.fund, posting.project, posting.entry)
    connection = session.connection()  # plain inserts: no ORM object is wanted back
    ids = list(connection.execute(_NEW_TRANSACTIONS, [
        {"association_code": association, "kind": posting.entry.kind,
         "memo": posting.memo[:200], "posted_at": now} for posting in postings]).scalars())
    lines = [{"association_code": association, "transaction_id": transaction_id,
              "account": account, "amount_fen": amount}
             for transaction_id, posting in zip(ids, postings, strict=True)
             for account, amount in posting.entry.lines]
    month = local_date(now).replace(day=1)
    months = _month_changes(association, month, [posting.entry for posting in postings])
    movements = _movements(association, now, [
        (transaction_id, posting.entry) for transaction_id, posting in zip(ids, postings,
                                                                            strict=True)])
    fund_months = _fund_month_changes(association, month, movements)
    grassroots = _grassroots_month_changes(association, month, postings)
    if connection.dialect.name == "postgresql" and len(postings) == 1:
        # One round trip: the month totals and the statement's rows are written in CTEs of
        # the lines' insert. A batch (an import) keeps SQLAlchemy's batched inserts,
        # cheaper to build for many rows.
        statement = insert(LedgerLine.__table__).values(lines)
        if months:
            statement = statement.add_cte(_add_to_months(session).values(months).cte("months"))
        if movements:
            statement = statement.add_cte(
                insert(FundMovement.__table__).values(movements).cte("movements")).add_cte(
                _add_to_fund_months(session).values(fund_months).cte("fund_months"))
        if grassroots:
            statement = statement.add_cte(
                _add_to_grassroots_months(session).values(grassroots).cte("grassroots_months"))
        connection.execute(statement)
    else:  # SQLite has no INSERT in a WITH
        connection.execute(_NEW_LINES, lines)
        if months:
            connection.execute(_add_to_months(session), months)
        if movements:
            connection.execute(_NEW_MOVEMENTS, movements)
            connection.execute(_add_to_fund_months(session), fund_months)
        if grassroots:
            connection.execute(_add_to_grassroots_months(session), grassroots)
    return ids


def _change_balances(fund: Fund, project: Project | None, entry: LedgerEntry) -> None:
    fund.balance_fen = new_balance(fund.code, fund.balance_fen, entry)
    fund.in_kind_fen = new_in_kind(fund.code, fund.in_kind_fen, entry)
    if project is not None:
        project.balance_fen = new_project_balance(fund.code, project.code, project.balance_fen,
                                                  entry)


def _month_changes(association: str, month: date, entries: list[LedgerEntry]) -> list[dict]:
    """What the entries' lines add to their accounts' month totals, as rows of one atomic
    upsert (`amount = amount + x`), so concurrent postings never lose one another's. The
    shared asset accounts are left out: statements never read them, and their rows would
    make every posting in the association wait on every other."""
    change = Counter()
    for entry in entries:
        for account, amount in entry.lines:
            if is_fund_account(account):
                change[account] += amount
    # in account order: two postings never wait on each other
    return [{"association_code": association, "account": account, "month": month,
             "amount_fen": amount} for account, amount in sorted(change.items())]


@per_dialect
def _add_to_months(dialect):
    upsert = dialect.insert(AccountMonth.__table__)
    return upsert.on_conflict_do_update(
        index_elements=["association_code", "account", "month"],
        set_={"amount_fen": upsert.table.c.amount_fen + upsert.excluded.amount_fen})


def _movements(association: str, now: datetime,
               posted: list[tuple[int, LedgerEntry]]) -> list[dict]:
    """Each transaction's change to each fund's cash: the statement's lines."""
    return [{"association_code": association, "fund_code": code,
             "transaction_id": transaction_id, "posted_at": now, "change_fen": change}
            for transaction_id, entry in posted
            for code, change in cash_changes(entry).items()]


def _fund_month_changes(association: str, month: date, movements: list[dict]) -> list[dict]:
    """The month's money in and out of each fund the movements touch, to add to what is
    kept (one atomic upsert, as `_add_to_months`)."""
    months: dict[str, list[int]] = {}
    for movement in movements:
        change = movement["change_fen"]
        totals = months.setdefault(movement["fund_code"], [0, 0, 0])
        totals[0] += max(change, 0)
        totals[1] += max(-change, 0)
        totals[2] += 1
    return [{"association_code": association, "fund_code": code, "month": month,
             "in_fen": money_in, "out_fen": money_out, "movements": count}
            for code, (money_in, money_out, count) in sorted(months.items())]


_NEW_MOVEMENTS = insert(FundMovement.__table__)


@per_dialect
def _add_to_fund_months(dialect):
    upsert = dialect.insert(FundMonth.__table__)
    kept = upsert.table.c
    return upsert.on_conflict_do_update(
        index_elements=["association_code", "fund_code", "month"],
        set_={"in_fen": kept.in_fen + upsert.excluded.in_fen,
              "out_fen": kept.out_fen + upsert.excluded.out_fen,
              "movements": kept.movements + upsert.excluded.movements})


# The month's column a posting's cash counts in, by its entry's kind; goods given in kind
# (and their refunds) move no cash and count for nothing.
_GRASSROOTS_COLUMNS = {"donation": "donated_fen", "refund": "refunded_fen",
                       "disbursement": "spent_fen"}


def _grassroots_month_changes(association: str, month: date,
                              postings: list[Posting]) -> list[dict]:
    """What the postings add to their grassroots associations' month totals (one atomic
    upsert, as `_add_to_months`), in code order."""
    months: dict[str, Counter] = {}
    for posting in postings:
        column = _GRASSROOTS_COLUMNS.get(posting.entry.kind)
        money = abs(sum(cash_changes(posting.entry).values()))
        if column and posting.grassroots_code and money:
            months.setdefault(posting.grassroots_code, Counter())[column] += money
    return [{"association_code": association, "grassroots_code": code, "month": month,
             **{column: kept[column] for column in _GRASSROOTS_COLUMNS.values()}}
            for code, kept in sorted(months.items())]


@per_dialect
def _add_to_grassroots_months(dialect):
    upsert = dialect.insert(GrassrootsMonth.__table__)
    return upsert.on_conflict_do_update(
        index_elements=["association_code", "grassroots_code", "month"],
        set_={column: upsert.table.c[column] + upsert.excluded[column]
              for column in _GRASSROOTS_COLUMNS.values()})


def entry_of(transaction: LedgerTransaction) -> LedgerEntry:
    return LedgerEntry(transaction.kind, [(line.account, line.amount_fen)
                                          for line in transaction.lines])


def next_receipt_nos(session: Session, association: str, year: int, count: int) -> list[str]:
    """Gap-free: the counter row is bumped (and so locked) in the donations' own
    transaction, so rolled-back donations give their numbers back. One upsert, which opens
    the year's series on its first donation."""
    last = session.connection().execute(_bump_series(session), {
        "association_code": association, "year": year, "last_no": count}).scalar_one()
    return [receipt_no(association, year, n) for n in range(last - count + 1, last + 1)]


@per_dialect
def _bump_series(dialect):
    bump = dialect.insert(ReceiptSeries.__table__)
    return bump.on_conflict_do_update(
        index_elements=["association_code", "year"],
        set_={"last_no": bump.table.c.last_no + bump.excluded.last_no}
    ).returning(bump.table.c.last_no)


def listing(session: Session, association: str, cut: dict) -> Page[Fund]:
    query = select(Fund).where(Fund.association_code == association)
    return rows.page(session, query, [Fund.code], cut)


def ensure_fund(session: Session, association: str, details: dict) -> Fund:
    """The association's fund with the code `details` names, opened empty if new."""
    fund = session.scalars(select(Fund).where(
        Fund.association_code == association, Fund.code == details["code"])).one_or_none()
    if fund is None:
        fund = Fund(association_code=association, balance_fen=0, in_kind_fen=0, **details)
        session.add(fund)
    return fund


def find_project(session: Session, fund: Fund, code: str, lock: bool = False) -> Project:
    query = select(Project).where(Project.fund_id == fund.id, Project.code == code)
    project = session.scalars(rows.locked(query, lock)).one_or_none()
    if project is None:
        raise InvalidInput(f"Fund {fund.code} has no project {code}.", "unknown_project",
                           {"project_code": ["No such project in this fund."]})
    return project


def project_for_input(session: Session, fund: Fund, code: str | None) -> Project | None:
    """The project a request names, locked (fund first, then project, everywhere)."""
    return find_project(session, fund, code, lock=True) if code else None


def held_by_projects(session: Session, fund: Fund) -> int:
    return session.scalar(select(func.coalesce(func.sum(Project.balance_fen), 0))
                          .where(Project.fund_id == fund.id))
