"""Rows and the use cases' results as the JSON the world sees, through the Out schemas of
the fund's contract: identity numbers always masked, donors never named in public."""
from services.fund.disclosure import FundMoney, Payment, Spending, Trace
from services.fund.domain import ALREADY_THERE, IMPORTED, Reconciliation
from services.fund.grassroots import GrassrootsTotal
from services.fund.models import (
    Disbursement,
    Donation,
    Donor,
    Fund,
    Pledge,
    Project,
    RecurringPlan,
)
from services.fund.projects import ProjectMoney
from services.fund.receipts import AnnualReceipt
from services.fund.statements import Statement
from shared.clock import iso
from shared.contracts.fund import (
    AnnualReceiptOut,
    DisbursementOut,
    DonationOut,
    DonorOut,
    FundOut,
    FundProjectOut,
    GrassrootsTotalsOut,
    IdentityOut,
    PledgeOut,
    ProjectOut,
    PublicDisbursementOut,
    PublicFundOut,
    PublicSpendingOut,
    ReceiptOut,
    RecurringOut,
    StatementOut,
    StatementPageOut,
    TraceOut,
)
from shared.errors import DomainError
from shared.history import history_view
from shared.identity import (
    mask_credit_code,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
)
from shared.money import amount_in_words
from shared.schemas import shaped
from shared.settings import association_name, public_url

FUND = FundOut()
PROJECT = ProjectOut()
FUND_PROJECT = FundProjectOut()
DONOR = DonorOut()
IDENTITY = IdentityOut()
DONATION = DonationOut()
DISBURSEMENT = DisbursementOut()
PLEDGE = PledgeOut()
RECURRING = RecurringOut()
STATEMENT = StatementOut()
STATEMENT_PAGE = StatementPageOut()
GRASSROOTS_TOTALS = GrassrootsTotalsOut()
RECEIPT = ReceiptOut()
ANNUAL_RECEIPT = AnnualReceiptOut()
PUBLIC_FUND = PublicFundOut()
PUBLIC_PAYMENT = PublicDisbursementOut()
PUBLIC_SPENDING = PublicSpendingOut()
TRACE = TraceOut()


def fund_view(fund: Fund) -> dict:
    return shaped(FUND, {"code": fund.code, "name": fund.name, "restricted": fund.restricted,
                         "balance_fen": fund.balance_fen, "in_kind_fen": fund.in_kind_fen,
                         "allowed_categories": list(fund.allowed_categories or [])})


def project_view(money: ProjectMoney) -> dict:
    project = money.project
    return shaped(PROJECT, {"code": project.code, "name": project.name,
                            "purpose": project.purpose, "budget_fen": project.budget_fen,
                            "received_fen": money.received_fen, "spent_fen": money.spent_fen,
                            "balance_fen": project.balance_fen})


def fund_project_view(project: Project) -> dict:
    return shaped(FUND_PROJECT, {"fund_code": project.fund.code, "code": project.code,
                                 "name": project.name, "budget_fen": project.budget_fen,
                                 "balance_fen": project.balance_fen})


def donor_view(donor: Donor) -> dict:
    return shaped(DONOR, {"id": donor.id, "kind": donor.kind, "name": donor.name,
                          "id_number": mask_id_number(donor.id_number),
                          "credit_code": mask_credit_code(donor.credit_code),
                          "phone": mask_phone(donor.phone), "email": mask_email(donor.email)})


def identity_view(donor: Donor) -> dict:
    """The one answer with a full identity number: for an admin, whose look is recorded."""
    return shaped(IDENTITY, {"donor_id": donor.id, "id_number": donor.id_number,
                             "credit_code": donor.credit_code})


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


def import_report_view(outcomes: list) -> dict:
    """A donation import's counts, and its bad rows by position with why."""
    return {"imported": outcomes.count(IMPORTED),
            "already_there": outcomes.count(ALREADY_THERE),
            "bad": [{"row": n, "message": outcome.message, "fields": outcome.fields}
                    for n, outcome in enumerate(outcomes) if isinstance(outcome, DomainError)]}


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
        "history": history_view(pledge.history), "recurring_plan_id": pledge.recurring_plan_id,
        "month": pledge.month})


def recurring_view(plan: RecurringPlan) -> dict:
    return shaped(RECURRING, {
        "id": plan.id, "status": plan.status, "donor_id": plan.donor_id,
        "fund_code": plan.fund.code, "project_code": plan.project.code if plan.project else None,
        "amount_fen": plan.amount_fen, "channel": plan.channel, "months": plan.months,
        "months_made": plan.months_made,
        "next_month_on": plan.next_month_on.isoformat() if plan.next_month_on else None,
        "confirmed_fen": sum(p.amount_fen for p in plan.pledges if p.status == "confirmed"),
        "created_at": iso(plan.created_at),
        "pledges": [pledge_view(pledge) for pledge in plan.pledges],
        "history": history_view(plan.history)})


