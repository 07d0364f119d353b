"""Rows as the JSON the world sees, through the Out schemas of the fund's contract:
identity numbers always masked."""
from services.fund.models import Disbursement, Donation, Donor, Fund, Pledge, Project
from shared.clock import iso
from shared.contracts.fund import (
    DisbursementOut,
    DonationOut,
    DonorOut,
    FundOut,
    PledgeOut,
    ProjectOut,
)
from shared.history import history_view
from shared.identity import mask_credit_code, mask_id_number, mask_phone
from shared.schemas import shaped

FUND, DONOR, DONATION, DISBURSEMENT = FundOut(), DonorOut(), DonationOut(), DisbursementOut()
PROJECT, PLEDGE = ProjectOut(), PledgeOut()


def fund_view(fund: Fund) -> dict:
    return shaped(FUND, {"code": fund.code, "name": fund.name, "restricted": fund.restricted,
                         "balance_fen": fund.balance_fen, "in_kind_fen": fund.in_kind_fen,
                         "allowed_categories": list(fund.allowed_categories or [])})


def project_view(project: Project, received_fen: int, spent_fen: int) -> dict:
    return shaped(PROJECT, {"code": project.code, "name": project.name,
                            "purpose": project.purpose, "budget_fen": project.budget_fen,
                            "received_fen": received_fen, "spent_fen": spent_fen,
                            "balance_fen": project.balance_fen})


def donor_view(donor: Donor) -> dict:
    return shaped(DONOR, {"id": donor.id, "kind": donor.kind, "name": donor.name,
                          "id_number": mask_id_number(donor.id_number),
                          "credit_code": mask_credit_code(donor.credit_code),
                          "phone": mask_phone(donor.phone)})


def donation_view(donation: Donation) -> dict:
    return shaped(DONATION, {
        "id": donation.id, "receipt_no": donation.receipt_no,
        "amount_fen": donation.amount_fen, "fund_code": donation.fund.code,
        "project_code": donation.project.code if donation.project else None,
        "description": donation.description, "recorded_by": donation.recorded_by,
        "donor_id": donation.donor_id, "channel": donation.channel,
        "anonymous": donation.anonymous, "note": donation.note, "status": donation.status,
        "recorded_at": iso(donation.recorded_at), "refund_reason": donation.refund_reason,
        "grassroots_code": donation.grassroots_code,
        "history": history_view(donation.history)})


def disbursement_view(disbursement: Disbursement) -> dict:
    return shaped(DISBURSEMENT, {
        "id": disbursement.id, "fund_code": disbursement.fund.code,
        "category": disbursement.category,
        "project_code": disbursement.project.code if disbursement.project else None,
        "amount_fen": disbursement.amount_fen, "purpose": disbursement.purpose,
        "payee": {"name": disbursement.payee_name,
                  "id_number": mask_id_number(disbursement.payee_id_number)},
        "reference": disbursement.reference, "family_id": disbursement.family_id,
        "grassroots_code": disbursement.grassroots_code, "status": disbursement.status,
        "reason": disbursement.reason, "requested_by": disbursement.requested_by,
        "decided_by": disbursement.decided_by, "requested_at": iso(disbursement.requested_at),
        "decided_at": iso(disbursement.decided_at),
        "history": history_view(disbursement.history)})


def pledge_view(pledge: Pledge) -> dict:
    return shaped(PLEDGE, {
        "id": pledge.id, "pledge_no": pledge.pledge_no, "status": pledge.status,
        "fund_code": pledge.fund.code,
        "project_code": pledge.project.code if pledge.project else None,
        "amount_fen": pledge.amount_fen, "channel": pledge.channel, "donor_id": pledge.donor_id,
        "anonymous": pledge.anonymous, "pay_reference": pledge.pay_reference,
        "expires_at": iso(pledge.expires_at), "created_at": iso(pledge.created_at),
        "channel_txn_id": pledge.channel_txn_id, "grassroots_code": pledge.grassroots_code,
        "donation": donation_view(pledge.donation) if pledge.donation else None,
        "history": history_view(pledge.history)})
