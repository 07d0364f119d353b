"""The families service: entrypoints only. Each checks who may ask, opens one transaction
and calls the use case."""
from nameko.timer import timer

from services.families import care_plans, register, search, timeline
from services.families.models import OUTBOX, PROCESSED_EVENTS
from services.families.views import family_view
from shared.actors import STAFF, load, load_actor
from shared.contracts.families import (
    FAMILY_READERS,
    CarePlanIn,
    FamilyIn,
    FamilyListIn,
    FamilyUpdateIn,
)
from shared.rpc import rpc
from shared.schemas import PageIn
from shared.service import Service
from shared.subscriber import subscribe

CARE_PLAN_CHECK_SECONDS = 300


class FamiliesService(Service):
    name = "families"

    outbox, inbox = OUTBOX, PROCESSED_EVENTS

    @rpc
    def register_family(self, payload, actor):
        actor, body = load_actor(actor, STAFF), load(FamilyIn(), payload)
        with self.db.transaction() as session:
            return family_view(register.register(session, actor["association_code"], body,
                                                 actor))

    @rpc
    def update_family(self, family_id, payload, actor):
        actor, body = load_actor(actor, STAFF), load(FamilyUpdateIn(), payload)
        with self.db.transaction() as session:
            return family_view(register.update(session, actor["association_code"], family_id,
                                               body, actor))

    @rpc
    def get_family(self, family_id, actor):
        actor = load_actor(actor, FAMILY_READERS)
        with self.db.transaction() as session:
            return family_view(search.get(session, actor["association_code"], family_id))

    @rpc
    def list_families(self, query, actor):
        actor, query = load_actor(actor, FAMILY_READERS), load(FamilyListIn(), query)
        with self.db.transaction() as session:
            return search.listing(session, actor["association_code"], query)

    @rpc
    def set_care_plan(self, family_id, payload, actor):
        actor, body = load_actor(actor, STAFF), load(CarePlanIn(), payload)
        with self.db.transaction() as session:
            return care_plans.plan(session, actor["association_code"], family_id, body, actor)

    @timer(interval=CARE_PLAN_CHECK_SECONDS)
    def send_visits_due(self):
        with self.db.transaction() as session:
            care_plans.send_due(session)

    # --- the timeline (一户一档) --------------------------------------------------------
    @rpc
    def timeline(self, family_id, page, actor):
        actor, page = load_actor(actor, FAMILY_READERS), load(PageIn(), page or {})
        with self.db.transaction() as session:
            return timeline.page(session, actor["association_code"], family_id, page)

    @rpc
    def rebuild_timeline(self, family_id, actor):
        """The family's timeline recomputed from the events it was built from."""
        actor = load_actor(actor, STAFF)
        with self.db.transaction() as session:
            search.get(session, actor["association_code"], family_id)
            return {"entries": timeline.rebuild_timeline(session, actor["association_code"],
                                                         family_id)}

    def _on_timeline_event(self, envelope):
        self.once(f"families.timeline.{envelope['event_type']}", envelope, timeline.record)

    @subscribe("insurance", "policy_enrolled")
    def on_policy_enrolled(self, envelope):
        self._on_timeline_event(envelope)

    @subscribe("insurance", "claim_submitted")
    def on_claim_submitted(self, envelope):
        self._on_timeline_event(envelope)

    @subscribe("insurance", "claim_approved")
    def on_claim_approved(self, envelope):
        self._on_timeline_event(envelope)

    @subscribe("insurance", "claim_paid")
    def on_claim_paid(self, envelope):
        self._on_timeline_event(envelope)

    @subscribe("fund", "disbursement_requested")
    def on_disbursement_requested(self, envelope):
        self._on_timeline_event(envelope)

    @subscribe("fund", "disbursement_paid")
    def on_disbursement_paid(self, envelope):
        self._on_timeline_event(envelope)

    @subscribe("volunteers", "visit_requested")
    def on_visit_requested(self, envelope):
        self._on_timeline_event(envelope)

    @subscribe("volunteers", "visit_completed")
    def on_visit_completed(self, envelope):
        self._on_timeline_event(envelope)
