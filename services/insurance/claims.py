"""Claims: automatic checks on registration (and a share sampled for review at random),
review, the payout's bank account, and every state change kept."""
import hmac
import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from services.insurance import documents, domain, policies
from services.insurance.models import OUTBOX, Claim, Policy
from shared import rows
from shared.clock import local_date, now_utc
from shared.errors import Conflict, InvalidInput, NotFound
from shared.identity import mask_account_no, mask_id_number
from shared.lifecycle import FourEyes
from shared.money import yuan
from shared.outbox import record_event
from shared.paging import Page
from shared.settings import review_sample_pct

COUNTED = ("approved", "approved_awaiting_funds", "paid")  # toward the yearly cap
# Picks the claims sampled for review; tests put a seeded random.Random here.
SAMPLER = random.SystemRandom()


def submit(session: Session, association: str, body: dict, actor: dict) -> Claim:
    try:
        policy = policies.by_number(session, association, body["policy_no"])
    except NotFound as missing:
        raise InvalidInput(missing.message, "unknown_policy", missing.fields) from None
    refusal = domain.incident_date_refusal(_policy_rules(policy), body["incident_date"],
                                           local_date(now_utc()))
    if refusal:
        raise InvalidInput("The incident date cannot be claimed for.", "invalid_input",
                           {"incident_date": [refusal]})
    check = _check(session, policy, body["incident_date"], body["amount_claimed_fen"])
    found = check.flags()
    percent = review_sample_pct()
    if not found and domain.sampled(percent, SAMPLER):
        found = [domain.sample_flag(percent)]
    flags = [f.as_dict() for f in found]
    payee = body.get("payee") or {}
    claim = Claim(association_code=association, claim_no=f"tmp-{now_utc().timestamp()}",
                  policy=policy, incident_date=body["incident_date"],
                  amount_claimed_fen=body["amount_claimed_fen"],
                  description=body["description"], flags=flags, registered_by=actor["username"],
                  payee_name=payee.get("name"), payee_bank=payee.get("bank"),
                  payee_account_no=payee.get("account_no"))
    codes = ", ".join(f["code"] for f in flags)
    reason = f"automatic checks: {codes}" if flags else "automatic checks: nothing found"
    domain.CLAIM.start(claim, "flagged" if flags else "submitted", actor["username"], reason)
    session.add(claim)
    session.flush()
    # The year the claim was registered: an old incident is a claim of this year.
    claim.claim_no = f"CL-{association}-{local_date(now_utc()).year}-{claim.id:06d}"
    announce(session, claim, "insurance.claim_submitted", incident_date=claim.incident_date,
             amount_claimed_fen=claim.amount_claimed_fen, flags=[f["code"] for f in flags])
    return claim


@dataclass(frozen=True)
class Approval:
    """What is approved of a claim and why; `four_eyes` names who may not approve it."""
    amount_fen: int
    reason: str
    four_eyes: FourEyes


def approve(session: Session, association: str, claim_id: int, amount: int,
            actor: dict) -> Claim:
    claim = get(session, association, claim_id, lock=True)
    _not_under_appeal(claim)
    reason = f"approved {yuan(amount)}"
    return grant(session, claim, Approval(amount, reason, claim.registered_by), actor)


def grant(session: Session, claim: Claim, approval: Approval, actor: dict) -> Claim:
    """Approve a claim: within what was claimed, with the documents its product requires,
    inside the hard rules and caps. The fund is asked to pay it (`insurance.claim_approved`)."""
    # The step first, so who may not take it is refused before anything else is looked at;
    # a refusal below undoes it with the rest of the transaction.
    domain.CLAIM.move(claim, "approved", actor["username"], approval.reason,
                      four_eyes=approval.four_eyes)
    amount = approval.amount_fen
    if amount > claim.amount_claimed_fen:
        raise InvalidInput("More than was claimed.", "invalid_input",
                           {"amount_approved_fen": [f"At most {yuan(claim.amount_claimed_fen)}."]})
    # The policy row lock serialises approvals for one person, so the yearly cap holds.
    policy = policies.by_number(session, claim.association_code, claim.policy.policy_no,
                                lock=True)
    problems = _check(session, policy, claim.incident_date, amount, claim.id) \
        .approval_problems(amount)
    if problems:
        raise Conflict("The claim cannot be approved: " + "; ".join(p.message for p in problems),
                       "approval_refused", {p.code: [p.message] for p in problems})
    documents.check_complete(claim)
    claim.amount_approved_fen = amount
    product = policy.product
    announce(session, claim, "insurance.claim_approved", amount_approved_fen=amount,
             payout_fund_code=product.payout_fund_code, insured_name=policy.insured_name,
             insured_id_number_masked=mask_id_number(policy.insured_id_number),
             family_category=policy.family_category, care_visit=product.care_visit,
             care_visit_skills=list(product.care_visit_skills or []),
             approved_by=actor["username"], payee_name=claim.payee_name,
             payee_bank=claim.payee_bank,
             payee_account_masked=mask_account_no(claim.payee_account_no))
    return claim


