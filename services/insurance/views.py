"""Rows as the JSON the world sees, through the Out schemas of the insurance contract:
identity numbers, phones and bank accounts masked."""
import base64
from datetime import date

from services.insurance import documents, domain
from services.insurance.documents import DocumentContent
from services.insurance.models import (
    Claim,
    ClaimAppeal,
    ClaimDocument,
    Policy,
    PremiumShare,
    Product,
    ProductVersion,
)
from services.insurance.policies import payable
from services.insurance.products import rules
from services.insurance.renewals import Outcome
from services.insurance.village_enrolment import VillageEnrolment
from shared.clock import iso, local_date, now_utc
from shared.contracts.insurance import (
    BulkEnrolOut,
    ClaimOut,
    DocumentContentOut,
    PolicyOut,
    ProductOut,
    PublicClaimOut,
    RenewalDueOut,
    RenewalOut,
)
from shared.history import history_view
from shared.identity import mask_account_no, mask_id_number, mask_phone
from shared.schemas import shaped

PRODUCT = ProductOut()
POLICY = PolicyOut()
CLAIM = ClaimOut()
PUBLIC_CLAIM = PublicClaimOut()
DOCUMENT_CONTENT = DocumentContentOut()
VILLAGE_ENROLMENT = BulkEnrolOut()
RENEWAL_DUE = RenewalDueOut()
RENEWAL = RenewalOut()


def product_view(product: Product) -> dict:
    return shaped(PRODUCT, {
        "code": product.code, "version": product.version, "name": product.name,
        "payout_fund_code": product.payout_fund_code,
        "per_claim_cap_fen": product.per_claim_cap_fen,
        "per_year_cap_fen": product.per_year_cap_fen, "waiting_days": product.waiting_days,
        "term_days": product.term_days, "min_age": product.min_age,
        "max_age": product.max_age, "categories": list(product.categories or []),
        "care_visit": product.care_visit,
        "premium_fen": product.premium_fen or 0,
        "premium_shares": [{"payer": s["payer"], "share_pct": s["share_pct"],
                            "fund_code": s.get("fund_code")}
                           for s in product.premium_shares or []],
        "care_visit_skills": list(product.care_visit_skills or []),
        "required_documents": list(product.required_documents or [])})


def policy_status(policy: Policy, today: date) -> str:
    """As the hourly closing will make it: a policy past its end is expired if renewed,
    lapsed if not."""
    if policy.status == "active" and policy.end_date < today:
        return domain.ended(policy.status, policy.renewal is not None)
    return policy.status


def policy_view(policy: Policy, today: date | None = None) -> dict:
    """`today`: the association's date (a policy past its end shows as expired)."""
    today = today or local_date(now_utc())
    return shaped(POLICY, {
        "id": policy.id, "policy_no": policy.policy_no, "product_code": policy.product.code,
        "product_version": policy.product_version.version,
        "premium_fen": policy.product_version.terms.get("premium_fen") or 0,
        "shares": [_share(s) for s in policy.shares],
        "status": policy_status(policy, today), "start_date": policy.start_date.isoformat(),
        "end_date": policy.end_date.isoformat(),
        "insured": {"name": policy.insured_name,
                    "id_number": mask_id_number(policy.insured_id_number),
                    "phone": mask_phone(policy.insured_phone)},
        "family_category": policy.family_category, "family_code": policy.family_code,
        "family_id": policy.family_id, "village_code": policy.village_code,
        "renews_policy_no": policy.renews.policy_no if policy.renews else None,
        "cancel_reason": policy.cancel_reason, "history": history_view(policy.history)})


