"""Disbursements: requested by one staff user, approved by another, then paid at once
if the fund can cover it, otherwise rejected with `insufficient_funds`."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.fund import ledger, rows
from services.fund.domain import Disbursement as Rules
from services.fund.domain import InsufficientFunds, disbursement_entry
from services.fund.models import OUTBOX, Disbursement
from services.fund.views import disbursement_view
from shared.clock import iso, now_utc
from shared.identity import mask_id_number
from shared.outbox import record_event


def request(session: Session, association: str, body: dict, actor: dict,
            source_key: str | None = None) -> Disbursement:
    fund = ledger.fund_for_input(session, association, body["fund_code"])
    disbursement = Disbursement(
        association_code=association, fund=fund, amount_fen=body["amount_fen"],
        purpose=body["purpose"], payee_name=body["payee"]["name"],
        payee_id_number=body["payee"].get("id_number"), reference=body.get("reference"),
        source_key=source_key, status="requested", requested_by=actor["username"],
        requested_at=now_utc())
    session.add(disbursement)
    session.flush()
    _event(session, disbursement, "fund.disbursement_requested", purpose=disbursement.purpose,
           payee_name=disbursement.payee_name, requested_by=disbursement.requested_by,
           payee_id_number_masked=mask_id_number(disbursement.payee_id_number))
    return disbursement


def approve(session: Session, association: str, disbursement_id: int, actor: dict) -> dict:
    disbursement = get(session, association, disbursement_id, lock=True)
    Rules(disbursement.status, disbursement.requested_by).check_can_approve(actor["username"])
    pay(session, disbursement, actor["username"])
    return disbursement_view(disbursement)


def pay(session: Session, disbursement: Disbursement, approver: str) -> None:
    """Approve and pay, or reject for want of money; the fund row is locked throughout."""
    fund = ledger.find_fund(session, disbursement.association_code, disbursement.fund.code,
                            lock=True)
    disbursement.decided_by, disbursement.decided_at = approver, now_utc()
    _event(session, disbursement, "fund.disbursement_approved", approved_by=approver)
    try:
        transaction = ledger.post(session, disbursement.association_code, fund,
                                  disbursement_entry(fund.code, disbursement.amount_fen),
                                  f"disbursement {disbursement.id}: {disbursement.purpose}")
    except InsufficientFunds as short:
        disbursement.status, disbursement.reason = "rejected", "insufficient_funds"
        _event(session, disbursement, "fund.disbursement_rejected", reason="insufficient_funds",
               detail=short.message)
        return
    disbursement.status, disbursement.ledger_transaction_id = "paid", transaction.id
    _event(session, disbursement, "fund.disbursement_paid", paid_at=iso(disbursement.decided_at))


def reject(session: Session, association: str, disbursement_id: int, reason: str,
           actor: dict) -> dict:
    disbursement = get(session, association, disbursement_id, lock=True)
    Rules(disbursement.status, disbursement.requested_by).check_can_reject()
    disbursement.status, disbursement.reason = "rejected", reason
    disbursement.decided_by, disbursement.decided_at = actor["username"], now_utc()
    _event(session, disbursement, "fund.disbursement_rejected", reason=reason)
    return disbursement_view(disbursement)


def get(session: Session, association: str, disbursement_id: int,
        lock: bool = False) -> Disbursement:
    return rows.one(session, Disbursement, association, disbursement_id, lock)


def by_source(session: Session, source_key: str) -> Disbursement | None:
    return session.scalars(select(Disbursement).where(
        Disbursement.source_key == source_key)).one_or_none()


def listing(session: Session, association: str, status: str | None, limit: int,
            offset: int) -> dict:
    query = select(Disbursement).where(Disbursement.association_code == association)
    if status:
        query = query.where(Disbursement.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Disbursement.id.desc()).limit(limit).offset(offset))
    return {"items": [disbursement_view(d) for d in rows], "total": total}


def _event(session: Session, disbursement: Disbursement, event_type: str, **extra) -> None:
    record_event(session, OUTBOX, event_type, {
        "association_code": disbursement.association_code, "disbursement_id": disbursement.id,
        "fund_code": disbursement.fund.code, "amount_fen": disbursement.amount_fen,
        "reference": disbursement.reference, **extra})