def reject(session: Session, association: str, claim_id: int, reason: str,
           actor: dict) -> Claim:
    claim = get(session, association, claim_id, lock=True)
    _not_under_appeal(claim)
    domain.CLAIM.move(claim, "rejected", actor["username"], reason)
    announce(session, claim, "insurance.claim_rejected", reason=reason,
             rejected_by=actor["username"])
    return claim


def _not_under_appeal(claim: Claim) -> None:
    # Only the appeal's decision, under its own four eyes, moves a claim under appeal on.
    if claim.status == "under_appeal":
        raise Conflict("A claim under appeal is approved or rejected by deciding its appeal.",
                       "illegal_transition", {"status": [f"is {claim.status}"]})


def get(session: Session, association: str, claim_id: int, lock: bool = False) -> Claim:
    return rows.one(session, Claim, association, claim_id, lock)


def public_status(session: Session, association: str, claim_no: str, id_last4: str) -> Claim:
    """The claim whose number and insured person's last 4 identity characters both match.
    A wrong last 4 and an unknown number answer alike, so neither can be told apart."""
    claim = session.scalars(select(Claim).where(Claim.association_code == association,
                                                Claim.claim_no == claim_no)).one_or_none()
    held = claim.policy.insured_id_number[-4:] if claim is not None else "----"
    if not hmac.compare_digest(held.encode(), id_last4.upper().encode()) or claim is None:
        raise NotFound("No claim with this number for this identity number.",
                       "claim_not_found")
    return claim


# What a claim's view reads, loaded for a page of claims in a few queries, not a few per row.
SHOWN_WITH_A_CLAIM = (selectinload(Claim.policy).selectinload(Policy.product),
                      selectinload(Claim.history), selectinload(Claim.documents),
                      selectinload(Claim.appeal))


def listing(session: Session, association: str, query: dict) -> Page[Claim]:
    found = select(Claim).where(Claim.association_code == association) \
        .options(*SHOWN_WITH_A_CLAIM)
    if query.get("status"):
        found = found.where(Claim.status == query["status"])
    # The review queue reads oldest first.
    return rows.page(session, found, [Claim.id], query)


def _check(session: Session, policy: Policy, incident: date, amount: int,
           this_claim: int | None = None) -> domain.ClaimCheck:
    same_person = [Policy.insured_id_index == policy.insured_id_index,
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
    return domain.ClaimCheck(policies.rules_of(policy), _policy_rules(policy), incident,
                             amount, ytd, sorted(duplicates))


def _policy_rules(policy: Policy) -> domain.Policy:
    return domain.Policy(policy.status, policy.start_date, policy.end_date,
                         policy.insured_id_number, policy.family_category,
                         renewal=policy.renews_policy_id is not None)


# The claim's steps the insured person hears of (an appeal is staff's business).
HEARD = ("insurance.claim_submitted", "insurance.claim_approved", "insurance.claim_rejected",
         "insurance.claim_paid")


def announce(session: Session, claim: Claim, event_type: str, **extra) -> None:
    heard = {"recipients": policies.insured(claim.policy)} if event_type in HEARD else {}
    record_event(session, OUTBOX, event_type, {
        "association_code": claim.association_code, "claim_id": claim.id,
        "claim_no": claim.claim_no, "policy_no": claim.policy.policy_no,
        "product_code": claim.policy.product.code, "family_id": claim.policy.family_id,
        **heard, **extra})
