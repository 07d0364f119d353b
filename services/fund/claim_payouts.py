"""The fund's side of the claim payout saga: an approved claim opens a disbursement
from the product's payout fund, keyed by the claim so it is paid at most once."""
from sqlalchemy.orm import Session

from services.fund import disbursements, ledger
from services.fund.domain import check_spending
from shared.errors import DomainError, InvalidInput

SYSTEM_ACTOR = "insurance"


def check_payout_fund(session: Session, association: str, code: str) -> None:
    """A product may name only a fund that can pay its claims; otherwise every approved
    claim's payout would fail later, out of sight."""
    try:
        fund = ledger.find_fund(session, association, code)
        check_spending(fund.restricted, fund.allowed_categories, "insurance_payout", None,
                       needs_project=False)
    except DomainError as refused:
        raise InvalidInput(f"Fund {code} cannot pay insurance claims: {refused.message}",
                           "payout_fund_unusable",
                           {"payout_fund_code": [refused.message]}) from None


def open_payout(session: Session, envelope: dict) -> None:
    data = envelope["data"]
    source_key = f"claim:{data['association_code']}:{data['claim_id']}"
    if disbursements.by_source(session, data["association_code"], source_key) is not None:
        return  # this claim already has its disbursement
    purpose = f"insurance claim {data['claim_no']} ({data['product_code']})"
    if data.get("payee_account_masked"):
        # The account by its last digits only (the event carries no more): in the
        # disbursement's purpose, so its answers and the fund's statement lines name it.
        purpose = f"{purpose}, to {data['payee_bank']} account {data['payee_account_masked']}"
    body = {"fund_code": data["payout_fund_code"], "category": "insurance_payout",
            "amount_fen": data["amount_approved_fen"], "purpose": purpose,
            "payee": {"name": data.get("payee_name") or data["insured_name"]},
            "reference": data["claim_no"],
            "family_id": data.get("family_id"),
            # A claim is the association's own business, not a grassroots association's.
            "grassroots_code": data["association_code"]}
    requester = {"username": f"{SYSTEM_ACTOR}:{data['approved_by']}"}
    disbursement = disbursements.request(session, data["association_code"], body, requester,
                                         source_key=source_key)
    # The claim was already approved under four eyes in the insurance service.
    disbursements.pay(session, disbursement, disbursements.Decider(SYSTEM_ACTOR),
                      wait_for_funds=True)
