"""Disbursements: requested by one staff user, approved by another, then paid at once
if the fund can cover it, otherwise rejected with `insufficient_funds`. Every status change
goes through `DISBURSEMENT.move`, which keeps it in the disbursement's history."""
from dataclasses import dataclass

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session

from services.fund import ledger
from services.fund.domain import (
    DISBURSEMENT,
    check_admin_cost_cap,
    check_free_cash,
    check_project_can_pay,
    check_spending,
    disbursement_entry,
    is_insufficient_funds,
)
from services.fund.models import OUTBOX, Disbursement, Fund, LedgerTransaction
from shared import rows
from shared.clock import iso, local_date, now_utc, year_bounds
from shared.contracts.fund import ADMIN_COST
from shared.errors import Conflict
from shared.grassroots import grassroots_of
from shared.identity import mask_id_number
from shared.outbox import record_event
from shared.paging import Page

FUND_ITSELF = "fund"  # who pays a waiting payout when money arrives


def request(session: Session, association: str, body: dict, actor: dict,
            source_key: str | None = None) -> Disbursement:
    grassroots = grassroots_of(body.get("grassroots_code"), association)
    fund = ledger.fund_for_input(session, association, body["fund_code"])
    project = ledger.project_for_input(session, fund, body.get("project_code"))
    # A claim payout is the payout fund's own purpose; a person's request names a project.
    check_spending(fund.restricted, fund.allowed_categories, body["category"],
                   body.get("project_code"), needs_project=source_key is None)
    _check_can_cover(session, fund, project, body["category"], body["amount_fen"])
    disbursement = Disbursement(
        association_code=association, fund=fund, project=project, category=body["category"],
        amount_fen=body["amount_fen"],
        purpose=body["purpose"], payee_name=body["payee"]["name"],
        payee_id_number=body["payee"].get("id_number"), reference=body.get("reference"),
        source_key=source_key, family_id=body.get("family_id"), grassroots_code=grassroots,
        requested_by=actor["username"], requested_at=now_utc())
    DISBURSEMENT.start(disbursement, "requested", actor["username"], body["purpose"])
    session.add(disbursement)
    session.flush()
    _event(session, disbursement, "fund.disbursement_requested", purpose=disbursement.purpose,
           payee_name=disbursement.payee_name, requested_by=disbursement.requested_by,
           payee_id_number_masked=mask_id_number(disbursement.payee_id_number))
    return disbursement


def approve(session: Session, association: str, disbursement_id: int,
            actor: dict) -> Disbursement:
    disbursement = get(session, association, disbursement_id, lock=True)
    pay(session, disbursement, Decider(actor["username"], four_eyes=disbursement.requested_by))
    return disbursement


@dataclass(frozen=True)
class Decider:
    """Who decides a disbursement; under four eyes, also who asked for it (and so may not)."""
    actor: str
    four_eyes: str | None = None


def pay(session: Session, disbursement: Disbursement, by: Decider,
        wait_for_funds: bool = False) -> None:
    """Approve and pay, or for want of money either reject it or (`wait_for_funds`) keep it
    in the fund's queue to be paid when money arrives. The fund row is locked throughout."""
    # Four eyes first: refused before the fund is looked at, as approvals always were.
    DISBURSEMENT.check(disbursement.status, "paid", by.actor, by.four_eyes)
    fund = ledger.find_fund(session, disbursement.association_code, disbursement.fund.code,
                            lock=True)
    if disbursement.project is None and disbursement.source_key is None:
        check_spending(fund.restricted, fund.allowed_categories, disbursement.category,
                       None, needs_project=False)
    if disbursement.category == ADMIN_COST:
        _check_admin_cost(session, disbursement.association_code, disbursement.amount_fen)
    _event(session, disbursement, "fund.disbursement_approved", approved_by=by.actor)
    if wait_for_funds and _queue_ahead(session, fund.id):
        _wait(session, disbursement, by, "Older payouts are waiting for this fund.")
        return  # oldest first: nobody jumps the queue
    try:
        _post(session, fund, disbursement, by)
    except Conflict as error:
        if not is_insufficient_funds(error):
            raise
        if wait_for_funds:
            _wait(session, disbursement, by, error.message)
            return
        _decide(disbursement, "rejected", by, "insufficient_funds")
        _event(session, disbursement, "fund.disbursement_rejected", reason="insufficient_funds",
               detail=error.message)


# Under the fund's lock, which every payout that waits on this fund was decided under.
_ANY_WAITING = select(Disbursement.__table__.c.id).where(
    Disbursement.__table__.c.fund_id == bindparam("fund_id"),
    Disbursement.__table__.c.status == "awaiting_funds").limit(1)