def renewal_due_view(policy: Policy, version: ProductVersion) -> dict:
    """A policy ending soon, with the renewal made of it or what one would cost whom."""
    terms = rules(policy.product.code, version.terms)
    start = domain.renewal_start(policy.end_date)
    return shaped(RENEWAL_DUE, {
        "id": policy.id, "policy_no": policy.policy_no, "status": policy.status,
        "insured": {"name": policy.insured_name,
                    "id_number": mask_id_number(policy.insured_id_number),
                    "phone": mask_phone(policy.insured_phone)},
        "family_code": policy.family_code, "village_code": policy.village_code,
        "end_date": policy.end_date.isoformat(), "next_start_date": start.isoformat(),
        "next_end_date": domain.end_date(terms, start).isoformat(),
        "product_version": version.version,
        "premium_fen": version.terms.get("premium_fen") or 0,
        "shares": [{"payer": share["payer"], "share_pct": share["share_pct"],
                    "amount_fen": amount, "fund_code": share.get("fund_code")}
                   for share, amount in payable(version.terms)],
        "renewal": _renewal(policy.renewal)})


def _renewal(renewal: Policy | None) -> dict | None:
    if renewal is None:
        return None
    return {"policy_no": renewal.policy_no, "status": renewal.status,
            "unpaid_fen": sum(s.amount_fen for s in renewal.shares if s.status != "paid"),
            "shares": [_share(s) for s in renewal.shares]}


def renewal_view(outcomes: list[Outcome]) -> dict:
    return shaped(RENEWAL, {
        "renewed": sum(o.outcome == "renewed" for o in outcomes),
        "results": [{"policy_no": o.policy_no, "outcome": o.outcome, "message": o.message,
                     "renewal_policy_no": o.renewal_policy_no} for o in outcomes]})


def _share(share: PremiumShare) -> dict:
    return {"payer": share.payer, "share_pct": share.share_pct, "amount_fen": share.amount_fen,
            "fund_code": share.fund_code, "status": share.status, "paid_by": share.paid_by,
            "paid_at": iso(share.paid_at), "disbursement_id": share.disbursement_id}


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
        "history": history_view(claim.history), "payout": _payout(claim),
        "payee": _payee(claim), "documents": [_document(d) for d in claim.documents],
        "missing_documents": documents.missing(claim), "appeal": _appeal(claim.appeal)})


def _payee(claim: Claim) -> dict | None:
    if claim.payee_account_no is None:
        return None
    return {"name": claim.payee_name, "bank": claim.payee_bank,
            "account_no": mask_account_no(claim.payee_account_no)}


def _document(document: ClaimDocument) -> dict:
    return {"kind": document.kind, "sha256": document.sha256,
            "size_bytes": document.size_bytes, "content_type": document.content_type,
            "filename": document.filename, "uploaded_by": document.uploaded_by,
            "uploaded_at": iso(document.uploaded_at)}


def _appeal(appeal: ClaimAppeal | None) -> dict | None:
    if appeal is None:
        return None
    return {"reason": appeal.reason, "appealed_by": appeal.appealed_by,
            "appealed_at": iso(appeal.appealed_at), "rejected_by": appeal.rejected_by,
            "decision": appeal.decision, "decision_reason": appeal.decision_reason,
            "decided_by": appeal.decided_by, "decided_at": iso(appeal.decided_at)}


def public_claim_view(claim: Claim) -> dict:
    """All the public may learn of a claim: its number and status."""
    return shaped(PUBLIC_CLAIM, {"claim_no": claim.claim_no, "status": claim.status})


def document_content_view(found: DocumentContent) -> dict:
    return shaped(DOCUMENT_CONTENT, {"content_type": found.document.content_type,
                                     "filename": found.document.filename,
                                     "content": base64.b64encode(found.content).decode()})


def village_enrolment_view(enrolment: VillageEnrolment) -> dict:
    return shaped(VILLAGE_ENROLMENT, {
        "enrolled": len(enrolment.policy_nos), "policy_nos": list(enrolment.policy_nos),
        "skipped": [{"name": s.name, "reason": s.reason, "message": s.message}
                    for s in enrolment.skipped]})


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
