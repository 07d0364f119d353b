"""Posting balanced entries against locked fund rows, and numbering receipts."""
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.fund.domain import (
    LedgerEntry,
    new_balance,
    new_in_kind,
    new_project_balance,
    receipt_no,
)
from services.fund.models import Fund, LedgerLine, LedgerTransaction, Project, ReceiptSeries
from services.fund.views import fund_view
from shared import rows
from shared.clock import now_utc
from shared.errors import InvalidInput, NotFound


def find_fund(session: Session, association: str, code: str, lock: bool = False) -> Fund:
    query = select(Fund).where(Fund.association_code == association, Fund.code == code)
    # Row lock: concurrent payments from one fund queue here, so none overdraws it.
    fund = session.scalars(rows.locked(query, lock)).one_or_none()
    if fund is None:
        raise NotFound(f"No fund {code}.", "fund_not_found", {"fund_code": ["No such fund."]})
    return fund


def fund_for_input(session: Session, association: str, code: str) -> Fund:
    """A fund named in a request body: unknown is bad input (422), not a missing page."""
    try:
        return find_fund(session, association, code, lock=True)
    except NotFound as exc:
        raise InvalidInput(exc.message, "unknown_fund", exc.fields) from None


def post(session: Session, association: str, fund: Fund, entry: LedgerEntry,
         memo: str, project: Project | None = None) -> LedgerTransaction:
    """Post a balanced entry; the fund (and project) rows must be locked by the caller."""
    fund.balance_fen = new_balance(fund.code, fund.balance_fen, entry)
    fund.in_kind_fen = new_in_kind(fund.code, fund.in_kind_fen, entry)
    if project is not None:
        project.balance_fen = new_project_balance(fund.code, project.code, project.balance_fen,
                                                  entry)
    transaction = LedgerTransaction(
        association_code=association, kind=entry.kind, memo=memo[:200], posted_at=now_utc(),
        lines=[LedgerLine(account=account, amount_fen=amount) for account, amount in entry.lines])
    session.add(transaction)
    session.flush()
    return transaction


def entry_of(transaction: LedgerTransaction) -> LedgerEntry:
    return LedgerEntry(transaction.kind, [(line.account, line.amount_fen)
                                          for line in transaction.lines])


def next_receipt_no(session: Session, association: str, year: int) -> str:
    """Gap-free: the counter row is locked and bumped in the donation's own transaction,
    so a rolled-back donation gives its number back."""
    series = _locked_series(session, association, year)
    if series is None:
        try:
            with session.begin_nested():
                session.add(ReceiptSeries(association_code=association, year=year, last_no=0))
        except IntegrityError:
            pass  # another donation opened the year first
        series = _locked_series(session, association, year)
    series.last_no += 1
    return receipt_no(association, year, series.last_no)


def _locked_series(session: Session, association: str, year: int) -> ReceiptSeries | None:
    return session.scalars(rows.locked(
        select(ReceiptSeries).where(ReceiptSeries.association_code == association,
                                    ReceiptSeries.year == year))).one_or_none()


def listing(session: Session, association: str, limit: int, offset: int) -> dict:
    query = select(Fund).where(Fund.association_code == association)
    found, total = rows.page(session, query, [Fund.code], limit, offset)
    return {"items": [fund_view(f) for f in found], "total": total}


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
