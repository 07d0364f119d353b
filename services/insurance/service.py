"""The insurance service: entrypoints only. Each opens one transaction and calls the domain."""
from nameko.timer import timer

from services.insurance import (
    appeals,
    claims,
    documents,
    importing,
    payouts,
    policies,
    premiums,
    products,
    renewals,
    reports,
    village_enrolment,
)
from services.insurance.models import AUDIT, OUTBOX, PROCESSED_EVENTS
from services.insurance.views import (
    claim_view,
    document_content_view,
    policy_view,
    product_view,
    public_claim_view,
    renewal_due_view,
    renewal_view,
    village_enrolment_view,
)
from shared.actors import (
    ADMIN,
    EVERYONE,
    PRODUCT_READERS,
    STAFF,
    STAFF_READERS,
    load,
    load_actor,
)
from shared.contracts.events import CATALOGUE
from shared.contracts.imports import ImportBatchIn, imported_view
from shared.contracts.insurance import (
    AppealDecisionIn,
    ApproveIn,
    BulkEnrolIn,
    ClaimIn,
    ClaimListIn,
    DocumentUploadIn,
    PaymentIn,
    PolicyIn,
    PolicyListIn,
    PolicyRowIn,
    ProductIn,
    PublicClaimIn,
    RenewalListIn,
    RenewIn,
)
from shared.contracts.insurance_reports import ReportIn
from shared.imports import apply
from shared.rpc import RpcProxy, rpc
from shared.schemas import PageIn, ReasonIn
from shared.service import Service
from shared.subscriber import subscribe

# Hourly rather than daily, so a process restarted within the day still looks; each policy
# is told once however often it looks.
POLICY_ENDING_CHECK_SECONDS = 3600


