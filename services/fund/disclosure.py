"""What anyone may see without logging in (慈善组织信息公开办法): each fund's money in, out
and left, what was paid out and to whom (masked), and where a receipt's gift went. Nothing
here names a donor or shows an identity number."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from services.fund import projects, totals
from services.fund.models import Disbursement, Donation, Fund, LedgerTransaction, Project
from shared.clock import LOCAL, as_utc, local_date, now_utc, start_of_local_day
from shared.errors import NotFound
from shared.paging import Page

TRACE_SHOWS = 50  # the latest payments a trace lists (the total covers all)


@dataclass(frozen=True)
class FundMoney:
    """A fund with what the ledger says it received and spent, and its projects'."""
    fund: Fund
    received_fen: int
    spent_fen: int
    projects: list[projects.ProjectMoney]


@dataclass(frozen=True)
class Payment:
    """A disbursement paid, and when its money left."""
    disbursement: Disbursement
    paid_at: datetime


@dataclass(frozen=True)
class Spending:
    """Money paid out in a period: key (a month, category or project) -> fen."""
    by_month: dict[str, int]
    by_category: dict[str, int]
    by_project: dict[str, int]


@dataclass(frozen=True)
class Trace:
    """Where a receipt's gift went: what its fund (or project) paid out since it came."""
    donation: Donation
    paid_out_since_fen: int
    latest: list[Payment]  # the latest TRACE_SHOWS of them


def funds(session: Session, association: str) -> Page[FundMoney]:
    found = list(session.scalars(select(Fund).where(Fund.association_code == association)
                                 .order_by(Fund.code)))
    money = totals.by_account(session, association, fund_codes=[f.code for f in found])
    owned = list(session.scalars(select(Project).where(Project.association_code == association)
                                 .order_by(Project.code)))
    items = []
    for fund in found:
        received, spent = totals.of_fund(money, fund.code)
        mine = [p for p in owned if p.fund_id == fund.id]
        items.append(FundMoney(fund, received, spent,
                               projects.with_money(session, association, fund.code, mine)))
    return Page(items, len(items))


def _paid(association: str, start: date | None = None, end: date | None = None):
    query = (select(Disbursement, LedgerTransaction.posted_at)
             .join(LedgerTransaction, LedgerTransaction.id == Disbursement.ledger_transaction_id)
             .where(Disbursement.association_code == association, Disbursement.status == "paid")
             .options(selectinload(Disbursement.fund), selectinload(Disbursement.project)))
    if start:
        query = query.where(LedgerTransaction.posted_at >= start_of_local_day(start))
    if end:
        query = query.where(LedgerTransaction.posted_at < start_of_local_day(
            end + timedelta(days=1)))
    return query


def disbursements(session: Session, association: str, query: dict) -> Page[Payment]:
    found = _paid(association, query["from_"], query["to"])
    total = session.scalar(select(func.count()).select_from(found.subquery()))
    page = session.execute(found.order_by(LedgerTransaction.posted_at.desc(), Disbursement.id)
                           .limit(query["limit"]).offset(query["offset"])).all()
    return Page([Payment(d, at) for d, at in page], total)


def spending(session: Session, association: str, query: dict) -> Spending:
    """Money paid out in the period, by month, category and project."""
    by = Spending(by_month={}, by_category={}, by_project={})
    for disbursement, paid_at in session.execute(_paid(association, query["from_"],
                                                       query["to"])):
        month = as_utc(paid_at).astimezone(LOCAL).strftime("%Y-%m")
        project = f"{disbursement.fund.code}/{disbursement.project.code}" \
            if disbursement.project else disbursement.fund.code
        for sums, key in ((by.by_month, month),
                          (by.by_category, disbursement.category or "uncategorised"),
                          (by.by_project, project)):
            sums[key] = sums.get(key, 0) + disbursement.amount_fen
    return by


def trace(session: Session, association: str, receipt_no: str) -> Trace:
    donation = session.scalars(select(Donation).where(Donation.association_code == association,
                                                      Donation.receipt_no == receipt_no)
                               ).one_or_none()
    if donation is None:
        raise NotFound(f"No receipt {receipt_no}.", "receipt_not_found")
    since = local_date(donation.recorded_at) if donation.recorded_at else local_date(now_utc())
    paid = _paid(donation.association_code, since).where(
        Disbursement.fund_id == donation.fund_id)
    if donation.project_id is not None:
        paid = paid.where(Disbursement.project_id == donation.project_id)
    later = [Payment(d, at) for d, at in session.execute(
        paid.order_by(LedgerTransaction.posted_at.desc(), Disbursement.id))
        if as_utc(at) >= as_utc(donation.recorded_at)]
    return Trace(donation, sum(p.disbursement.amount_fen for p in later), later[:TRACE_SHOWS])
