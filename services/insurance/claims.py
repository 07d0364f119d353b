"""Claims: automatic checks on registration, review, and every state change kept."""
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.insurance import domain, policies, products
from services.insurance.models import OUTBOX, Claim, Policy
from shared import rows
from shared.clock import local_date, now_utc
from shared.errors import Conflict, InvalidInput, NotFound
from shared.identity import mask_id_number
from shared.lifecycle import check_four_eyes
from shared.money import yuan
from shared.outbox import record_event

COUNTED = ("approved", "approved_awaiting_funds", "paid")  # toward the yearly cap


def submit(session: Session, association: str, body: dict, actor: dict) -> Claim:
    try:
        policy = policies.by_number(session, association, body["policy_no"])
    except NotFound as missing:
        raise InvalidInput(missing.message, "unknown_policy", missing.fields) from None
    if body["incident_date"] > local_date(now_utc()):
        raise InvalidInput("The incident date is in the future.", "invalid_input",
                           {"incident_date": ["Must not be in the future."]})
    check = _check(session, policy, body["incident_date"], body["amount_claimed_fen"])
    flags = [f.as_dict() for f in check.flags()]
    claim = Claim(association_code=association, claim_no=f"tmp-{now_utc().timestamp()}",
                  policy=policy, incident_date=body["incident_date"],
                  amount_claimed_fen=body["amount_claimed_fen"],
                  description=body["description"], flags=flags, registered_by=actor["username"])
    codes = ", ".join(f["code"] for f in flags)
    reason = f"automatic checks: {codes}" if flags else "automatic checks: nothing found"
    domain.CLAIM.start(claim, "flagged" if flags else "submitted", actor["username"], reason)
    session.add(claim)
    session.flush()
    claim.claim_no = f"CL-{association}-{claim.incident_date.year}-{claim.id:06d}"
    announce(session, claim, "insurance.claim_submitted", incident_date=claim.incident_date,
           amount_claimed_fen=claim.amount_claimed_fen, flags=[f["code"] for f in flags])
    return claim


def approve(session: Session, association: str, claim_id: int, amount: int,
            actor: dict) -> Claim:
    claim = get(session, association, claim_id, lock=True)
    domain.CLAIM.check(claim.status, "approved")
    check_four_eyes(claim.registered_by, actor["username"], domain.CLAIM.thing)
    if amount > claim.amount_claimed_fen:
        raise InvalidInput("More than was claimed.", "invalid_input",
                           {"amount_approved_fen": [f"At most {yuan(claim.amount_claimed_fen)}."]})
    # The policy row lock serialises approvals for one person, so the yearly cap holds.
    policy = policies.by_number(session, association, claim.policy.policy_no, lock=True)
    problems = _check(session, policy, claim.incident_date, amount, claim.id) \
        .approval_problems(amount)
    if problems:
        raise Conflict("The claim cannot be approved: " + "; ".join(p.message for p in problems),
                       "approval_refused", {p.code: [p.message] for p in problems})
    claim.amount_approved_fen = amount
    move(session, claim, "approved", actor["username"], f"approved {yuan(amount)}")
    product = policy.product
    announce(session, claim, "insurance.claim_approved", amount_approved_fen=amount,
           payout_fund_code=product.payout_fund_code, insured_name=policy.insured_name,
           insured_id_number_masked=mask_id_number(policy.insured_id_number),
           family_category=policy.family_category, care_visit=product.care_visit,
           care_visit_skills=list(product.care_visit_skills or []),
           approved_by=actor["username"])
    return claim


def reject(session: Session, association: str, claim_id: int, reason: str,
           actor: dict) -> Claim:
    claim = get(session, association, claim_id, lock=True)
    move(session, claim, "rejected", actor["username"], reason)
    announce(session, claim, "insurance.claim_rejected", reason=reason,
           rejected_by=actor["username"])
    return claim


def get(session: Session, association: str, claim_id: int, lock: bool = False) -> Claim:
    return rows.one(session, Claim, association, claim_id, lock)


def listing(session: Session, association: str, query: dict) -> tuple[list[Claim], int]:
    found = select(Claim).where(Claim.association_code == association)
    if query.get("status"):
        found = found.where(Claim.status == query["status"])
    # The review queue reads oldest first.
    return rows.page(session, found, [Claim.id], query["limit"], query["offset"])


def _check(session: Session, policy: Policy, incident: date, amount: int,
           this_claim: int | None = None) -> domain.ClaimCheck:
    same_person = [Policy.insured_id_number == policy.insured_id_number,
                   Policy.product_id == policy.product_id,
                   Policy.association_code == policy.association_code]
    if this_claim is not None:
        same_person.append(Claim.id != this_claim)
    year = (date(incident.year, 1, 1), date(incident.year, 12, 31))
    ytd = session.scalar(select(func.coalesce(func.sum(Claim.amount_approved_fen), 0))
                         .join(Claim.policy).where(*same_person, Claim.status.in_(COUNTED),
                                                   Claim.incident_date.between(*year)))
    duplicates = session.scalars(select(Claim.id).join(Claim.policy).where(
        *same_person, Claim.incident_date == incident, Claim.status != "rejected")).all()
    return domain.ClaimCheck(products.rules(policy.product), _policy_rules(policy), incident,
                             amount, ytd, sorted(duplicates))


def _policy_rules(policy: Policy) -> domain.Policy:
    return domain.Policy(policy.status, policy.start_date, policy.end_date,
                         policy.insured_id_number, policy.family_category)


def move(session: Session, claim: Claim, target: str, actor: str, reason: str) -> None:
    """The one way a claim changes state: checked, and kept in its history."""
    domain.CLAIM.move(claim, target, actor, reason)


def announce(session: Session, claim: Claim, event_type: str, **extra) -> None:
    record_event(session, OUTBOX, event_type, {
        "association_code": claim.association_code, "claim_id": claim.id,
        "claim_no": claim.claim_no, "policy_no": claim.policy.policy_no,
        "product_code": claim.policy.product.code, "family_id": claim.policy.family_id,
        **extra})
