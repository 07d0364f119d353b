"""Money in and out, straight from the ledger: what a fund or project received (gifts less
refunds) and spent (disbursements), so published totals are the ledger's own."""
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from services.fund.domain import fund_account, project_account
from services.fund.models import LedgerLine, LedgerTransaction

RECEIVED_KINDS = ("donation", "refund")
SPENT_KINDS = ("disbursement",)


def by_account(session: Session, association: str, accounts=None,
               fund_codes=None) -> dict[str, tuple[int, int]]:
    """account -> (received, spent) for the given accounts, or the cash accounts of funds."""
    received = func.coalesce(func.sum(case(
        (LedgerTransaction.kind.in_(RECEIVED_KINDS), -LedgerLine.amount_fen), else_=0)), 0)
    spent = func.coalesce(func.sum(case(
        (LedgerTransaction.kind.in_(SPENT_KINDS), LedgerLine.amount_fen), else_=0)), 0)
    query = (select(LedgerLine.account, received, spent).join(LedgerLine.transaction)
             .where(LedgerTransaction.association_code == association)
             .group_by(LedgerLine.account))
    if accounts is not None:
        query = query.where(LedgerLine.account.in_(list(accounts)))
    if fund_codes is not None:
        query = query.where(or_(*[cash_of(code) for code in fund_codes]) if fund_codes
                            else LedgerLine.account.is_(None))
    return {account: (int(r), int(s)) for account, r, s in session.execute(query)}


def cash_of(fund_code: str):
    return or_(LedgerLine.account == fund_account(fund_code),
               LedgerLine.account.like(f"project:{fund_code}:%"))


def of_fund(rows: dict[str, tuple[int, int]], fund_code: str) -> tuple[int, int]:
    mine = [v for account, v in rows.items()
            if account == fund_account(fund_code) or account.startswith(f"project:{fund_code}:")]
    return sum(r for r, _ in mine), sum(s for _, s in mine)


def of_project(rows: dict[str, tuple[int, int]], fund_code: str,
               project_code: str) -> tuple[int, int]:
    return rows.get(project_account(fund_code, project_code), (0, 0))
