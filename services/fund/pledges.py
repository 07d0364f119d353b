"""Pledges: what a donor gives online is a promise until the money is confirmed. It changes
no balance and has no receipt; confirmation (by staff, by the payment channel's signed
notification, or by a bank-statement line) makes it a donation exactly once."""
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.fund import donations, donors, idempotency, ledger, recurring
from services.fund.domain import (
    PLEDGE,
    Reconciliation,
    check_online_amount,
    pay_reference,
    pledge_no,
)
from services.fund.models import Fund, Pledge, Project
from services.fund.views import pledge_view
from shared import rows
from shared.clock import local_date, now_utc
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.grassroots import grassroots_of
from shared.money import yuan
from shared.paging import Page
from shared.settings import online_gift_max_fen, pledge_ttl_days

SELF = "fund"  # who expires a pledge, and makes a recurring plan's months
PAY_REFERENCE = re.compile(r"PHF\d{6,}[0-9A-F]{6}")  # as domain.pay_reference makes them


def create_once(session: Session, association: str, pledged: donations.KeyedGift,
                actor: dict) -> dict:
    """The answer to a keyed pledge, kept for its key: the first answer for a key seen
    before (409 for another body), else the view of the pledge made now."""
    return idempotency.answered_once(
        session, f"pledge:{association}:{actor['username']}", pledged.key, pledged.raw,
        lambda: pledge_view(create(session, association, pledged.body, actor)))


def create(session: Session, association: str, body: dict, actor: dict) -> Pledge:
    """A pledge; with `recurring`, the first month of a plan of that many months."""
    check_online_amount(body["amount_fen"], online_gift_max_fen())
    grassroots = grassroots_of(body.get("grassroots_code"), association)
    fund = ledger.fund_for_input(session, association, body["fund_code"])
    project = ledger.project_for_input(session, fund, body.get("project_code"))
    donor = _donor(session, association, body, actor)
    gift = Gift(fund, project, donor.id, body["amount_fen"], body["channel"], body["anonymous"],
                grassroots)
    pledge = _new(session, association, gift, actor["username"], "pledged online")
    if body.get("recurring"):
        recurring.start(session, pledge, body["recurring"]["months"], actor)
    return pledge


@dataclass(frozen=True)
class Gift:
    """What a pledge promises, and who promises it."""
    fund: Fund
    project: Project | None
    donor_id: int
    amount_fen: int
    channel: str
    anonymous: bool
    grassroots_code: str


def _new(session: Session, association: str, gift: Gift, by: str, reason: str) -> Pledge:
    now = now_utc()
    pledge = Pledge(association_code=association, pledge_no=f"tmp-{secrets.token_hex(8)}",
                    pay_reference=f"tmp-{secrets.token_hex(8)}", fund=gift.fund,
                    project=gift.project, donor_id=gift.donor_id, amount_fen=gift.amount_fen,
                    channel=gift.channel, anonymous=gift.anonymous,
                    grassroots_code=gift.grassroots_code, created_by=by, created_at=now,
                    expires_at=now + timedelta(days=pledge_ttl_days()))
    PLEDGE.start(pledge, "pending", by, reason)
    session.add(pledge)
    session.flush()
    pledge.pledge_no = pledge_no(association, local_date(now).year, pledge.id)
    pledge.pay_reference = pay_reference(pledge.id, secrets.token_hex(4))
    return pledge


def make_months_due(session: Session) -> None:
    """Each active recurring plan's months that are due, a pledge each."""
    today = local_date(now_utc())
    for plan in recurring.due(session, today):
        while plan.status == "active" and plan.next_month_on <= today:
            gift = Gift(plan.fund, plan.project, plan.donor_id, plan.amount_fen, plan.channel,
                        plan.anonymous, plan.grassroots_code)
            month = plan.months_made + 1
            pledge = _new(session, plan.association_code, gift, SELF,
                          f"month {month} of {plan.months} of recurring plan {plan.id}")
            recurring.made(plan, pledge, SELF)


def _donor(session: Session, association: str, body: dict, actor: dict):
    if actor["role"] == "donor" and actor.get("donor_id"):
        return donors.get(session, association, actor["donor_id"])
    if not body.get("donor"):
        raise InvalidInput("Say who gives.", "invalid_input",
                           {"donor": ["Required when not logged in as a donor."]})
    return donors.ensure(session, association, body["donor"], actor)


def confirm(session: Session, association: str, pledge_id: int, txn_id: str,
            actor: dict) -> Pledge:
    """Staff confirm money that arrived: exactly once."""
    return _settle(session, rows.one(session, Pledge, association, pledge_id, lock=True),
                   txn_id, actor["username"])


@dataclass(frozen=True)
class Notification:
    """What a payment channel's notification did to its pledge: `matched` is false when the
    amount paid differs (the pledge is then flagged, and the channel answered 409)."""
    pledge: Pledge
    matched: bool


def amount_mismatch(amount_fen: int) -> Conflict:
    """`amount_fen`: the pledge's."""
    return Conflict("The amount paid differs from the pledge; staff will look at it.",
                    "amount_mismatch", {"amount_fen": [f"The pledge is for {yuan(amount_fen)}."]})


