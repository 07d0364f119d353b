"""The fund's events that change what the public disclosure shows — money in (a donation
recorded, a pledge confirmed), money given back, money paid out — heard by every gateway
process, each of which drops what it kept of that association (public_cache).

Each process listens on a queue of its own, which goes with it (a broadcast handler
without reliable delivery): an event sent while a process is away concerns nothing it
keeps, and one lost with the broker is made good by the kept answers' short life. A fund
or project opened has no event: its answers show it within PUBLIC_CACHE_SECONDS."""
from nameko.events import BROADCAST, EventHandler

from services.gateway import public_cache
from shared.queues import make_transient


class Broadcast(EventHandler):
    """nameko's broadcast event handler: a queue per process, deleted when it goes."""

    def __init__(self, source_service: str, event_type: str, **kwargs):
        super().__init__(source_service, event_type, handler_type=BROADCAST,
                         reliable_delivery=False, **kwargs)

    def setup(self):
        super().setup()
        # Transient as the RPC reply queues are (shared.queues), and not exclusive: its
        # name is this process's alone anyway, and a reconnect while the broker still holds
        # the old connection would otherwise be refused (RESOURCE_LOCKED) and stop the
        # consumer.
        make_transient(self.queue)
        self.queue.exclusive = False


broadcast = Broadcast.decorator


def _association(envelope) -> str | None:
    data = envelope.get("data") if isinstance(envelope, dict) else None
    return data.get("association_code") if isinstance(data, dict) else None


class PublicChanges:
    """Mixed into GatewayService: the handlers only tell public_cache whose money moved."""

    @broadcast("fund", "donation_recorded")
    def public_donation_recorded(self, envelope):
        public_cache.changed(_association(envelope))

    @broadcast("fund", "donation_refunded")
    def public_donation_refunded(self, envelope):
        public_cache.changed(_association(envelope))

    @broadcast("fund", "disbursement_paid")
    def public_disbursement_paid(self, envelope):
        public_cache.changed(_association(envelope))
