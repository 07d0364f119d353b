"""Premiums: the insurance side of the premium saga, and the shares staff record by hand.
A share is paid once: the fund's answers may come twice or in any order, and a paid share
never moves again. When the last share is paid, the policy is in force. The insured hear of
each share paid (`insurance.premium_paid`)."""
from sqlalchemy.orm import Session

from services.insurance import domain, policies
from services.insurance.models import OUTBOX, Policy, PremiumShare
from shared import rows
from shared.clock import now_utc
from shared.contracts.insurance import share_of_key
from shared.errors import Conflict, InvalidInput
from shared.money import yuan
from shared.outbox import record_event

FUND = "fund"


def record_payment(session: Session, association: str, policy_id: int, body: dict,
                   actor: dict) -> Policy:
    """A share without a fund, paid by its payer (the family, a department...)."""
    policy = rows.one(session, Policy, association, policy_id, lock=True)
    share = _share(policy, body["payer"])
    if share is None:
        payers = ", ".join(s.payer for s in policy.shares) or "none"
        raise InvalidInput(f"The policy has no premium share of the {body['payer']}.",
                           "unknown_payer", {"payer": [f"This policy's payers: {payers}."]})
    if share.fund_code:
        raise InvalidInput(f"The {share.payer} share is paid by fund {share.fund_code}.",
                           "paid_by_fund", {"payer": ["Paid by its fund."]})
    if share.status == "paid":
        raise Conflict(f"The {share.payer} share was paid before.", "share_already_paid",
                       {"payer": ["Paid already."]})
    if policy.status != domain.PENDING_PAYMENT:
        raise Conflict(f"The policy is {policy.status}; it takes no more payments.",
                       "policy_not_pending", {"status": [f"is {policy.status}"]})
    if body["amount_fen"] != share.amount_fen:
        raise InvalidInput(f"The {share.payer} share is {yuan(share.amount_fen)}.",
                           "amount_not_share", {"amount_fen": [
                               f"Must be {yuan(share.amount_fen)}."]})
    _paid(session, policy, share, actor["username"], f"{yuan(share.amount_fen)} received")
    return policy


def on_paid(session: Session, envelope: dict) -> None:
    data = envelope["data"]
    policy, share = _of_key(session, data)
    if share is None or share.status == "paid":
        return  # another disbursement, or this share's payment told twice
    share.disbursement_id = data["disbursement_id"]
    _paid(session, policy, share, FUND, f"disbursement {data['disbursement_id']} paid")


def on_rejected(session: Session, envelope: dict) -> None:
    """The fund keeps the share's disbursement until money arrives: the share waits too."""
    data = envelope["data"]
    _, share = _of_key(session, data)
    if share is None or share.status != "due" or not data.get("will_retry"):
        return
    share.disbursement_id = data["disbursement_id"]
    domain.PREMIUM_SHARE.move(share, "awaiting_funds", FUND,
                              data.get("detail") or data["reason"])


def _of_key(session: Session, data: dict) -> tuple[Policy | None, PremiumShare | None]:
    key = share_of_key(data.get("source_key"))
    if key is None or key[0] != data["association_code"]:
        return None, None
    # The policy row lock serialises this with staff recording another share of it.
    policy = session.get(Policy, key[1], with_for_update=True, populate_existing=True)
    if policy is None or policy.association_code != key[0]:
        return None, None
    return policy, _share(policy, key[2])


def _share(policy: Policy, payer: str) -> PremiumShare | None:
    return next((s for s in policy.shares if s.payer == payer), None)


def _paid(session: Session, policy: Policy, share: PremiumShare, actor: str,
          reason: str) -> None:
    share.paid_by = actor
    share.paid_at = now_utc()
    domain.PREMIUM_SHARE.move(share, "paid", actor, reason)
    if policy.status == domain.PENDING_PAYMENT and all(s.status == "paid" for s in policy.shares):
        domain.POLICY.move(policy, "active", actor, "premium paid in full")
        policies.announce_enrolled(session, policy)
    record_event(session, OUTBOX, "insurance.premium_paid", {
        **policies.of_policy(policy), "payer": share.payer, "amount_fen": share.amount_fen,
        "in_force": policy.status == "active"})
