"""The fund's API: funds, donations, disbursements, projects, pledges, receipts and
the public disclosure of how the money was used."""
from services.gateway import exports, payment_signature, public_cache
from services.gateway.exports import EXPORT_SECONDS, SPREADSHEETS, export_query
from services.gateway.routes import json_answer, route
from shared.actors import (
    ADMIN,
    ANYONE,
    DONOR_READERS,
    DONORS,
    EVERYONE,
    IDENTITY_REVEALERS,
    PLEDGERS,
    STAFF,
    STAFF_READERS,
    public_actor,
    system_actor,
)
from shared.contracts.fund import (
    AnnualReceiptIn,
    AnnualReceiptOut,
    ConfirmIn,
    DisbursementIn,
    DisbursementListIn,
    DisbursementOut,
    DonationListIn,
    DonationOut,
    DonorDonationIn,
    DonorListIn,
    DonorOut,
    FundIn,
    FundOut,
    IdentityOut,
    PaymentNotifyIn,
    PledgeIn,
    PledgeListIn,
    PledgeOut,
    ProjectIn,
    ProjectOut,
    PublicDisbursementOut,
    PublicFundOut,
    PublicPeriodIn,
    PublicSpendingOut,
    ReceiptOut,
    RecurringListIn,
    RecurringOut,
    StatementIn,
    StatementOut,
    TraceOut,
)
from shared.errors import InvalidInput, NotFound
from shared.schemas import PageIn, ReasonIn


