"""Rows as the JSON the world sees, through the Out schemas of the insurance contract:
identity numbers and phones masked."""
from datetime import date

from services.insurance.models import Claim, Policy, Product
from shared.clock import iso
from shared.contracts.insurance import ClaimOut, PolicyOut, ProductOut
from shared.history import history_view
from shared.identity import mask_id_number, mask_phone
from shared.schemas import shaped

PRODUCT, POLICY, CLAIM = ProductOut(), PolicyOut(), ClaimOut()


def product_view(product: Product) -> dict:
    return shaped(PRODUCT, {
        "code": product.code, "name": product.name,
        "payout_fund_code": product.payout_fund_code,
        "per_claim_cap_fen": product.per_claim_cap_fen,
        "per_year_cap_fen": product.per_year_cap_fen, "waiting_days": product.waiting_days,
        "term_days": product.term_days, "min_age": product.min_age,
        "max_age": product.max_age, "categories": list(product.categories or []),
        "care_visit": product.care_visit,
        "care_visit_skills": list(product.care_visit_skills or [])})


def policy_status(policy: Policy, today: date) -> str:
    if policy.status == "active" and policy.end_date < today:
        return "expired"
    return policy.status


def policy_view(policy: Policy, today: date) -> dict:
    return shaped(POLICY, {
        "id": policy.id, "policy_no": policy.policy_no, "product_code": policy.product.code,
        "status": policy_status(policy, today), "start_date": policy.start_date.isoformat(),
        "end_date": policy.end_date.isoformat(),
        "insured": {"name": policy.insured_name,
                    "id_number": mask_id_number(policy.insured_id_number),
                    "phone": mask_phone(policy.insured_phone)},
        "family_category": policy.family_category, "family_code": policy.family_code,
        "family_id": policy.family_id,
        "cancel_reason": policy.cancel_reason, "history": history_view(policy.history)})


def claim_view(claim: Claim) -> dict:
    return shaped(CLAIM, {
        "id": claim.id, "claim_no": claim.claim_no, "policy_no": claim.policy.policy_no,
        "product_code": claim.policy.product.code,
        "insured": {"name": claim.policy.insured_name,
                    "id_number": mask_id_number(claim.policy.insured_id_number)},
        "incident_date": claim.incident_date.isoformat(),
        "amount_claimed_fen": claim.amount_claimed_fen,
        "amount_approved_fen": claim.amount_approved_fen, "description": claim.description,
        "status": claim.status, "flags": list(claim.flags or []),
        "registered_by": claim.registered_by, "family_id": claim.policy.family_id,
        "history": history_view(claim.history), "payout": _payout(claim)})


def _payout(claim: Claim) -> dict | None:
    if claim.status == "paid":
        return {"status": "paid", "disbursement_id": claim.disbursement_id,
                "amount_fen": claim.amount_approved_fen, "paid_at": iso(claim.paid_at)}
    if claim.status == "approved_awaiting_funds":
        return {"status": "waiting_for_funds", "disbursement_id": claim.disbursement_id,
                "amount_fen": claim.amount_approved_fen, "paid_at": None}
    if claim.status == "approved":
        return {"status": "requested", "disbursement_id": None,
                "amount_fen": claim.amount_approved_fen, "paid_at": None}
    return None
