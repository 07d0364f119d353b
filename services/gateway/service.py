"""The front door: HTTP in, RPC out. Roles are checked here; rules live in the services."""
import base64
from urllib.parse import quote

import eventlet
from nameko.rpc import RpcProxy
from sqlalchemy import text
from werkzeug.wrappers import Response

from services.gateway import openapi, payment_signature
from services.gateway.applications import ApplicationRoutes
from services.gateway.auth import log_in, revoke, token_answer
from services.gateway.calendar_routes import CalendarRoutes
from services.gateway.context import WorkerContext
from services.gateway.problems import problem
from services.gateway.routes import client_address, route
from services.gateway.schemas import HealthOut, MeOut, TokenIn, TokenOut
from services.gateway.throttle import PUBLIC_LOOKUPS
from services.gateway.users import UserRoutes
from services.gateway.web.admin_pages import AdminPages
from services.gateway.web.application_pages import ApplicationPages
from services.gateway.web.association_pages import AssociationPages
from services.gateway.web.auth_pages import AuthPages
from services.gateway.web.family_pages import FamilyPages
from services.gateway.web.fund_pages import FundPages, PublicPages
from services.gateway.web.insurance_pages import InsurancePages
from services.gateway.web.volunteer_pages import VolunteerPages
from services.gateway.web_server import http
from shared import remote_errors  # noqa: F401 (the services' errors arrive as themselves)
from shared.actors import (
    ADMIN,
    ANYONE,
    COORDINATOR_READERS,
    COORDINATORS,
    DONOR_READERS,
    DONORS,
    FAMILY_READERS,
    LEADERSHIP,
    MEMBER_DAY_HOLDERS,
    MEMBER_KEEPERS,
    STAFF,
    STAFF_READERS,
    VOLUNTEER_READERS,
    VOLUNTEERS,
    public_actor,
    system_actor,
)
from shared.contracts.associations import (
    AssociationIn,
    AssociationListOut,
    AssociationMemberOut,
    AssociationOut,
    DashboardOut,
    MemberDayIn,
    MemberDayOut,
    MemberIn,
    MemberListIn,
    PairingIn,
    RankingIn,
    RankingOut,
)
from shared.contracts.families import (
    CarePlanIn,
    CarePlanOut,
    FamilyIn,
    FamilyListIn,
    FamilyOut,
    FamilyUpdateIn,
    TimelineEntryOut,
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
    StatementIn,
    StatementOut,
    TraceOut,
)
from shared.contracts.insurance import (
    DOCUMENT_TYPES,
    AppealDecisionIn,
    ApproveIn,
    BulkEnrolIn,
    BulkEnrolOut,
    ClaimIn,
    ClaimListIn,
    ClaimOut,
    DocumentIn,
    PaymentIn,
    PolicyIn,
    PolicyListIn,
    PolicyOut,
    ProductIn,
    ProductOut,
    PublicClaimIn,
    PublicClaimOut,
)
from shared.contracts.volunteers import (
    ActivityIn,
    ActivityOut,
    AssignIn,
    AttendanceOut,
    CancelOut,
    CompleteIn,
    HoursCorrectionIn,
    HoursOut,
    PeriodIn,
    ProposalOut,
    RankOut,
    ShiftIn,
    ShiftOut,
    ShiftsIn,
    SignupOut,
    VisitListIn,
    VisitOut,
    VolunteerIn,
    VolunteerOut,
    VolunteerRefIn,
)
from shared.db import Database
from shared.errors import InvalidInput, NotFound
from shared.observability import WorkLog
from shared.schemas import PageIn, ReasonIn, shaped
from shared.settings import document_max_bytes

HEALTH_TIMEOUT_SECONDS = 3


