"""The insurance service: entrypoints only. Each opens one transaction and calls the domain."""
from nameko.rpc import RpcProxy

from services.insurance import claims, payouts, policies, products
from services.insurance.models import OUTBOX, PROCESSED_EVENTS
from services.insurance.views import claim_view, policy_view, product_view
from shared.actors import (
    ADMIN,
    STAFF,
    STAFF_READERS,
    load,
    load_actor,
)
from shared.clock import local_date, now_utc
from shared.contracts.insurance import (
    ApproveIn,
    ClaimIn,
    ClaimListIn,
    PolicyIn,
    PolicyListIn,
    ProductIn,
)
from shared.rpc import rpc
from shared.schemas import PageIn, ReasonIn
from shared.service import Service
from shared.subscriber import subscribe

PRODUCT_READERS = STAFF_READERS + ("coordinator",)


def _today():
    return local_date(now_utc())


class InsuranceService(Service):
    name = "insurance"

    outbox, inbox = OUTBOX, PROCESSED_EVENTS
    fund = RpcProxy("fund")  # a product's payout fund must exist and pay claims

    @rpc
    def ensure_product(self, payload, actor):
        signed, (actor, body) = actor, (load_actor(actor, ADMIN), load(ProductIn(), payload))
        self.fund.check_payout_fund(body["payout_fund_code"], signed)
        with self.db.transaction() as session:
            return product_view(products.ensure(session, actor["association_code"], body))

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

    @subscribe("fund", "disbursement_paid")
    def on_disbursement_paid(self, envelope):
        self.once("insurance.on_disbursement_paid", envelope, payouts.on_paid)

    @subscribe("fund", "disbursement_rejected")
    def on_disbursement_rejected(self, envelope):
        self.once("insurance.on_disbursement_rejected", envelope, payouts.on_rejected)