def pay_waiting(session: Session, fund: Fund) -> None:
    """After money arrives: pay waiting payouts oldest first, stopping at the first that
    does not fit, so a large old claim is not starved by small new ones."""
    session.flush()  # a payout set waiting earlier in this transaction is seen
    if session.connection().execute(_ANY_WAITING, {"fund_id": fund.id}).first() is None:
        return  # the usual case, asked without building ORM objects
    waiting = session.scalars(select(Disbursement).where(
        Disbursement.fund_id == fund.id, Disbursement.status == "awaiting_funds")
        .order_by(Disbursement.id).with_for_update()).all()
    held = ledger.held_by_projects(session, fund) if waiting else 0
    for disbursement in waiting:
        if disbursement.amount_fen > fund.balance_fen - held:  # projects' money is not free
            break
        _post(session, fund, disbursement, Decider(FUND_ITSELF), "money arrived")


def _post(session: Session, fund: Fund, disbursement: Disbursement, by: Decider,
          reason: str | None = None) -> None:
    project = disbursement.project
    if project is None:
        check_free_cash(fund.code, fund.balance_fen, ledger.held_by_projects(session, fund),
                        disbursement.amount_fen)
    else:  # a project short of money says so, whatever else the fund holds
        project = ledger.find_project(session, fund, project.code, lock=True)
        check_project_can_pay(project.code, project.balance_fen, disbursement.amount_fen)
    transaction = ledger.post(session, disbursement.association_code, ledger.Posting(
        fund, disbursement_entry(fund.code, disbursement.amount_fen,
                                 project.code if project else None),
        f"disbursement {disbursement.id}: {disbursement.purpose}", project,
        disbursement.grassroots_code))
    _decide(disbursement, "paid", by, reason)
    disbursement.ledger_transaction_id = transaction.id
    _event(session, disbursement, "fund.disbursement_paid", paid_at=iso(now_utc()),
           category=disbursement.category)


def _check_can_cover(session: Session, fund: Fund, project, category: str,
                     amount: int) -> None:
    """Refuse at once what could never be paid as asked: more than the project holds, or
    admin costs over the cap. (A short fund is found out when it is approved.)"""
    if project is not None:
        check_project_can_pay(project.code, project.balance_fen, amount)
    if category == ADMIN_COST:
        _check_admin_cost(session, fund.association_code, amount)


def _check_admin_cost(session: Session, association: str, amount: int) -> None:
    start, stop = year_bounds(local_date(now_utc()).year)
    spent, admin = session.execute(
        select(func.coalesce(func.sum(Disbursement.amount_fen), 0),
               func.coalesce(func.sum(case((Disbursement.category == ADMIN_COST,
                                            Disbursement.amount_fen), else_=0)), 0))
        .join(LedgerTransaction, LedgerTransaction.id == Disbursement.ledger_transaction_id)
        .where(Disbursement.association_code == association, Disbursement.status == "paid",
               LedgerTransaction.posted_at >= start, LedgerTransaction.posted_at < stop)).one()
    check_admin_cost_cap(int(admin), int(spent), amount)


def _queue_ahead(session: Session, fund_id: int) -> bool:
    return session.scalar(select(func.count()).select_from(Disbursement).where(
        Disbursement.fund_id == fund_id, Disbursement.status == "awaiting_funds")) > 0


def _wait(session: Session, disbursement: Disbursement, by: Decider, detail: str) -> None:
    _decide(disbursement, "awaiting_funds", by, "insufficient_funds")
    _event(session, disbursement, "fund.disbursement_rejected", reason="insufficient_funds",
           detail=detail, will_retry=True)


def _decide(disbursement: Disbursement, target: str, by: Decider, reason: str | None) -> None:
    DISBURSEMENT.move(disbursement, target, by.actor, reason, four_eyes=by.four_eyes)
    disbursement.reason = None if target == "paid" else reason
    if disbursement.decided_by is None:
        disbursement.decided_by = by.actor
        disbursement.decided_at = now_utc()


def reject(session: Session, association: str, disbursement_id: int, reason: str,
           actor: dict) -> Disbursement:
    disbursement = get(session, association, disbursement_id, lock=True)
    _decide(disbursement, "rejected", Decider(actor["username"]), reason)
    _event(session, disbursement, "fund.disbursement_rejected", reason=reason)
    return disbursement


def get(session: Session, association: str, disbursement_id: int,
        lock: bool = False) -> Disbursement:
    return rows.one(session, Disbursement, association, disbursement_id, lock)


def by_source(session: Session, association: str, source_key: str) -> Disbursement | None:
    return session.scalars(select(Disbursement).where(
        Disbursement.association_code == association,
        Disbursement.source_key == source_key)).one_or_none()


def listing(session: Session, association: str, status: str | None,
            cut: dict) -> Page[Disbursement]:
    query = select(Disbursement).where(Disbursement.association_code == association)
    if status:
        query = query.where(Disbursement.status == status)
    return rows.page(session, query, [Disbursement.id.desc()], cut)


def _event(session: Session, disbursement: Disbursement, event_type: str, **extra) -> None:
    record_event(session, OUTBOX, event_type, {
        "association_code": disbursement.association_code, "disbursement_id": disbursement.id,
        "fund_code": disbursement.fund.code, "amount_fen": disbursement.amount_fen,
        "reference": disbursement.reference, "source_key": disbursement.source_key,
        "family_id": disbursement.family_id, **extra})
