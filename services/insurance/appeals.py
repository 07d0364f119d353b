"""Appeals: a rejected claim may be appealed once. A staff user who neither registered nor
rejected it decides: overturned approves it under the usual rules (and the fund pays it),
upheld rejects it for good. Every step is in the claim's history."""
from sqlalchemy.orm import Session

from services.insurance import claims, domain
from services.insurance.models import Claim, ClaimAppeal
from shared.clock import now_utc
from shared.errors import Conflict
from shared.lifecycle import Barred

UNDER_APPEAL = "under_appeal"


def appeal(session: Session, association: str, claim_id: int, reason: str,
           actor: dict) -> Claim:
    claim = claims.get(session, association, claim_id, lock=True)
    if claim.appeal is not None:
        raise Conflict("The claim was appealed before; a claim is appealed once.",
                       "already_appealed", {"status": [f"is {claim.status}"]})
    domain.CLAIM.move(claim, UNDER_APPEAL, actor["username"], f"appealed: {reason}")
    claim.appeal = ClaimAppeal(association_code=claim.association_code, reason=reason,
                               appealed_by=actor["username"], appealed_at=now_utc(),
                               rejected_by=_rejecter(claim))
    claims.announce(session, claim, "insurance.claim_appealed", reason=reason,
                    appealed_by=actor["username"])
    return claim


def decide(session: Session, association: str, claim_id: int, body: dict,
           actor: dict) -> Claim:
    claim = claims.get(session, association, claim_id, lock=True)
    if claim.status != UNDER_APPEAL:
        raise Conflict(f"A claim that is {claim.status} has no appeal to decide.",
                       "illegal_transition", {"status": [f"is {claim.status}"]})
    barred = (Barred(claim.registered_by, "Nobody may decide the appeal of a claim they "
                                          "registered themselves."),
              Barred(claim.appeal.rejected_by, "Nobody may decide the appeal of a claim they "
                                               "rejected themselves."))
    decided = claim.appeal
    decided.decision = body["decision"]
    decided.decision_reason = body["reason"]
    decided.decided_by = actor["username"]
    decided.decided_at = now_utc()
    if body["decision"] == "overturned":
        reason = f"appeal overturned: {body['reason']}"
        approval = claims.Approval(body["amount_approved_fen"], reason, barred)
        return claims.grant(session, claim, approval, actor)
    reason = f"appeal upheld: {body['reason']}"
    domain.CLAIM.move(claim, "rejected", actor["username"], reason, four_eyes=barred)
    claims.announce(session, claim, "insurance.claim_rejected", reason=reason,
                    rejected_by=actor["username"])
    return claim


def _rejecter(claim: Claim) -> str:
    return next(step.actor for step in reversed(claim.history)
                if step.to_status == "rejected")
