"""The insurance API: products, policies, premiums, claims, their documents and appeals,
and the public claim-status lookup."""
import base64
from urllib.parse import quote

from werkzeug.wrappers import Response

from services.gateway import exports
from services.gateway.exports import EXPORT_SECONDS, SPREADSHEETS, export_query, report_query
from services.gateway.problems import Problem
from services.gateway.routes import client_address, route
from services.gateway.throttle import PUBLIC_LOOKUPS
from shared.actors import ADMIN, PRODUCT_READERS, STAFF, STAFF_READERS, public_actor
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
    RenewalDueOut,
    RenewalListIn,
    RenewalOut,
    RenewIn,
)
from shared.contracts.insurance_reports import (
    ClaimReportOut,
    LossRatioReportOut,
    PremiumReportOut,
    ReportIn,
)
from shared.schemas import PageIn, ReasonIn
from shared.settings import document_max_bytes


class InsuranceApi:
    """Mixed into GatewayService."""

    @route("GET", "/api/v1/insurance/products", "Insurance products", PRODUCT_READERS,
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

    @route("GET", "/api/v1/insurance/policies/export", "Policies as a spreadsheet (xlsx; CSV with "
           "?format=csv), the list's filters taken", STAFF_READERS,
           query=export_query(PolicyListIn), binary=SPREADSHEETS,
           seconds=EXPORT_SECONDS, tags=["insurance"])
    def export_policies(self, call):
        return exports.answer(call, "policies", self.insurance.list_policies)

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

    @route("GET", "/api/v1/insurance/renewals", "Policies of a product (and village) ending "
           "soon: next year's premium and who pays what, and any renewal made",
           STAFF_READERS, query=RenewalListIn, response=RenewalDueOut, many=True,
           tags=["insurance"])
    def renewals_due(self, call):
        return self.insurance.renewals_due(call.request.args.to_dict(), call.actor)

    @route("POST", "/api/v1/insurance/renewals", "Renew chosen policies, or a village's of a "
           "product, on its newest terms: 200 when all are renewed now, 409 naming those that "
           "were not (the others are renewed all the same)", STAFF, body=RenewIn,
           response=RenewalOut, also=(409,), tags=["insurance"])
    def renew(self, call):
        made = self.insurance.renew(call.raw_body, call.actor)
        refused = {r["policy_no"]: [r["message"]] for r in made["results"]
                   if r["outcome"] != "renewed"}
        if not refused:
            return made
        return Problem(409, f"{len(refused)} of the policies were not renewed now.",
                       "renewal_refused", refused, extra=made).response(call.correlation_id)

    @route("POST", "/api/v1/insurance/claims", "Register a claim; automatic checks flag it",
           STAFF, body=ClaimIn, response=ClaimOut, status=201, tags=["insurance"])
    def submit_claim(self, call):
        return self.insurance.submit_claim(call.raw_body, call.actor)

    @route("GET", "/api/v1/insurance/claims", "Claims (the review queue: ?status=flagged)",
           STAFF_READERS, query=ClaimListIn, response=ClaimOut, many=True, tags=["insurance"])
    def list_claims(self, call):
        return self.insurance.list_claims(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/insurance/claims/export", "Claims as a spreadsheet (xlsx; CSV with "
           "?format=csv), the list's filters taken", STAFF_READERS,
           query=export_query(ClaimListIn), binary=SPREADSHEETS,
           seconds=EXPORT_SECONDS, tags=["insurance"])
    def export_claims(self, call):
        return exports.answer(call, "claims", self.insurance.list_claims)

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

    @route("GET", "/api/v1/insurance/reports/premiums", "A year's premiums due and paid, by "
           "product and payer (xlsx or CSV with ?format=)", STAFF_READERS,
           query=report_query(ReportIn), response=PremiumReportOut, binary=SPREADSHEETS,
           tags=["insurance"])
    def premiums_report(self, call):
        return _report(self.insurance, call, "premiums")

    @route("GET", "/api/v1/insurance/reports/claims", "A year's claims by product and status, "
           "rejections by reason (xlsx or CSV with ?format=)", STAFF_READERS,
           query=report_query(ReportIn), response=ClaimReportOut, binary=SPREADSHEETS,
           tags=["insurance"])
    def claims_report(self, call):
        return _report(self.insurance, call, "claims")

    @route("GET", "/api/v1/insurance/reports/loss-ratio", "A year's loss ratio per product: "
           "paid claims over earned premiums (xlsx or CSV with ?format=)", STAFF_READERS,
           query=report_query(ReportIn), response=LossRatioReportOut, binary=SPREADSHEETS,
           tags=["insurance"])
    def loss_ratio_report(self, call):
        return _report(self.insurance, call, "loss-ratio")

    @route("GET", "/api/v1/public/claims/<claim_no>", "A claim's status for the insured: "
           "its number and the last 4 characters of the insured's identity number (either "
           "wrong: 404)", None, query=PublicClaimIn, response=PublicClaimOut,
           tags=["public"])
    def public_claim_status(self, call, claim_no):
        PUBLIC_LOOKUPS.take(self.db, client_address(call.request), "claim status lookups")
        return self.insurance.public_claim_status(claim_no, call.request.args.to_dict(),
                                                  public_actor())


def _report(insurance, call, kind: str):
    found = insurance.report(kind, {"year": call.query["year"]}, call.actor)
    if call.query["format"] == "json":
        return found
    return exports.answer_rows(call, f"{kind}-report", found["items"])


def _attachment(filename: str | None, sha256: str) -> str:
    """A download's Content-Disposition: the name it was uploaded under, encoded (RFC 6266),
    after a plain one made of the hash for clients that read only that."""
    plain = f'attachment; filename="{sha256}"'
    return f"{plain}; filename*=UTF-8''{quote(filename, safe='')}" if filename else plain
