"""What every domain service class has besides its own entrypoints: its database, a work
log, an outbox relay, the health answer the gateway asks for, one way to handle an event
once, and its audit log read a page at a time. A service class names itself, its
outbox and inbox tables, the catalogue its events are checked against, going out and coming
in, and its audit log's tables:

    class FundService(Service):
        name = "fund"
        outbox, inbox = OUTBOX, PROCESSED_EVENTS
        catalogue = CATALOGUE  # shared.contracts.events
        audit = AUDIT  # shared.audit
"""
from shared import audit as audit_log
from shared import remote_errors  # noqa: F401 (a service calling another gets its errors)
from shared.actors import AUDIT_READERS, load, load_actor
from shared.db import Database
from shared.inbox import handle_once
from shared.observability import WorkLog
from shared.outbox import OutboxRelayRunner
from shared.outbox import health as outbox_health
from shared.rpc import rpc
from shared.schemas import AuditQueryIn

AUDIT_QUERY = AuditQueryIn()


class Service:
    work_log = WorkLog()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The service's own database, which wakes the relay when events are committed; the
        # relay reads the outbox through the database's engine.
        cls.db = Database(cls.name, cls.catalogue, relay="relay")
        cls.relay = OutboxRelayRunner(cls.outbox, database="db")

    @rpc
    def health(self):
        return outbox_health(self.db, self.outbox)

    @rpc
    def audit_entries(self, query, actor):
        """This service's audit entries of the caller's association, the latest first."""
        actor = load_actor(actor, AUDIT_READERS)
        query = load(AUDIT_QUERY, query)
        with self.db.reading() as connection:
            return audit_log.listing(connection, self.audit, actor["association_code"],
                                     query).shaped(audit_log.entry_view)

    def once(self, consumer: str, envelope: dict, handle) -> None:
        """`handle(session, envelope)` unless this consumer has seen the event before."""
        handle_once(self.db, self.inbox, consumer, envelope, handle)
