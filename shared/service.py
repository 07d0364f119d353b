"""What every domain service class has besides its own entrypoints: its database, a work
log, an outbox relay, the health answer the gateway asks for, and one way to handle an
event once. A service class names itself and its outbox and inbox tables:

    class FundService(Service):
        name = "fund"
        outbox, inbox = OUTBOX, PROCESSED_EVENTS
"""
from shared import remote_errors  # noqa: F401 (a service calling another gets its errors)
from shared.db import Database
from shared.inbox import handle_once
from shared.observability import WorkLog
from shared.outbox import OutboxRelayRunner
from shared.outbox import health as outbox_health
from shared.rpc import rpc


class Service:
    work_log = WorkLog()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.db = Database(cls.name)  # the service's own database
        cls.relay = OutboxRelayRunner(cls.outbox)

    @rpc
    def health(self):
        return outbox_health(self.db, self.outbox)

    def once(self, consumer: str, envelope: dict, handle) -> None:
        """`handle(session, envelope)` unless this consumer has seen the event before."""
        handle_once(self.db, self.inbox, consumer, envelope, handle)
