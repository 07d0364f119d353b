"""The fund's side of the premium saga: a premium share due from a fund opens a disbursement
of category `insurance_premium`, keyed by the share so it is opened, and paid, at most once
however often the event comes. Paid at once if the fund can cover it, otherwise it waits in
the fund's queue like a claim's payout; either answer goes back as the disbursement's event
with the share's key as its `source_key`."""
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.fund import disbursements, ledger
from services.fund.domain import check_spending
from shared.errors import DomainError, InvalidInput

PREMIUM = "insurance_premium"
SYSTEM_ACTOR = "insurance"


def check_premium_fund(session: Session, association: str, code: str) -> None:
    """A product's share may name only a fund that can pay premiums; otherwise every
    policy's premium would fail later, out of sight."""
    try:
        fund = ledger.find_fund(session, association, code)
        check_spending(fund.restricted, fund.allowed_categories, PREMIUM, None,
                       needs_project=False)
    except DomainError as refused:
        raise InvalidInput(f"Fund {code} cannot pay insurance premiums: {refused.message}",
                           "premium_fund_unusable", {"fund_code": [refused.message]}) from None


def open_premium(session: Session, envelope: dict) -> None:
    data = envelope["data"]
    if data["fund_code"] is None:
        return  # a share its payer pays by hand: no fund's business
    if disbursements.by_source(session, data["association_code"], data["share_key"]) is not None:
        return  # this share already has its disbursement
    body = {"fund_code": data["fund_code"], "category": PREMIUM, "amount_fen": data["amount_fen"],
            "purpose": f"insurance premium of policy {data['policy_no']} "
                       f"({data['product_code']}), {data['payer']} share",
            "payee": {"name": data["insured_name"]},
            "reference": f"{data['policy_no']}/{data['payer']}",
            "family_id": data.get("family_id"),
            # A policy is the association's own business, not a grassroots association's.
            "grassroots_code": data["association_code"]}
    requester = {"username": f"{SYSTEM_ACTOR}:{data['enrolled_by']}"}
    try:
        with session.begin_nested():
            disbursement = disbursements.request(session, data["association_code"], body,
                                                 requester, source_key=data["share_key"])
    except IntegrityError:
        return  # a copy of the event delivered at the same moment opened it
    # The share is the product's terms, decided under the association's own rules.
    disbursements.pay(session, disbursement, disbursements.Decider(SYSTEM_ACTOR),
                      wait_for_funds=True)