class GatewayService(UserRoutes, CalendarRoutes, ApplicationRoutes, AuthPages, AdminPages,
                     FundPages, PublicPages, InsurancePages, VolunteerPages, ApplicationPages,
                     FamilyPages, AssociationPages):
    """The API under /api/v1 and, through the page mixins, the web pages at /. The gateway
    authenticates and checks coarse roles; who may do what to which record (ownership,
    acting as oneself, four eyes) is each service's own rule."""

    name = "gateway"

    context = WorkerContext()
    work_log = WorkLog()
    db = Database("gateway")
    fund = RpcProxy("fund")
    insurance = RpcProxy("insurance")
    volunteers = RpcProxy("volunteers")
    families = RpcProxy("families")

    @route("GET", "/healthz", "Every service answers", None, response=HealthOut)
    def healthz(self, call):
        services = {"gateway": self._check(self._own_database),
                    "fund": self._check(self.fund.health),
                    "insurance": self._check(self.insurance.health),
                    "volunteers": self._check(self.volunteers.health),
                    "families": self._check(self.families.health)}
        ok = all(state == "ok" for state in services.values())
        return (200 if ok else 503), {"status": "ok" if ok else "degraded",
                                      "services": services}

    @route("GET", "/api/v1/openapi.json", "This document", None)
    def openapi_document(self, call):
        return openapi.build()

    @route("POST", "/api/v1/auth/token", "Log in: a bearer token", None, body=TokenIn,
           response=TokenOut, tags=["auth"])
    def token(self, call):
        user, token, ttl = log_in(self.db, call.body["username"], call.body["password"],
                                  client_address(call.request))
        return token_answer(user, token, ttl)

    @route("POST", "/api/v1/auth/logout", "Log out: this token is refused from now on",
           ANYONE, status=204, tags=["auth"], password_pending=True)
    def api_logout(self, call):
        revoke(self.db, call.request.headers.get("Authorization"))
        return Response(status=204)

    @route("GET", "/api/v1/me", "Who the token belongs to", ANYONE, response=MeOut,
           tags=["auth"])
    def me(self, call):
        return shaped(MeOut(), {name: call.actor.get(name) for name in MeOut().fields})

    # --- funds -------------------------------------------------------------------------
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

    # --- donations ---------------------------------------------------------------------
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

    @route("GET", "/api/v1/donations/<int:donation_id>", "One donation", DONOR_READERS,
           response=DonationOut, tags=["fund"])
    def get_donation(self, call, donation_id):
        return self.fund.get_donation(donation_id, call.actor)

    @route("POST", "/api/v1/donations/<int:donation_id>/refund",
           "Refund a donation by a reversing entry", STAFF, body=ReasonIn,
           response=DonationOut, tags=["fund"])
    def refund_donation(self, call, donation_id):
        return self.fund.refund_donation(donation_id, call.raw_body, call.actor)

    @route("GET", "/api/v1/donors/<int:donor_id>", "A donor (identity number masked)",
           STAFF_READERS, response=DonorOut, tags=["fund"])
    def get_donor(self, call, donor_id):
        return self.fund.get_donor(donor_id, call.actor)

    @route("GET", "/api/v1/donors/<int:donor_id>/identity",
           "A donor's full identity number; every look is recorded", ADMIN,
           response=IdentityOut, tags=["fund"])
    def reveal_donor_identity(self, call, donor_id):
        return self.fund.reveal_donor_identity(donor_id, call.actor)

    # --- disbursements -----------------------------------------------------------------
    @route("POST", "/api/v1/disbursements", "Request a disbursement", STAFF,
           body=DisbursementIn, response=DisbursementOut, status=201, tags=["fund"])
    def request_disbursement(self, call):
        return self.fund.request_disbursement(call.raw_body, call.actor)

    @route("GET", "/api/v1/disbursements", "Disbursements", STAFF_READERS, query=DisbursementListIn,
           response=DisbursementOut, many=True, tags=["fund"])
    def list_disbursements(self, call):
        return self.fund.list_disbursements(call.request.args.to_dict(), call.actor)

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

    # --- projects, pledges, receipts ----------------------------------------------------
    @route("POST", "/api/v1/funds/<code>/projects", "Open a project inside a fund", ADMIN,
           body=ProjectIn, response=ProjectOut, status=201, tags=["fund"])
    def create_project(self, call, code):
        return self.fund.create_project(code, call.raw_body, call.actor)

    @route("GET", "/api/v1/funds/<code>/projects", "A fund's projects: budget, in, out, left",
           ANYONE, response=ProjectOut, many=True, tags=["fund"])
    def list_projects(self, call, code):
        return self.fund.list_projects(code, call.actor)

    @route("POST", "/api/v1/pledges", "Pledge a gift online: pending until the money arrives",
           None, public=True, body=PledgeIn, response=PledgeOut, status=201, tags=["fund"],
           headers={"Idempotency-Key": "Retry safely: the same key and body return the first "
                                       "answer; another body gets 409."})
    def create_pledge(self, call):
        return self.fund.create_pledge(call.raw_body, _idempotency_key(call), call.actor)

    @route("GET", "/api/v1/pledges", "Pledges (a donor sees only their own)", DONOR_READERS,
           query=PledgeListIn, response=PledgeOut, many=True, tags=["fund"])
    def list_pledges(self, call):
        return self.fund.list_pledges(call.request.args.to_dict(), call.actor)

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

    # --- public disclosure (no login) --------------------------------------------------
    @route("GET", "/api/v1/public/<association>/funds",
           "Each fund's money received, spent and left, with its projects", None,
           response=PublicFundOut, many=True, tags=["public"])
    def public_funds(self, call, association):
        return self.fund.public_funds(_public(association))

    @route("GET", "/api/v1/public/<association>/disbursements",
           "What was paid out, to whom (masked), from which fund and project", None,
           query=PublicPeriodIn, response=PublicDisbursementOut, many=True, tags=["public"])
    def public_disbursements(self, call, association):
        return self.fund.public_disbursements(call.request.args.to_dict(), _public(association))

    @route("GET", "/api/v1/public/<association>/spending",
           "Money paid out by month, category and project", None, query=PublicPeriodIn,
           response=PublicSpendingOut, tags=["public"])
    def public_spending(self, call, association):
        return self.fund.public_spending(call.request.args.to_dict(), _public(association))

    @route("GET", "/api/v1/public/trace/<receipt_no>",
           "Where a gift went: its fund and project and what they paid out since", None,
           response=TraceOut, tags=["public"])
    def trace(self, call, receipt_no):
        return self.fund.trace(receipt_no, public_actor())

    # --- insurance ---------------------------------------------------------------------
    @route("GET", "/api/v1/insurance/products", "Insurance products",
           STAFF_READERS + ("coordinator",),
           query=PageIn, response=ProductOut, many=True, tags=["insurance"])
    def list_products(self, call):
        return self.insurance.list_products(call.actor, call.request.args.to_dict())

    @route("POST", "/api/v1/insurance/products", "Define or update a product", ADMIN,
           body=ProductIn, response=ProductOut, status=201, tags=["insurance"])
    def define_product(self, call):
        return self.insurance.ensure_product(call.raw_body, call.actor)

    @route("POST", "/api/v1/insurance/policies", "Enrol a person in a product", STAFF,
           body=PolicyIn, response=PolicyOut, status=201, tags=["insurance"])
    def enrol(self, call):
        return self.insurance.enrol(call.raw_body, call.actor)

    @route("GET", "/api/v1/insurance/policies", "Policies", STAFF_READERS, query=PolicyListIn,
           response=PolicyOut, many=True, tags=["insurance"])
    def list_policies(self, call):
        return self.insurance.list_policies(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/insurance/policies/<policy_no>", "One policy", STAFF_READERS,
           response=PolicyOut, tags=["insurance"])
    def get_policy(self, call, policy_no):
        return self.insurance.get_policy(policy_no, call.actor)

    @route("POST", "/api/v1/insurance/policies/<policy_no>/cancel", "Cancel a policy", STAFF,
           body=ReasonIn, response=PolicyOut, tags=["insurance"])
    def cancel_policy(self, call, policy_no):
        return self.insurance.cancel_policy(policy_no, call.raw_body, call.actor)

    @route("POST", "/api/v1/insurance/policies/<int:policy_id>/payments",
           "Record a premium share paid by its payer (shares a fund pays come by the saga)",
           STAFF, body=PaymentIn, response=PolicyOut, tags=["insurance"])
    def record_premium_payment(self, call, policy_id):
        return self.insurance.record_premium_payment(policy_id, call.raw_body, call.actor)

    @route("POST", "/api/v1/insurance/policies/bulk",
           "Enrol every member of a village's (or township's) families who fits the product",
           STAFF, body=BulkEnrolIn, response=BulkEnrolOut, tags=["insurance"])
    def enrol_village(self, call):
        return self.insurance.enrol_village(call.raw_body, call.actor)

    @route("POST", "/api/v1/insurance/claims", "Register a claim; automatic checks flag it",
           STAFF, body=ClaimIn, response=ClaimOut, status=201, tags=["insurance"])
    def submit_claim(self, call):
        return self.insurance.submit_claim(call.raw_body, call.actor)

    @route("GET", "/api/v1/insurance/claims", "Claims (the review queue: ?status=flagged)",
           STAFF_READERS, query=ClaimListIn, response=ClaimOut, many=True, tags=["insurance"])
    def list_claims(self, call):
        return self.insurance.list_claims(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/insurance/claims/<int:claim_id>",
           "One claim with its history and payout", STAFF_READERS, response=ClaimOut,
           tags=["insurance"])
    def get_claim(self, call, claim_id):
        return self.insurance.get_claim(claim_id, call.actor)

    @route("POST", "/api/v1/insurance/claims/<int:claim_id>/approve",
           "Approve (not a claim you registered); the fund pays it", STAFF, body=ApproveIn,
           response=ClaimOut, tags=["insurance"])
    def approve_claim(self, call, claim_id):
        return self.insurance.approve_claim(claim_id, call.raw_body, call.actor)

    @route("POST", "/api/v1/insurance/claims/<int:claim_id>/reject", "Reject with a reason",
           STAFF, body=ReasonIn, response=ClaimOut, tags=["insurance"])
    def reject_claim(self, call, claim_id):
        return self.insurance.reject_claim(claim_id, call.raw_body, call.actor)

    @route("POST", "/api/v1/insurance/claims/<int:claim_id>/documents",
           "Attach a document: multipart/form-data with `file` (PDF, JPEG or PNG, told by its "
           "content; at most DOCUMENT_MAX_BYTES) and `kind`; the same file again is kept once",
           STAFF, upload=DocumentIn, upload_limit=document_max_bytes, response=ClaimOut,
           status=201, tags=["insurance"])
    def attach_document(self, call, claim_id):
        document = {**call.body, "content": base64.b64encode(call.body["content"]).decode()}
        return self.insurance.attach_document(claim_id, document, call.actor)

    @route("GET", "/api/v1/insurance/claims/<int:claim_id>/documents/<sha256>",
           "Download a claim's document by its SHA-256", STAFF_READERS, binary=DOCUMENT_TYPES,
           tags=["insurance"])
    def download_document(self, call, claim_id, sha256):
        found = self.insurance.get_document(claim_id, sha256, call.actor)
        return Response(base64.b64decode(found["content"]), mimetype=found["content_type"],
                        headers={"Content-Disposition": _attachment(found["filename"],
                                                                     sha256)})

    @route("POST", "/api/v1/insurance/claims/<int:claim_id>/appeal",
           "Appeal a rejected claim (once): it is under_appeal until decided", STAFF,
           body=ReasonIn, response=ClaimOut, tags=["insurance"])
    def appeal_claim(self, call, claim_id):
        return self.insurance.appeal_claim(claim_id, call.raw_body, call.actor)

    @route("POST", "/api/v1/insurance/claims/<int:claim_id>/appeal/decide",
           "Decide an appeal (not a claim you registered or rejected): overturned approves "
           "amount_approved_fen and the fund pays it, upheld rejects it for good", STAFF,
           body=AppealDecisionIn, response=ClaimOut, tags=["insurance"])
    def decide_appeal(self, call, claim_id):
        return self.insurance.decide_appeal(claim_id, call.raw_body, call.actor)

    @route("GET", "/api/v1/public/claims/<claim_no>", "A claim's status for the insured: "
           "its number and the last 4 characters of the insured's identity number (either "
           "wrong: 404)", None, query=PublicClaimIn, response=PublicClaimOut,
           tags=["public"])
    def public_claim_status(self, call, claim_no):
        PUBLIC_LOOKUPS.take(client_address(call.request), "claim status lookups")
        return self.insurance.public_claim_status(claim_no, call.request.args.to_dict(),
                                                  public_actor())

    # --- volunteers --------------------------------------------------------------------
    @route("POST", "/api/v1/volunteers", "Register a volunteer with skills", COORDINATORS,
           body=VolunteerIn, response=VolunteerOut, status=201, tags=["volunteers"])
    def register_volunteer(self, call):
        return self.volunteers.register(call.raw_body, call.actor)

    @route("GET", "/api/v1/volunteers", "Volunteers", COORDINATOR_READERS, query=PageIn,
           response=VolunteerOut, many=True, tags=["volunteers"])
    def list_volunteers(self, call):
        return self.volunteers.list_volunteers(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/volunteers/ranking", "Volunteers by hours served in a period",
           VOLUNTEER_READERS, query=PeriodIn, response=RankOut, many=True, tags=["volunteers"])
    def ranking(self, call):
        return self.volunteers.ranking(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/volunteers/<int:volunteer_id>", "A volunteer with hours_total "
           "(a volunteer sees only themself)", VOLUNTEER_READERS,
           response=VolunteerOut, tags=["volunteers"])
    def get_volunteer(self, call, volunteer_id):
        return self.volunteers.get_volunteer(volunteer_id, call.actor)

    @route("GET", "/api/v1/volunteers/<int:volunteer_id>/hours", "Hours served in a period",
           VOLUNTEER_READERS, query=PeriodIn, response=HoursOut, tags=["volunteers"])
    def volunteer_hours(self, call, volunteer_id):
        return self.volunteers.hours(volunteer_id, call.request.args.to_dict(), call.actor)

    @route("POST", "/api/v1/activities", "Create an activity (e.g. 5.29 member day)",
           COORDINATORS, body=ActivityIn, response=ActivityOut, status=201,
           tags=["volunteers"])
    def create_activity(self, call):
        return self.volunteers.create_activity(call.raw_body, call.actor)

    @route("POST", "/api/v1/shifts", "Create a shift", COORDINATORS, body=ShiftIn,
           response=ShiftOut, status=201, tags=["volunteers"])
    def create_shift(self, call):
        return self.volunteers.create_shift(call.raw_body, call.actor)

    @route("POST", "/api/v1/shifts/bulk", "Create a campaign day's shifts at several places "
           "(1 to 100) under one activity: all of them, or none (422 names the item, e.g. "
           "shifts.2.ends_at)", COORDINATORS, body=ShiftsIn, response=ShiftOut, many=True,
           status=201, tags=["volunteers"])
    def create_shifts(self, call):
        return self.volunteers.create_shifts(call.raw_body, call.actor)

    @route("GET", "/api/v1/shifts", "Shifts", VOLUNTEER_READERS, query=PageIn,
           response=ShiftOut, many=True, tags=["volunteers"])
    def list_shifts(self, call):
        return self.volunteers.list_shifts(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/shifts/<int:shift_id>", "A shift with confirmed, waitlisted "
           "and no-shows", VOLUNTEER_READERS, response=ShiftOut, tags=["volunteers"])
    def get_shift(self, call, shift_id):
        return self.volunteers.get_shift(shift_id, call.actor)

    @route("POST", "/api/v1/shifts/<int:shift_id>/signups",
           "Sign up: confirmed, or waitlisted when full; 409 on overlap or missing skill",
           VOLUNTEERS, body=VolunteerRefIn, response=SignupOut, status=201,
           tags=["volunteers"])
    def sign_up(self, call, shift_id):
        return self.volunteers.sign_up(shift_id, call.raw_body, call.actor)

    @route("DELETE", "/api/v1/shifts/<int:shift_id>/signups/<int:volunteer_id>",
           "Cancel a sign-up; the first waitlisted free at that time moves up (those it "
           "would clash for are passed over and stay waiting)", VOLUNTEERS,
           response=CancelOut, tags=["volunteers"])
    def cancel_signup(self, call, shift_id, volunteer_id):
        return self.volunteers.cancel_signup(shift_id, volunteer_id, call.actor)

    @route("GET", "/api/v1/shifts/<int:shift_id>/signups", "Every sign-up of a shift with "
           "its history, minutes and corrections", COORDINATOR_READERS, response=SignupOut,
           many=True, tags=["volunteers"])
    def list_signups(self, call, shift_id):
        return self.volunteers.list_signups(shift_id, call.actor)

    @route("GET", "/api/v1/shifts/<int:shift_id>/signups/<int:volunteer_id>",
           "A volunteer's latest sign-up for a shift: history, minutes and corrections "
           "(a volunteer reads only their own)", VOLUNTEER_READERS, response=SignupOut,
           tags=["volunteers"])
    def get_signup(self, call, shift_id, volunteer_id):
        return self.volunteers.get_signup(shift_id, volunteer_id, call.actor)

    @route("POST", "/api/v1/shifts/<int:shift_id>/signups/<int:volunteer_id>/hours",
           "Correct the minutes a sign-up credits (0 to the shift's length) with a reason; "
           "confirmed or no-show sign-ups of a shift that has begun; hours for a no-show "
           "confirm them", COORDINATORS, body=HoursCorrectionIn, response=SignupOut,
           tags=["volunteers"])
    def correct_hours(self, call, shift_id, volunteer_id):
        return self.volunteers.correct_hours(shift_id, volunteer_id, call.raw_body,
                                             call.actor)

    @route("POST", "/api/v1/shifts/<int:shift_id>/checkin", "Check in",
           VOLUNTEERS, body=VolunteerRefIn, response=AttendanceOut, tags=["volunteers"])
    def check_in(self, call, shift_id):
        return self.volunteers.check_in(shift_id, call.raw_body, call.actor)

    @route("POST", "/api/v1/shifts/<int:shift_id>/checkout", "Check out: minutes served",
           VOLUNTEERS, body=VolunteerRefIn, response=AttendanceOut, tags=["volunteers"])
    def check_out(self, call, shift_id):
        return self.volunteers.check_out(shift_id, call.raw_body, call.actor)

    @route("GET", "/api/v1/visits", "Care visits", COORDINATOR_READERS, query=VisitListIn,
           response=VisitOut, many=True, tags=["volunteers"])
    def list_visits(self, call):
        return self.volunteers.list_visits(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/visits/<int:visit_id>/proposals",
           "Free volunteers with the skills, fewest recent hours first", COORDINATOR_READERS,
           response=ProposalOut, tags=["volunteers"])
    def propose(self, call, visit_id):
        return self.volunteers.propose(visit_id, call.actor)

    @route("POST", "/api/v1/visits/<int:visit_id>/assign", "Assign volunteers", COORDINATORS,
           body=AssignIn, response=VisitOut, tags=["volunteers"])
    def assign_visit(self, call, visit_id):
        return self.volunteers.assign(visit_id, call.raw_body, call.actor)

    @route("POST", "/api/v1/visits/<int:visit_id>/complete", "Complete: minutes and notes",
           COORDINATORS, body=CompleteIn, response=VisitOut, tags=["volunteers"])
    def complete_visit(self, call, visit_id):
        return self.volunteers.complete(visit_id, call.raw_body, call.actor)

    # --- families ----------------------------------------------------------------------
    @route("POST", "/api/v1/families", "Register a family and its members (a person belongs "
           "to one family)", STAFF, body=FamilyIn, response=FamilyOut, status=201,
           tags=["families"])
    def register_family(self, call):
        return self.families.register_family(call.raw_body, call.actor)

    @route("GET", "/api/v1/families", "Families by category and village (a township's code "
           "finds its villages)", FAMILY_READERS, query=FamilyListIn, response=FamilyOut,
           many=True, tags=["families"])
    def list_families(self, call):
        return self.families.list_families(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/families/<int:family_id>", "One family (identity numbers masked)",
           FAMILY_READERS, response=FamilyOut, tags=["families"])
    def get_family(self, call, family_id):
        return self.families.get_family(family_id, call.actor)

    @route("PATCH", "/api/v1/families/<int:family_id>", "Change the fields given; members "
           "given replace all the members", STAFF, body=FamilyUpdateIn, response=FamilyOut,
           tags=["families"])
    def update_family(self, call, family_id):
        return self.families.update_family(family_id, call.raw_body, call.actor)

    @route("GET", "/api/v1/families/<int:family_id>/timeline", "The family's timeline "
           "(一户一档): its policies, claims, payouts, disbursements and visits, oldest first",
           FAMILY_READERS, query=PageIn, response=TimelineEntryOut, many=True,
           tags=["families"])
    def family_timeline(self, call, family_id):
        return self.families.timeline(family_id, call.request.args.to_dict(), call.actor)

    @route("POST", "/api/v1/families/<int:family_id>/care-plan", "Set the family's care plan: "
           "a visit asked for every so many days (a new plan replaces the old)", STAFF,
           body=CarePlanIn, response=CarePlanOut, tags=["families"])
    def set_care_plan(self, call, family_id):
        return self.families.set_care_plan(family_id, call.raw_body, call.actor)

    # --- grassroots associations and members ---------------------------------------------
    @route("POST", "/api/v1/associations", "Set up a township's or a village's association "
           "under the county's", ADMIN, body=AssociationIn, response=AssociationOut,
           status=201, tags=["associations"])
    def create_association(self, call):
        return self.families.create_association(call.raw_body, call.actor)

    @route("GET", "/api/v1/associations", "The county's association and every one under it, "
           "by code", LEADERSHIP, response=AssociationListOut, tags=["associations"])
    def list_associations(self, call):
        return self.families.list_associations(call.actor)

    @route("GET", "/api/v1/associations/<code>/dashboard", "An association's figures, its "
           "associations under it included: members, volunteers, families, visits done in "
           "90 days, money given and spent this year, claims paid this year", LEADERSHIP,
           response=DashboardOut, tags=["associations"])
    def association_dashboard(self, call, code):
        return self.families.dashboard(code, call.actor)

    @route("GET", "/api/v1/associations/<code>/ranking", "The associations directly under "
           "this one ranked by a figure", LEADERSHIP, query=RankingIn, response=RankingOut,
           tags=["associations"])
    def association_ranking(self, call, code):
        return self.families.ranking(code, call.request.args.to_dict(), call.actor)

    @route("POST", "/api/v1/associations/<code>/member-days", "Record a member-day activity "
           "and the members who took part", MEMBER_DAY_HOLDERS, body=MemberDayIn,
           response=MemberDayOut, status=201, tags=["associations"])
    def hold_member_day(self, call, code):
        return self.families.hold_member_day(code, call.raw_body, call.actor)

    @route("GET", "/api/v1/associations/<code>/member-days", "The member days of this "
           "association and those under it, latest first", LEADERSHIP, query=PageIn,
           response=MemberDayOut, many=True, tags=["associations"])
    def list_member_days(self, call, code):
        return self.families.list_member_days(code, call.request.args.to_dict(), call.actor)

    @route("POST", "/api/v1/members", "Add a member (会员) to a grassroots association",
           MEMBER_KEEPERS, body=MemberIn, response=AssociationMemberOut, status=201,
           tags=["associations"])
    def add_member(self, call):
        return self.families.add_member(call.raw_body, call.actor)

    @route("GET", "/api/v1/members", "Members, of one association and those under it if a "
           "code is given", LEADERSHIP, query=MemberListIn, response=AssociationMemberOut,
           many=True, tags=["associations"])
    def list_members(self, call):
        return self.families.list_members(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/members/<int:member_id>", "One member and the families they keep "
           "in touch with (identity numbers masked)", LEADERSHIP,
           response=AssociationMemberOut, tags=["associations"])
    def get_member(self, call, member_id):
        return self.families.get_member(member_id, call.actor)

    @route("POST", "/api/v1/members/<int:member_id>/families", "Pair a member with a family "
           "to keep in touch with (会员联系户): 201 when new, 200 when paired already",
           MEMBER_KEEPERS, body=PairingIn, response=AssociationMemberOut, status=201,
           tags=["associations"])
    def pair_family(self, call, member_id):
        answer = self.families.pair_family(member_id, call.raw_body, call.actor)
        return (201 if answer["new"] else 200), answer["member"]

    # --- anything else -----------------------------------------------------------------
    @http("GET,POST", "/<path:anything>")  # other methods: 405 from the router
    def not_found(self, request, anything):
        return problem(404, f"Nothing at /{anything}.", "no_such_path")

    def _own_database(self):
        with self.db.transaction() as session:
            session.execute(text("SELECT 1"))

    @staticmethod
    def _check(probe) -> str:
        try:
            with eventlet.Timeout(HEALTH_TIMEOUT_SECONDS):
                probe()
            return "ok"
        except (Exception, eventlet.Timeout) as exc:
            return f"down: {type(exc).__name__}"


def _idempotency_key(call) -> str | None:
    key = (call.request.headers.get("Idempotency-Key") or "").strip() or None
    if key is not None and (len(key) > 200 or not key.isprintable()):
        raise InvalidInput("The Idempotency-Key header must be at most 200 printable "
                           "characters.", "invalid_input",
                           {"Idempotency-Key": ["At most 200 printable characters."]})
    return key


def _attachment(filename: str | None, sha256: str) -> str:
    """A download's Content-Disposition: the name it was uploaded under, encoded (RFC 6266),
    after a plain one made of the hash for clients that read only that."""
    plain = f'attachment; filename="{sha256}"'
    return f"{plain}; filename*=UTF-8''{quote(filename, safe='')}" if filename else plain


def _public(association: str) -> dict:
    if not (len(association) == 6 and association.isascii() and association.isdigit()):
        raise NotFound(f"No association {association}.", "association_not_found")
    return public_actor(association)
