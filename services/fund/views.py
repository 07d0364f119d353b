"""Rows as the JSON the world sees, through the Out schemas of the fund's contract:
identity numbers always masked."""
from services.fund.models import Disbursement, Donation, Donor, Fund
from shared.clock import iso
from shared.contracts.fund import DisbursementOut, DonationOut, DonorOut, FundOut
from shared.history import history_view
from shared.identity import mask_id_number, mask_phone
from shared.schemas import shaped

FUND, DONOR, DONATION, DISBURSEMENT = FundOut(), DonorOut(), DonationOut(), DisbursementOut()


def fund_view(fund: Fund) -> dict:
    return shaped(FUND, {"code": fund.code, "name": fund.name, "restricted": fund.restricted,
                         "balance_fen": fund.balance_fen})


def donor_view(donor: Donor) -> dict:
    return shaped(DONOR, {"id": donor.id, "kind": donor.kind, "name": donor.name,
                          "id_number": mask_id_number(donor.id_number),
                          "credit_code": donor.credit_code, "phone": mask_phone(donor.phone)})


def donation_view(donation: Donation) -> dict:
    return shaped(DONATION, {
        "id": donation.id, "receipt_no": donation.receipt_no,
        "amount_fen": donation.amount_fen, "fund_code": donation.fund.code,
        "donor_id": donation.donor_id, "channel": donation.channel,
        "anonymous": donation.anonymous, "note": donation.note, "status": donation.status,
        "recorded_at": iso(donation.recorded_at), "refund_reason": donation.refund_reason})


def disbursement_view(disbursement: Disbursement) -> dict:
    return shaped(DISBURSEMENT, {
        "id": disbursement.id, "fund_code": disbursement.fund.code,
        "amount_fen": disbursement.amount_fen, "purpose": disbursement.purpose,
        "payee": {"name": disbursement.payee_name,
                  "id_number": mask_id_number(disbursement.payee_id_number)},
        "reference": disbursement.reference, "status": disbursement.status,
        "reason": disbursement.reason, "requested_by": disbursement.requested_by,
        "decided_by": disbursement.decided_by, "requested_at": iso(disbursement.requested_at),
        "decided_at": iso(disbursement.decided_at),
        "history": history_view(disbursement.history)})