def notify(session: Session, association: str, body: dict) -> Notification:
    """A payment channel's signed notification: confirms the pledge once, or flags it."""
    pledge = session.scalars(select(Pledge).where(Pledge.association_code == association,
                                                  Pledge.pledge_no == body["pledge_no"])
                             .with_for_update()).one_or_none()
    if pledge is None:
        raise NotFound(f"No pledge {body['pledge_no']}.", "pledge_not_found",
                       {"pledge_no": ["No such pledge."]})
    if pledge.channel_txn_id == body["channel_txn_id"]:
        return Notification(pledge, True)  # the same notification again: the first answer
    if body["amount_fen"] != pledge.amount_fen:
        if PLEDGE.allows(pledge.status, "flagged"):
            PLEDGE.move(pledge, "flagged", f"channel:{pledge.channel}",
                        f"paid {yuan(body['amount_fen'])} against {yuan(pledge.amount_fen)} "
                        f"(transaction {body['channel_txn_id']})")
        return Notification(pledge, False)
    return Notification(_settle(session, pledge, body["channel_txn_id"],
                                f"channel:{pledge.channel}"), True)


def _settle(session: Session, pledge: Pledge, txn_id: str, by: str) -> Pledge:
    if pledge.channel_txn_id == txn_id:
        return pledge  # confirmed by this very payment before
    used = session.scalars(select(Pledge.pledge_no).where(
        Pledge.association_code == pledge.association_code,
        Pledge.channel_txn_id == txn_id)).first()
    if used is not None:
        raise Conflict(f"Payment {txn_id} already confirmed pledge {used}.", "payment_used",
                       {"channel_txn_id": [f"Used for {used}."]})
    PLEDGE.check(pledge.status, "confirmed")
    try:  # the unique key decides between pledges claiming one payment at the same moment
        with session.begin_nested():
            pledge.channel_txn_id = txn_id
            session.flush()
    except IntegrityError:
        raise Conflict(f"Payment {txn_id} already confirmed another pledge.", "payment_used",
                       {"channel_txn_id": ["Used for another pledge."]}) from None
    fund = ledger.find_fund(session, pledge.association_code, pledge.fund.code, lock=True)
    project = ledger.find_project(session, fund, pledge.project.code, lock=True) \
        if pledge.project else None
    donor = donors.get(session, pledge.association_code, pledge.donor_id)
    gift = {"amount_fen": pledge.amount_fen, "channel": pledge.channel,
            "anonymous": pledge.anonymous, "note": f"pledge {pledge.pledge_no}",
            "grassroots_code": pledge.grassroots_code, "pledge_no": pledge.pledge_no}
    pledge.donation = donations.receive(session, donations.Arrival(fund, project, gift, donor),
                                        by)
    PLEDGE.move(pledge, "confirmed", by, f"payment {txn_id}")
    return pledge


def cancel(session: Session, association: str, pledge_id: int, actor: dict) -> Pledge:
    pledge = rows.one(session, Pledge, association, pledge_id, lock=True)
    check_own(actor, pledge)
    PLEDGE.move(pledge, "cancelled", actor["username"], "cancelled")
    return pledge


def expire_due(session: Session) -> None:
    """Pending pledges past their time expire (money arriving later still confirms them)."""
    due = session.scalars(select(Pledge).where(Pledge.status == "pending",
                                               Pledge.expires_at < now_utc())
                          .with_for_update()).all()
    for pledge in due:
        PLEDGE.move(pledge, "expired", SELF, f"not paid within {pledge_ttl_days()} days")


def get(session: Session, association: str, pledge_id: int, actor: dict) -> Pledge:
    pledge = rows.one(session, Pledge, association, pledge_id)
    check_own(actor, pledge)
    return pledge


def listing(session: Session, association: str, query: dict, actor: dict) -> Page[Pledge]:
    found = select(Pledge).where(Pledge.association_code == association)
    if actor["role"] == "donor":
        found = found.where(Pledge.donor_id == (actor.get("donor_id") or 0))
    if query.get("status"):
        found = found.where(Pledge.status == query["status"])
    return rows.page(session, found, [Pledge.id.desc()], query)


def by_reference(session: Session, association: str, reference: str) -> Pledge | None:
    """The pledge a bank line's reference names: its pay reference may be run into other
    text (`捐款PHF000001ABCDEF`, `附言：phf000001abcdef`)."""
    for word in PAY_REFERENCE.findall(reference.upper()):
        found = session.scalars(select(Pledge).where(Pledge.association_code == association,
                                                     Pledge.pay_reference == word)
                                .with_for_update()).one_or_none()
        if found is not None:
            return found
    return None


def check_own(actor: dict, pledge: Pledge) -> None:
    if actor["role"] == "donor" and actor.get("donor_id") != pledge.donor_id:
        raise Forbidden("This pledge is not yours.", "not_your_pledge")


def reconcile(session: Session, association: str, lines: list[dict],
              actor: dict) -> Reconciliation:
    """Bank-statement lines against pending pledges: a line whose reference names a pledge
    and whose amount is the pledge's confirms it (once, keyed by the bank's transaction id);
    every other line is listed with the reason it was not matched."""
    report = Reconciliation()
    for line in lines:
        txn_id = f"bank:{line['txn_id']}"
        pledge = by_reference(session, association, line["reference"])
        if pledge is None:
            report.unmatched.append({"line": line["line"], "reason": "no pledge named"})
        elif pledge.channel_txn_id == txn_id:
            report.already.append({"line": line["line"], "pledge_no": pledge.pledge_no})
        elif line["amount_fen"] != pledge.amount_fen:
            report.unmatched.append({"line": line["line"], "reason":
                                     f"{pledge.pledge_no} is for {yuan(pledge.amount_fen)}"})
        else:
            try:
                with session.begin_nested():
                    settled = _settle(session, pledge, txn_id, actor["username"])
            except (Conflict, InvalidInput) as refused:
                report.unmatched.append({"line": line["line"], "reason": refused.message})
                continue
            report.matched.append({"line": line["line"], "pledge_no": pledge.pledge_no,
                                   "receipt_no": settled.donation.receipt_no})
    return report