class FundApi:
    """Mixed into GatewayService."""

    @route("GET", "/api/v1/funds", "Funds and their balances", ANYONE, query=PageIn,
           response=FundOut, many=True, tags=["fund"])
    def list_funds(self, call):
        return self.fund.list_funds(call.actor, call.request.args.to_dict())

    @route("POST", "/api/v1/funds", "Open a fund (or see the one with this code)", ADMIN,
           body=FundIn, response=FundOut, status=201, tags=["fund"])
    def open_fund(self, call):
        return self.fund.ensure_fund(call.raw_body, call.actor)

    @route("GET", "/api/v1/funds/<code>", "One fund", ANYONE, response=FundOut, tags=["fund"])
    def get_fund(self, call, code):
        return self.fund.get_fund(code, call.actor)

    @route("GET", "/api/v1/funds/<code>/statement", "A fund's statement for a period",
           STAFF_READERS, query=StatementIn, response=StatementOut, tags=["fund"])
    def statement(self, call, code):
        return self.fund.statement(code, call.request.args.to_dict(), call.actor)

    @route("POST", "/api/v1/donations", "Record a donation; a numbered receipt comes back",
           DONORS, body=DonorDonationIn, response=DonationOut, status=201,
           tags=["fund"], headers={"Idempotency-Key": "Retry safely: the same key and body "
                                   "return the first answer; another body gets 409."})
    def record_donation(self, call):
        return self.fund.record_donation(call.raw_body, _idempotency_key(call), call.actor)

    @route("GET", "/api/v1/donations", "Donations (a donor sees only their own)",
           DONOR_READERS, query=DonationListIn, response=DonationOut, many=True,
           tags=["fund"])
    def list_donations(self, call):
        return self.fund.list_donations(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/donations/export", "Donations as a spreadsheet (xlsx; CSV with "
           "?format=csv), the list's filters taken", DONOR_READERS,
           query=export_query(DonationListIn), binary=SPREADSHEETS,
           seconds=EXPORT_SECONDS, tags=["fund"])
    def export_donations(self, call):
        return exports.answer(call, "donations", self.fund.list_donations)

    @route("GET", "/api/v1/donations/<int:donation_id>", "One donation", DONOR_READERS,
           response=DonationOut, tags=["fund"])
    def get_donation(self, call, donation_id):
        return self.fund.get_donation(donation_id, call.actor)

    @route("POST", "/api/v1/donations/<int:donation_id>/refund",
           "Refund a donation by a reversing entry", STAFF, body=ReasonIn,
           response=DonationOut, tags=["fund"])
    def refund_donation(self, call, donation_id):
        return self.fund.refund_donation(donation_id, call.raw_body, call.actor)

    @route("GET", "/api/v1/donors", "Donors, the latest first (identity numbers and phones "
           "masked)", STAFF_READERS, query=DonorListIn, response=DonorOut, many=True,
           tags=["fund"])
    def list_donors(self, call):
        return self.fund.list_donors(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/donors/export", "Donors as a spreadsheet (xlsx; CSV with "
           "?format=csv), the list's filters taken", STAFF_READERS,
           query=export_query(DonorListIn), binary=SPREADSHEETS,
           seconds=EXPORT_SECONDS, tags=["fund"])
    def export_donors(self, call):
        return exports.answer(call, "donors", self.fund.list_donors)

    @route("GET", "/api/v1/donors/<int:donor_id>", "A donor (identity number masked; a donor "
           "reads only themself)", DONOR_READERS, response=DonorOut, tags=["fund"])
    def get_donor(self, call, donor_id):
        return self.fund.get_donor(donor_id, call.actor)

    @route("GET", "/api/v1/donors/<int:donor_id>/identity",
           "A donor's full identity number and credit code, for a reason (`?reason=`, "
           "required): every look goes into the audit log with who, when and why",
           IDENTITY_REVEALERS, query=ReasonIn, response=IdentityOut, tags=["fund"])
    def reveal_donor_identity(self, call, donor_id):
        return self.fund.reveal_donor_identity(donor_id, call.query, call.actor)

    @route("POST", "/api/v1/disbursements", "Request a disbursement", STAFF,
           body=DisbursementIn, response=DisbursementOut, status=201, tags=["fund"])
    def request_disbursement(self, call):
        return self.fund.request_disbursement(call.raw_body, call.actor)

    @route("GET", "/api/v1/disbursements", "Disbursements", STAFF_READERS, query=DisbursementListIn,
           response=DisbursementOut, many=True, tags=["fund"])
    def list_disbursements(self, call):
        return self.fund.list_disbursements(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/disbursements/export", "Disbursements as a spreadsheet (xlsx; CSV with "
           "?format=csv), the list's filters taken", STAFF_READERS,
           query=export_query(DisbursementListIn), binary=SPREADSHEETS,
           seconds=EXPORT_SECONDS, tags=["fund"])
    def export_disbursements(self, call):
        return exports.answer(call, "disbursements", self.fund.list_disbursements)

    @route("GET", "/api/v1/disbursements/<int:disbursement_id>", "One disbursement", STAFF_READERS,
           response=DisbursementOut, tags=["fund"])
    def get_disbursement(self, call, disbursement_id):
        return self.fund.get_disbursement(disbursement_id, call.actor)

    @route("POST", "/api/v1/disbursements/<int:disbursement_id>/approve",
           "Approve (not your own request): paid, or rejected for insufficient funds", STAFF,
           response=DisbursementOut, tags=["fund"])
    def approve_disbursement(self, call, disbursement_id):
        return self.fund.approve_disbursement(disbursement_id, call.actor)

    @route("POST", "/api/v1/disbursements/<int:disbursement_id>/reject",
           "Reject with a reason", STAFF, body=ReasonIn, response=DisbursementOut,
           tags=["fund"])
    def reject_disbursement(self, call, disbursement_id):
        return self.fund.reject_disbursement(disbursement_id, call.raw_body, call.actor)

    @route("POST", "/api/v1/funds/<code>/projects", "Open a project inside a fund", ADMIN,
           body=ProjectIn, response=ProjectOut, status=201, tags=["fund"])
    def create_project(self, call, code):
        return self.fund.create_project(code, call.raw_body, call.actor)

    @route("GET", "/api/v1/funds/<code>/projects", "A fund's projects: budget, in, out, left",
           EVERYONE, public=True, response=ProjectOut, many=True, tags=["fund"])
    def list_projects(self, call, code):
        return self.fund.list_projects(code, call.actor)

    @route("POST", "/api/v1/pledges", "Pledge a gift online: pending until the money arrives "
           "(with `recurring`, the first month of a monthly plan)",
           PLEDGERS, public=True, body=PledgeIn, response=PledgeOut, status=201, tags=["fund"],
           headers={"Idempotency-Key": "Retry safely: the same key and body return the first "
                                       "answer; another body gets 409."})
    def create_pledge(self, call):
        return self.fund.create_pledge(call.raw_body, _idempotency_key(call), call.actor)

    @route("GET", "/api/v1/pledges", "Pledges (a donor sees only their own)", DONOR_READERS,
           query=PledgeListIn, response=PledgeOut, many=True, tags=["fund"])
    def list_pledges(self, call):
        return self.fund.list_pledges(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/pledges/export", "Pledges as a spreadsheet (xlsx; CSV with "
           "?format=csv), the list's filters taken", DONOR_READERS,
           query=export_query(PledgeListIn), binary=SPREADSHEETS,
           seconds=EXPORT_SECONDS, tags=["fund"])
    def export_pledges(self, call):
        return exports.answer(call, "pledges", self.fund.list_pledges)

    @route("GET", "/api/v1/pledges/<int:pledge_id>", "One pledge", DONOR_READERS,
           response=PledgeOut, tags=["fund"])
    def get_pledge(self, call, pledge_id):
        return self.fund.get_pledge(pledge_id, call.actor)

    @route("POST", "/api/v1/pledges/<int:pledge_id>/confirm",
           "Confirm the money arrived: the pledge becomes a donation with its receipt", STAFF,
           body=ConfirmIn, response=PledgeOut, tags=["fund"])
    def confirm_pledge(self, call, pledge_id):
        return self.fund.confirm_pledge(pledge_id, call.raw_body, call.actor)

    @route("POST", "/api/v1/pledges/<int:pledge_id>/cancel", "Cancel a pledge", DONORS,
           response=PledgeOut, tags=["fund"])
    def cancel_pledge(self, call, pledge_id):
        return self.fund.cancel_pledge(pledge_id, call.actor)

    @route("GET", "/api/v1/recurring", "Recurring gift plans (a donor sees only their own)",
           DONOR_READERS, query=RecurringListIn, response=RecurringOut, many=True,
           tags=["fund"])
    def list_recurring(self, call):
        return self.fund.list_recurring(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/recurring/<int:plan_id>", "One recurring gift plan and its months",
           DONOR_READERS, response=RecurringOut, tags=["fund"])
    def get_recurring(self, call, plan_id):
        return self.fund.get_recurring(plan_id, call.actor)

    @route("POST", "/api/v1/recurring/<int:plan_id>/cancel",
           "Cancel a recurring gift: the months not yet made are never made", DONORS,
           response=RecurringOut, tags=["fund"])
    def cancel_recurring(self, call, plan_id):
        return self.fund.cancel_recurring(plan_id, call.actor)

    @route("POST", "/api/v1/payments/notify",
           "A payment channel says a pledge was paid (signed: X-PHF-Timestamp, "
           "X-PHF-Signature = hex HMAC-SHA256 of timestamp.body)", None,
           check=payment_signature.check, body=PaymentNotifyIn, response=PledgeOut,
           tags=["fund"], headers={"X-PHF-Timestamp": "Unix seconds",
                                   "X-PHF-Signature": "hex HMAC-SHA256"})
    def payment_notify(self, call):
        return self.fund.payment_notified(call.raw_body, system_actor("payment-channel"))

    @route("GET", "/api/v1/donations/<int:donation_id>/receipt",
           "The official receipt, amount in Chinese capitals", DONOR_READERS,
           response=ReceiptOut, tags=["fund"])
    def donation_receipt(self, call, donation_id):
        return self.fund.get_receipt(donation_id, call.actor)

    @route("GET", "/api/v1/donors/<int:donor_id>/annual-receipt",
           "A donor's valid gifts of one year on one receipt", DONOR_READERS,
           query=AnnualReceiptIn, response=AnnualReceiptOut, tags=["fund"])
    def annual_receipt(self, call, donor_id):
        return self.fund.annual_receipt(donor_id, call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/public/<association>/funds",
           "Each fund's money received, spent and left, with its projects", None,
           response=PublicFundOut, many=True, tags=["public"])
    def public_funds(self, call, association):
        visitor = _public(association)
        return public_cache.serve(call.request, association, ("funds", association),
                                  lambda: json_answer(self.fund.public_funds(visitor)))

    @route("GET", "/api/v1/public/<association>/disbursements",
           "What was paid out, to whom (masked), from which fund and project", None,
           query=PublicPeriodIn, response=PublicDisbursementOut, many=True, tags=["public"])
    def public_disbursements(self, call, association):
        visitor = _public(association)
        return public_cache.serve(
            call.request, association, ("disbursements", association, _as_key(call.query)),
            lambda: json_answer(self.fund.public_disbursements(call.request.args.to_dict(),
                                                               visitor)))

    @route("GET", "/api/v1/public/<association>/spending",
           "Money paid out by month, category and project", None, query=PublicPeriodIn,
           response=PublicSpendingOut, tags=["public"])
    def public_spending(self, call, association):
        visitor = _public(association)
        return public_cache.serve(
            call.request, association, ("spending", association, _as_key(call.query)),
            lambda: json_answer(self.fund.public_spending(call.request.args.to_dict(),
                                                          visitor)))

    @route("GET", "/api/v1/public/trace/<receipt_no>",
           "Where a gift went: its fund and project and what they paid out since", None,
           response=TraceOut, tags=["public"])
    def trace(self, call, receipt_no):
        return self.fund.trace(receipt_no, public_actor())


def _idempotency_key(call) -> str | None:
    key = (call.request.headers.get("Idempotency-Key") or "").strip() or None
    if key is not None and (len(key) > 200 or not key.isprintable()):
        raise InvalidInput("The Idempotency-Key header must be at most 200 printable "
                           "characters.", "invalid_input",
                           {"Idempotency-Key": ["At most 200 printable characters."]})
    return key

def _public(association: str) -> dict:
    if not (len(association) == 6 and association.isascii() and association.isdigit()):
        raise NotFound(f"No association {association}.", "association_not_found",
                       {"association_code": ["Six digits: a GB/T 2260 region code."]})
    return public_actor(association)


def _as_key(query: dict) -> tuple:
    # The query as validated (dates, numbers), so `?limit=020` and `?limit=20` share one.
    return tuple(sorted(query.items()))
