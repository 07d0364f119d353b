"""Recording and refunding donations: ledger, receipt and event in one transaction."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.fund import disbursements, donors, idempotency, ledger
from services.fund.domain import check_free_cash, donation_entry, reversal_of
from services.fund.models import (
    OUTBOX,
    Donation,
    Donor,
    Fund,
    IdempotencyKey,
    LedgerTransaction,
    Project,
)
from services.fund.views import donation_view
from shared import rows
from shared.clock import iso, local_date, now_utc
from shared.contracts.fund import IN_KIND
from shared.errors import Conflict, Forbidden
from shared.grassroots import grassroots_of
from shared.outbox import record_event


def record(session: Session, association: str, body: dict, raw: dict, actor: dict,
           key: str | None) -> dict:
    """`body` is validated input; `raw` is what was sent, which the key is bound to."""
    return idempotency.answered_once(session, key_scope(association, actor), key, raw,
                                     lambda: _record(session, association, body, actor))


def key_scope(association: str, actor: dict) -> str:
    """Keys are the caller's own: two clients may pick the same key for different gifts."""
    return f"donation:{association}:{actor['username']}"


def seen_before(session: Session, association: str, actor: dict, key: str | None) -> bool:
    return bool(key) and session.get(IdempotencyKey, (key_scope(association, actor), key)) \
        is not None


def _record(session: Session, association: str, body: dict, actor: dict) -> dict:
    fund = ledger.fund_for_input(session, association, body["fund_code"])
    project = ledger.project_for_input(session, fund, body.get("project_code"))
    donor = donors.find_or_create(session, association, body["donor"])
    gift = {**body, "grassroots_code": grassroots_of(body.get("grassroots_code"), association)}
    return donation_view(receive(session, fund, project, donor, gift, actor["username"]))


def receive(session: Session, fund: Fund, project: Project | None, donor: Donor, gift: dict,
            recorded_by: str) -> Donation:
    """Money (or goods) that has arrived: ledger lines, a receipt number and the event, in
    the caller's transaction. `gift` has amount_fen, channel, anonymous, note, description
    and the grassroots_code it counts for (checked by the caller; the association's own
    when absent). The fund (and project) rows are locked by the caller."""
    association = fund.association_code
    entry = donation_entry(fund.code, gift["channel"], gift["amount_fen"],
                           project.code if project else None)
    memo = f"donation to {fund.code}/{project.code}" if project else f"donation to {fund.code}"
    transaction = ledger.post(session, association, fund, entry, memo, project)
    now = now_utc()
    donation = Donation(
        association_code=association, fund=fund, project=project, donor=donor,
        amount_fen=gift["amount_fen"], channel=gift["channel"],
        anonymous=gift.get("anonymous", False), note=gift.get("note"),
        description=gift.get("description"), recorded_by=recorded_by,
        grassroots_code=gift.get("grassroots_code") or association,
        ledger_transaction_id=transaction.id, recorded_at=now,
        receipt_no=ledger.next_receipt_no(session, association, local_date(now).year))
    session.add(donation)
    session.flush()
    record_event(session, OUTBOX, "fund.donation_recorded", {
        "association_code": association, "donation_id": donation.id,
        "receipt_no": donation.receipt_no, "fund_code": fund.code,
        "amount_fen": donation.amount_fen, "channel": donation.channel, "donor_id": donor.id,
        "anonymous": donation.anonymous, "recorded_at": iso(now)})
    if gift["channel"] != IN_KIND:
        disbursements.pay_waiting(session, fund)
    return donation


def get(session: Session, association: str, donation_id: int, lock: bool = False) -> Donation:
    return rows.one(session, Donation, association, donation_id, lock)


def listing(session: Session, association: str, donor_id: int | None, limit: int,
            offset: int) -> dict:
    query = select(Donation).where(Donation.association_code == association)
    if donor_id is not None:
        query = query.where(Donation.donor_id == donor_id)
    found, total = rows.page(session, query, [Donation.id.desc()], limit, offset)
    return {"items": [donation_view(d) for d in found], "total": total}


def refund(session: Session, association: str, donation_id: int, reason: str,
           actor: dict) -> dict:
    donation = get(session, association, donation_id, lock=True)
    if donation.status == "refunded":
        raise Conflict("The donation was already refunded.", "already_refunded")
    if donation.recorded_by == actor["username"]:
        raise Forbidden("The staff user who recorded a donation cannot also refund it.",
                        "refund_four_eyes")
    fund = ledger.find_fund(session, association, donation.fund.code, lock=True)
    project = ledger.find_project(session, fund, donation.project.code, lock=True) \
        if donation.project else None
    if project is None and donation.channel != IN_KIND:  # projects' money is not its to return
        check_free_cash(fund.code, fund.balance_fen, ledger.held_by_projects(session, fund),
                        donation.amount_fen)
    original = ledger.entry_of(session.get(LedgerTransaction, donation.ledger_transaction_id))
    reversal = ledger.post(session, association, fund, reversal_of(original, "refund"),
                           f"refund of {donation.receipt_no}", project)
    donation.status = "refunded"
    donation.refund_transaction_id = reversal.id
    donation.refund_reason = reason
    donation.refunded_by = actor["username"]
    record_event(session, OUTBOX, "fund.donation_refunded", {
        "association_code": association, "donation_id": donation.id,
        "receipt_no": donation.receipt_no, "fund_code": fund.code,
        "amount_fen": donation.amount_fen, "reason": reason, "refunded_by": actor["username"]})
    return donation_view(donation)
