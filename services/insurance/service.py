"""The insurance service: entrypoints only. Each opens one transaction and calls the domain."""
from nameko.rpc import RpcProxy

from services.insurance import (
    appeals,
    claims,
    documents,
    payouts,
    policies,
    premiums,
    products,
    village_enrolment,
)
from services.insurance.models import OUTBOX, PROCESSED_EVENTS
from services.insurance.views import (
    claim_view,
    document_content_view,
    policy_view,
    product_view,
    public_claim_view,
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
from shared.clock import local_date, now_utc
from shared.contracts.events import CATALOGUE
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
    ProductIn,
    PublicClaimIn,
)
from shared.rpc import rpc
from shared.schemas import PageIn, ReasonIn
from shared.service import Service
from shared.subscriber import subscribe


def _today():
    return local_date(now_utc())


class InsuranceService(Service):
    name = "insurance"

    outbox, inbox = OUTBOX, PROCESSED_EVENTS
    catalogue = CATALOGUE
    fund = RpcProxy("fund")  # a product's payout fund must exist and pay claims
    families = RpcProxy("families")  # the register a village is enrolled from

    @rpc
    def ensure_product(self, payload, actor):
        signed, (actor, body) = actor, (load_actor(actor, ADMIN), load(ProductIn(), payload))
        self.fund.check_payout_fund(body["payout_fund_code"], signed)
        products.check_share_funds(lambda code: self.fund.check_premium_fund(code, signed),
                                   body["premium_shares"])
        with self.db.transaction() as session:
            return product_view(products.ensure(session, actor["association_code"], body,
                                                actor))

    @rpc
    def list_products(self, actor, page=None):
        # Coordinators too: a care visit opened by a claim names its product.
        actor, page = load_actor(actor, PRODUCT_READERS), load(PageIn(), page)
        with self.db.transaction() as session:
            found, total = products.listing(session, actor["association_code"], page)
            return {"items": [product_view(p) for p in found], "total": total}

    @rpc
    def enrol(self, payload, actor):
        actor, body = load_actor(actor, STAFF), load(PolicyIn(), payload)
        with self.db.transaction() as session:
            policy = policies.enrol(session, actor["association_code"], body, actor)
            return policy_view(policy, _today())

    @rpc
    def enrol_village(self, payload, actor):
        """Every member of the village's families who fits the product and holds none."""
        signed, (actor, body) = actor, (load_actor(actor, STAFF), load(BulkEnrolIn(), payload))
        families = self.families.insured_of_village(body["village_code"], signed)["items"]
        with self.db.transaction() as session:
            return village_enrolment.enrol_village(session, actor["association_code"], body,
                                                   families, actor)

    @rpc
    def record_premium_payment(self, policy_id, payload, actor):
        actor, body = load_actor(actor, STAFF), load(PaymentIn(), payload)
        with self.db.transaction() as session:
            return policy_view(premiums.record_payment(session, actor["association_code"],
                                                       policy_id, body, actor), _today())

    @rpc
    def get_policy(self, policy_no, actor):
        actor = load_actor(actor, STAFF_READERS)
        with self.db.transaction() as session:
            return policy_view(policies.by_number(session, actor["association_code"],
                                                  policy_no), _today())

    @rpc
    def list_policies(self, query, actor):
        actor, query = load_actor(actor, STAFF_READERS), load(PolicyListIn(), query)
        with self.db.transaction() as session:
            found, total = policies.listing(session, actor["association_code"], query)
            return {"items": [policy_view(p, _today()) for p in found], "total": total}

    @rpc
    def cancel_policy(self, policy_no, payload, actor):
        actor, body = load_actor(actor, STAFF), load(ReasonIn(), payload)
        with self.db.transaction() as session:
            policy = policies.cancel(session, actor["association_code"], policy_no,
                                     body["reason"], actor)
            return policy_view(policy, _today())

    @rpc
    def submit_claim(self, payload, actor):
        actor, body = load_actor(actor, STAFF), load(ClaimIn(), payload)
        with self.db.transaction() as session:
            return claim_view(claims.submit(session, actor["association_code"], body, actor))

    @rpc
    def get_claim(self, claim_id, actor):
        actor = load_actor(actor, STAFF_READERS)
        with self.db.transaction() as session:
            return claim_view(claims.get(session, actor["association_code"], claim_id))

    @rpc
    def list_claims(self, query, actor):
        actor, query = load_actor(actor, STAFF_READERS), load(ClaimListIn(), query)
        with self.db.transaction() as session:
            found, total = claims.listing(session, actor["association_code"], query)
            return {"items": [claim_view(c) for c in found], "total": total}

    @rpc
    def approve_claim(self, claim_id, payload, actor):
        actor, body = load_actor(actor, STAFF), load(ApproveIn(), payload)
        with self.db.transaction() as session:
            return claim_view(claims.approve(session, actor["association_code"], claim_id,
                                             body["amount_approved_fen"], actor))

    @rpc
    def reject_claim(self, claim_id, payload, actor):
        actor, body = load_actor(actor, STAFF), load(ReasonIn(), payload)
        with self.db.transaction() as session:
            return claim_view(claims.reject(session, actor["association_code"], claim_id,
                                            body["reason"], actor))

    @rpc
    def attach_document(self, claim_id, payload, actor):
        actor, body = load_actor(actor, STAFF), load(DocumentUploadIn(), payload)
        with self.db.transaction() as session:
            claim = claims.get(session, actor["association_code"], claim_id, lock=True)
            return claim_view(documents.attach(claim, body, actor))

    @rpc
    def get_document(self, claim_id, sha256, actor):
        actor = load_actor(actor, STAFF_READERS)
        with self.db.transaction() as session:
            claim = claims.get(session, actor["association_code"], claim_id)
            return document_content_view(*documents.content(claim, sha256))

    @rpc
    def appeal_claim(self, claim_id, payload, actor):
        actor, body = load_actor(actor, STAFF), load(ReasonIn(), payload)
        with self.db.transaction() as session:
            return claim_view(appeals.appeal(session, actor["association_code"], claim_id,
                                             body["reason"], actor))

    @rpc
    def decide_appeal(self, claim_id, payload, actor):
        actor, body = load_actor(actor, STAFF), load(AppealDecisionIn(), payload)
        with self.db.transaction() as session:
            return claim_view(appeals.decide(session, actor["association_code"], claim_id,
                                             body, actor))

    @rpc
    def public_claim_status(self, claim_no, query, actor):
        # No login: the claim number and the insured's last 4 identity characters, or 404.
        actor, query = load_actor(actor, EVERYONE), load(PublicClaimIn(), query)
        with self.db.transaction() as session:
            return public_claim_view(claims.public_status(
                session, actor["association_code"], claim_no, query["id_last4"]))

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

