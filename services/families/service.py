"""The families service: entrypoints only. Each checks who may ask, opens one transaction
and calls the use case."""
from services.families import register, search
from services.families.models import OUTBOX, PROCESSED_EVENTS
from services.families.views import family_view
from shared.actors import STAFF, load, load_actor
from shared.contracts.families import FAMILY_READERS, FamilyIn, FamilyListIn, FamilyUpdateIn
from shared.rpc import rpc
from shared.service import Service


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
