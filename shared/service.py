"""What every domain service class has besides its own entrypoints: its database, a work
log, an outbox relay, the health answer the gateway asks for, and one way to handle an
event once. A service class names its database, outbox and inbox tables:

    class FundService(Service):
        name = "fund"
        db = Database("fund")
        relay = OutboxRelayRunner(OUTBOX)
        outbox, inbox = OUTBOX, PROCESSED_EVENTS
"""
from nameko.rpc import rpc

from shared.inbox import handle_once
from shared.observability import WorkLog
from shared.outbox import health as outbox_health


class Service:
    work_log = WorkLog()

    @rpc
    def health(self):
        return outbox_health(self.db, self.outbox)

    def once(self, consumer: str, envelope: dict, handle) -> None:
        """`handle(session, envelope)` unless this consumer has seen the event before."""
        handle_once(self.db, self.inbox, consumer, envelope, handle)