def reconciliation_view(report: Reconciliation) -> dict:
    return {"matched": report.matched, "already": report.already,
            "unmatched": report.unmatched}


def statement_view(statement: Statement) -> dict:
    return shaped(STATEMENT if statement.months is None else STATEMENT_PAGE, {
        "fund_code": statement.fund_code, "from": statement.start.isoformat(),
        "to": statement.end.isoformat(),
        "opening_balance_fen": statement.opening_balance_fen,
        "closing_balance_fen": statement.closing_balance_fen,
        "total_in_fen": statement.total_in_fen, "total_out_fen": statement.total_out_fen,
        "lines": [{"posted_at": iso(line.posted_at), "kind": line.kind, "memo": line.memo,
                   "in_fen": line.in_fen, "out_fen": line.out_fen,
                   "balance_fen": line.balance_fen} for line in statement.lines],
        **({} if statement.months is None else {
            "line_count": statement.line_count,
            "months": [{"month": month, "in_fen": money_in, "out_fen": money_out}
                       for month, money_in, money_out in statement.months]})})


def grassroots_totals_view(totals: list[GrassrootsTotal]) -> dict:
    return shaped(GRASSROOTS_TOTALS, {"items": [
        {"code": total.code, "donations_fen": total.donations_fen, "spent_fen": total.spent_fen}
        for total in totals]})


def receipt_view(donation: Donation) -> dict:
    return shaped(RECEIPT, {
        "receipt_no": donation.receipt_no, "amount_fen": donation.amount_fen,
        "amount_in_words": amount_in_words(donation.amount_fen),
        "fund_name": donation.fund.name,
        "project_name": donation.project.name if donation.project else None,
        "donor_name": donation.donor.name, "in_kind_description": donation.description,
        "issued_at": iso(donation.recorded_at), "association_name": association_name(),
        "trace_url": f"{public_url()}/public/trace/{donation.receipt_no}",
        "status": _receipt_status(donation)})


def _receipt_status(donation: Donation) -> str:
    return "void" if donation.status == "refunded" else "valid"


def annual_receipt_view(annual: AnnualReceipt) -> dict:
    total = annual.total_fen
    return shaped(ANNUAL_RECEIPT, {
        "donor_id": annual.donor.id, "donor_name": annual.donor.name, "year": annual.year,
        "total_fen": total, "total_in_words": amount_in_words(total) if total else "零元整",
        "association_name": association_name(),
        "receipts": [receipt_view(gift) for gift in annual.gifts]})


def public_fund_view(money: FundMoney) -> dict:
    fund = money.fund
    return shaped(PUBLIC_FUND, {
        "code": fund.code, "name": fund.name, "restricted": fund.restricted,
        "received_fen": money.received_fen, "spent_fen": money.spent_fen,
        "balance_fen": fund.balance_fen,
        "projects": [project_view(project) for project in money.projects]})


def public_payment_view(payment: Payment) -> dict:
    disbursement = payment.disbursement
    return shaped(PUBLIC_PAYMENT, {
        "paid_at": iso(payment.paid_at), "fund_code": disbursement.fund.code,
        "project_code": disbursement.project.code if disbursement.project else None,
        "category": disbursement.category, "amount_fen": disbursement.amount_fen,
        "payee": mask_name(disbursement.payee_name)})


def public_spending_view(spending: Spending) -> dict:
    return shaped(PUBLIC_SPENDING, {
        name: [{"key": key, "amount_fen": fen} for key, fen in sorted(sums.items())]
        for name, sums in (("by_month", spending.by_month),
                           ("by_category", spending.by_category),
                           ("by_project", spending.by_project))})


def trace_view(trace: Trace) -> dict:
    donation = trace.donation
    return shaped(TRACE, {
        "receipt_no": donation.receipt_no, "recorded_at": iso(donation.recorded_at),
        "amount_fen": donation.amount_fen, "status": _receipt_status(donation),
        "fund_code": donation.fund.code, "fund_name": donation.fund.name,
        "project_code": donation.project.code if donation.project else None,
        "project_name": donation.project.name if donation.project else None,
        "paid_out_since_fen": trace.paid_out_since_fen,
        "paid_out_since": [public_payment_view(payment) for payment in trace.latest]})
