"""What anyone may see without logging in (慈善组织信息公开办法): each fund's money in, out
and left, what was paid out and to whom (masked), and where a receipt's gift went. Nothing
here names a donor or shows an identity number."""
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from services.fund import projects, totals
from services.fund.models import Disbursement, Donation, Fund, LedgerTransaction, Project
from shared.clock import LOCAL, as_utc, iso, local_date, now_utc, start_of_local_day
from shared.contracts.fund import PublicDisbursementOut, PublicFundOut, TraceOut
from shared.errors import NotFound
from shared.identity import mask_name
from shared.schemas import shaped

PUBLIC_FUND, PAID, TRACE = PublicFundOut(), PublicDisbursementOut(), TraceOut()
TRACE_SHOWS = 50  # the latest payments a trace lists (the total covers all)


def funds(session: Session, association: str) -> dict:
    found = list(session.scalars(select(Fund).where(Fund.association_code == association)
                                 .order_by(Fund.code)))
    money = totals.by_account(session, association, fund_codes=[f.code for f in found])
    owned = list(session.scalars(select(Project).where(Project.association_code == association)
                                 .order_by(Project.code)))
    items = []
    for fund in found:
        received, spent = totals.of_fund(money, fund.code)
        mine = [p for p in owned if p.fund_id == fund.id]
        items.append(shaped(PUBLIC_FUND, {
            "code": fund.code, "name": fund.name, "restricted": fund.restricted,
            "received_fen": received, "spent_fen": spent, "balance_fen": fund.balance_fen,
            "projects": projects.views(session, association, fund.code, mine)}))
    return {"items": items, "total": len(items)}


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


def _paid_view(disbursement: Disbursement, paid_at) -> dict:
    return shaped(PAID, {
        "paid_at": iso(paid_at), "fund_code": disbursement.fund.code,
        "project_code": disbursement.project.code if disbursement.project else None,
        "category": disbursement.category, "amount_fen": disbursement.amount_fen,
        "payee": mask_name(disbursement.payee_name)})


def disbursements(session: Session, association: str, query: dict) -> dict:
    found = _paid(association, query["from_"], query["to"])
    total = session.scalar(select(func.count()).select_from(found.subquery()))
    page = session.execute(found.order_by(LedgerTransaction.posted_at.desc(), Disbursement.id)
                           .limit(query["limit"]).offset(query["offset"])).all()
    return {"items": [_paid_view(d, at) for d, at in page], "total": total}


def spending(session: Session, association: str, query: dict) -> dict:
    """Money paid out in the period, by month, category and project."""
    by: dict[str, dict[str, int]] = {"by_month": {}, "by_category": {}, "by_project": {}}
    for disbursement, paid_at in session.execute(_paid(association, query["from_"],
                                                       query["to"])):
        month = as_utc(paid_at).astimezone(LOCAL).strftime("%Y-%m")
        project = f"{disbursement.fund.code}/{disbursement.project.code}" \
            if disbursement.project else disbursement.fund.code
        for key, value in (("by_month", month),
                           ("by_category", disbursement.category or "uncategorised"),
                           ("by_project", project)):
            by[key][value] = by[key].get(value, 0) + disbursement.amount_fen
    return {key: [{"key": k, "amount_fen": v} for k, v in sorted(values.items())]
            for key, values in by.items()}


def trace(session: Session, receipt_no: str) -> dict:
    donation = session.scalars(select(Donation).where(Donation.receipt_no == receipt_no)
                               ).one_or_none()
    if donation is None:
        raise NotFound(f"No receipt {receipt_no}.", "receipt_not_found")
    since = local_date(donation.recorded_at) if donation.recorded_at else local_date(now_utc())
    paid = _paid(donation.association_code, since).where(
        Disbursement.fund_id == donation.fund_id)
    if donation.project_id is not None:
        paid = paid.where(Disbursement.project_id == donation.project_id)
    later = [(d, at) for d, at in session.execute(
        paid.order_by(LedgerTransaction.posted_at.desc(), Disbursement.id))
        if as_utc(at) >= as_utc(donation.recorded_at)]
    return shaped(TRACE, {
        "receipt_no": donation.receipt_no, "recorded_at": iso(donation.recorded_at),
        "amount_fen": donation.amount_fen,
        "status": "void" if donation.status == "refunded" else "valid",
        "fund_code": donation.fund.code, "fund_name": donation.fund.name,
        "project_code": donation.project.code if donation.project else None,
        "project_name": donation.project.name if donation.project else None,
        "paid_out_since_fen": sum(d.amount_fen for d, _ in later),
        "paid_out_since": [_paid_view(d, at) for d, at in later[:TRACE_SHOWS]]})