class InsuranceService(Service):
    name = "insurance"

    outbox = OUTBOX
    inbox = PROCESSED_EVENTS
    catalogue = CATALOGUE
    audit = AUDIT
    fund = RpcProxy("fund")  # a product's payout fund must exist and pay claims
    families = RpcProxy("families")  # the register a village is enrolled from

    @rpc
    def ensure_product(self, payload, actor):
        signed = actor  # as it came: the fund checks it again
        actor = load_actor(signed, ADMIN)
        body = load(ProductIn(), payload)
        self.fund.check_payout_fund(body["payout_fund_code"], signed)
        products.check_share_funds(lambda code: self.fund.check_premium_fund(code, signed),
                                   body["premium_shares"])
        with self.db.transaction() as session:
            return product_view(products.ensure(session, actor["association_code"], body,
                                                actor))

    @rpc
    def list_products(self, actor, page=None):
        # Coordinators too: a care visit opened by a claim names its product.
        actor = load_actor(actor, PRODUCT_READERS)
        page = load(PageIn(), page)
        with self.db.transaction() as session:
            return products.listing(session, actor["association_code"], page) \
                .shaped(product_view)

    @rpc
    def enrol(self, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(PolicyIn(), payload)
        with self.db.transaction() as session:
            return policy_view(policies.enrol(session, actor["association_code"], body, actor))

    @rpc
    def import_policies(self, payload, actor):
        """A batch of a spreadsheet's rows, a policy each."""
        actor = load_actor(actor, STAFF)
        batch = load(ImportBatchIn(), payload)
        county = actor["association_code"]
        with self.db.transaction() as session:
            return imported_view(apply(
                session, batch, PolicyRowIn(),
                lambda session, unit: importing.write(session, county, unit, actor)))

    @rpc
    def enrol_village(self, payload, actor):
        """Every member of the village's families who fits the product and holds none."""
        signed = actor  # as it came: the families service checks it again
        actor = load_actor(signed, STAFF)
        body = load(BulkEnrolIn(), payload)
        families = self.families.insured_of_village(body["village_code"], signed)["items"]
        with self.db.transaction() as session:
            return village_enrolment_view(village_enrolment.enrol_village(
                session, actor["association_code"], body, families, actor))

    @rpc
    def record_premium_payment(self, policy_id, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(PaymentIn(), payload)
        with self.db.transaction() as session:
            return policy_view(premiums.record_payment(session, actor["association_code"],
                                                       policy_id, body, actor))

    @rpc
    def get_policy(self, policy_no, actor):
        actor = load_actor(actor, STAFF_READERS)
        with self.db.transaction() as session:
            return policy_view(policies.by_number(session, actor["association_code"],
                                                  policy_no))

    @rpc
    def list_policies(self, query, actor):
        actor = load_actor(actor, STAFF_READERS)
        query = load(PolicyListIn(), query)
        with self.db.transaction() as session:
            return policies.listing(session, actor["association_code"], query) \
                .shaped(policy_view)

    @rpc
    def cancel_policy(self, policy_no, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(ReasonIn(), payload)
        with self.db.transaction() as session:
            return policy_view(policies.cancel(session, actor["association_code"], policy_no,
                                               body["reason"], actor))

    @rpc
    def submit_claim(self, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(ClaimIn(), payload)
        with self.db.transaction() as session:
            return claim_view(claims.submit(session, actor["association_code"], body, actor))

    @rpc
    def get_claim(self, claim_id, actor):
        actor = load_actor(actor, STAFF_READERS)
        with self.db.transaction() as session:
            return claim_view(claims.get(session, actor["association_code"], claim_id))

    @rpc
    def list_claims(self, query, actor):
        actor = load_actor(actor, STAFF_READERS)
        query = load(ClaimListIn(), query)
        with self.db.transaction() as session:
            return claims.listing(session, actor["association_code"], query).shaped(claim_view)

    @rpc
    def approve_claim(self, claim_id, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(ApproveIn(), payload)
        with self.db.transaction() as session:
            return claim_view(claims.approve(session, actor["association_code"], claim_id,
                                             body["amount_approved_fen"], actor))

    @rpc
    def reject_claim(self, claim_id, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(ReasonIn(), payload)
        with self.db.transaction() as session:
            return claim_view(claims.reject(session, actor["association_code"], claim_id,
                                            body["reason"], actor))

    @rpc
    def attach_document(self, claim_id, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(DocumentUploadIn(), payload)
        with self.db.transaction() as session:
            return claim_view(documents.attach(session, actor["association_code"], claim_id,
                                               body, actor))

    @rpc
    def get_document(self, claim_id, sha256, actor):
        actor = load_actor(actor, STAFF_READERS)
        with self.db.transaction() as session:
            return document_content_view(documents.content(session, actor["association_code"],
                                                           claim_id, sha256, actor))

    @rpc
    def appeal_claim(self, claim_id, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(ReasonIn(), payload)
        with self.db.transaction() as session:
            return claim_view(appeals.appeal(session, actor["association_code"], claim_id,
                                             body["reason"], actor))

    @rpc
    def decide_appeal(self, claim_id, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(AppealDecisionIn(), payload)
        with self.db.transaction() as session:
            return claim_view(appeals.decide(session, actor["association_code"], claim_id,
                                             body, actor))

    @rpc
    def report(self, kind, query, actor):
        """A year's premiums, claims or loss ratio (`reports.REPORTS`)."""
        actor = load_actor(actor, STAFF_READERS)
        query = load(ReportIn(), query)
        with self.db.transaction() as session:
            return reports.report(session, actor["association_code"], kind, query["year"])

    @rpc
    def public_claim_status(self, claim_no, query, actor):
        # No login: the claim number and the insured's last 4 identity characters, or 404.
        actor = load_actor(actor, EVERYONE)
        query = load(PublicClaimIn(), query)
        with self.db.transaction() as session:
            return public_claim_view(claims.public_status(
                session, actor["association_code"], claim_no, query["id_last4"]))

    @rpc
    def renewals_due(self, query, actor):
        actor = load_actor(actor, STAFF_READERS)
        query = load(RenewalListIn(), query)
        with self.db.transaction() as session:
            page, version = renewals.due(session, actor["association_code"], query)
            return page.shaped(lambda policy: renewal_due_view(policy, version))

    @rpc
    def renew(self, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(RenewIn(), payload)
        with self.db.transaction() as session:
            return renewal_view(renewals.renew(session, actor["association_code"], body,
                                               actor))

    @timer(interval=POLICY_ENDING_CHECK_SECONDS)
    def tell_policies_ending(self):
        with self.db.transaction() as session:
            policies.tell_ending(session)

    # Hourly as the look above: a policy whose end passed unrenewed is lapsed within the hour.
    @timer(interval=POLICY_ENDING_CHECK_SECONDS)
    def close_ended_policies(self):
        with self.db.transaction() as session:
            policies.close_ended(session)

    @subscribe("fund", "disbursement_paid")
    def on_disbursement_paid(self, envelope):
        self.once("insurance.on_disbursement_paid", envelope, payouts.on_paid)

    @subscribe("fund", "disbursement_rejected")
    def on_disbursement_rejected(self, envelope):
        self.once("insurance.on_disbursement_rejected", envelope, payouts.on_rejected)

    # The premium saga's answers, on queues of their own (the claim payouts' handlers
    # above ignore a premium's disbursement, these a claim's).
    @subscribe("fund", "disbursement_paid")
    def on_premium_paid(self, envelope):
        self.once("insurance.on_premium_paid", envelope, premiums.on_paid)

    @subscribe("fund", "disbursement_rejected")
    def on_premium_waiting(self, envelope):
        self.once("insurance.on_premium_waiting", envelope, premiums.on_rejected)

