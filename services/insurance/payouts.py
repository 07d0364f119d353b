"""The insurance side of the payout saga: the fund's answer moves the claim on.
Events may arrive in any order or twice; a paid claim never moves again."""
from sqlalchemy.orm import Session

from services.insurance import claims, domain
from services.insurance.models import Claim
from shared.clock import now_utc

FUND = "fund"


def _claim_of(session: Session, data: dict) -> Claim | None:
    kind, _, rest = (data.get("source_key") or "").partition(":")
    if kind != "claim":
        return None  # a disbursement staff made by hand, not a claim's payout
    association, _, claim_id = rest.partition(":")
    return session.get(Claim, int(claim_id), with_for_update=True, populate_existing=True) \
        if association == data["association_code"] else None


def on_paid(session: Session, envelope: dict) -> None:
    data = envelope["data"]
    claim = _claim_of(session, data)
    if claim is None or claim.status not in ("approved", "approved_awaiting_funds"):
        return
    claim.disbursement_id = data["disbursement_id"]
    claim.paid_at = now_utc()
    domain.CLAIM.move(claim, "paid", FUND, f"disbursement {data['disbursement_id']} paid")
    claims.announce(session, claim, "insurance.claim_paid",
                    amount_paid_fen=data["amount_fen"], disbursement_id=data["disbursement_id"])


def on_rejected(session: Session, envelope: dict) -> None:
    data = envelope["data"]
    claim = _claim_of(session, data)
    if claim is None or claim.status != "approved" or not data.get("will_retry"):
        return
    claim.disbursement_id = data["disbursement_id"]
    domain.CLAIM.move(claim, "approved_awaiting_funds", FUND,
                      data.get("detail") or data["reason"])
