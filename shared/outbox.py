"""Transactional outbox: an event is written in the same transaction as the change it
describes; a relay publishes unpublished rows with publisher confirms and marks them."""
import json
import logging
import threading
from datetime import UTC, datetime

import pika
from nameko.extensions import DependencyProvider
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from shared import metrics
from shared.events import build_envelope
from shared.events.catalogue import exchange_and_routing_key
from shared.settings import amqp_uri

log = logging.getLogger(__name__)


def record_event(session: Session, outbox: Table, event_type: str, data: dict) -> dict:
    """Add the event to the caller's transaction; it is published only if that commits."""
    envelope = build_envelope(event_type, data, session.info.get("correlation_id") or "-")
    session.execute(insert(outbox).values(
        event_id=envelope["event_id"], event_type=event_type, payload=json.dumps(envelope),
        correlation_id=envelope["correlation_id"], published=False,
    ))
    session.info["outbox_written"] = True
    return envelope


def backlog(session: Session, outbox: Table) -> int:
    return session.scalar(select(func.count()).select_from(outbox).where(~outbox.c.published))


def health(uow, outbox: Table) -> dict:
    """What every service answers to the gateway's /healthz: its database, its backlog."""
    with uow.transaction() as session:
        return {"database": "ok", "outbox_backlog": backlog(session, outbox)}


def pika_uri(uri: str) -> str:
    """kombu spells the scheme `pyamqp://`; pika knows only `amqp://`."""
    return "amqp://" + uri.split("://", 1)[1] if uri.startswith("pyamqp://") else uri


class Publisher:
    """A pika channel with publisher confirms onto nameko's event exchanges."""

    def __init__(self, uri: str):
        self.uri = pika_uri(uri)
        self._connection = None
        self._channel = None
        self._declared: set[str] = set()

    def channel(self):
        if self._channel is None or self._channel.is_closed:
            self.close()
            params = pika.URLParameters(self.uri)
            params.connection_attempts = 1
            params.socket_timeout = 5
            self._connection = pika.BlockingConnection(params)
            self._channel = self._connection.channel()
            self._channel.confirm_delivery()
            self._declared.clear()
        return self._channel

    def publish(self, event_type: str, payload: str, event_id: str, correlation_id: str):
        exchange, routing_key = exchange_and_routing_key(event_type)
        channel = self.channel()
        if exchange not in self._declared:
            channel.exchange_declare(exchange, exchange_type="topic", durable=True)
            self._declared.add(exchange)
        # basic_publish waits for the broker's confirm and raises if it is refused.
        channel.basic_publish(exchange, routing_key, payload.encode(), pika.BasicProperties(
            content_type="application/json", content_encoding="utf-8", delivery_mode=2,
            message_id=event_id, headers={"nameko.correlation_id": correlation_id},
        ))

    def close(self):
        try:
            if self._connection is not None and self._connection.is_open:
                self._connection.close()
        except Exception:  # the broker may already be gone; nothing to keep
            pass
        self._connection = self._channel = None


class OutboxRelay:
    def __init__(self, engine, outbox: Table, uri: str | None = None, batch: int = 500):
        self.engine = engine
        self.outbox = outbox
        self.publisher = Publisher(uri or amqp_uri())
        self.batch = batch

    def publish_pending(self) -> int:
        """Publish one batch; returns how many rows were published and marked."""
        self.publisher.channel()  # connect first: never hold a database lock while dialling
        if self.engine.dialect.name == "postgresql":
            return self._publish_locked()
        with Session(self.engine) as session, session.begin():
            rows = session.execute(self._pending()).all()
        self._publish(rows)
        with Session(self.engine) as session, session.begin():
            self._mark(session, rows)
        return len(rows)

    def _publish_locked(self) -> int:
        # SKIP LOCKED lets several relays (replicas) share one outbox without waiting.
        with Session(self.engine) as session, session.begin():
            rows = session.execute(self._pending().with_for_update(skip_locked=True)).all()
            self._publish(rows)
            self._mark(session, rows)
        return len(rows)

    def _pending(self):
        c = self.outbox.c
        return (select(c.id, c.event_id, c.event_type, c.payload, c.correlation_id)
                .where(~c.published).order_by(c.id).limit(self.batch))

    def _publish(self, rows):
        for row in rows:
            self.publisher.publish(row.event_type, row.payload, row.event_id, row.correlation_id)
            metrics.PUBLISHED.labels(row.event_type).inc()

    def _mark(self, session: Session, rows):
        if rows:
            session.execute(update(self.outbox).where(self.outbox.c.id.in_([r.id for r in rows]))
                            .values(published=True, published_at=datetime.now(UTC)))

    def close(self):
        self.publisher.close()


class OutboxRelayRunner(DependencyProvider):
    """Runs the relay inside the service process: woken on commit, polling as a fallback,
    backing off while the broker is away. Rows left by a crash go out on the next start."""

    idle_wait = 1.0
    first_backoff = 0.5
    # Short: a broker restart takes seconds, and events should follow it that soon.
    max_backoff = 1.5

    def __init__(self, outbox: Table):
        self.outbox = outbox

    def setup(self):
        self._wake = threading.Event()
        self._running = False

    def start(self):
        database = next(d for d in self.container.dependencies if hasattr(d, "engine"))
        self.relay = OutboxRelay(database.engine, self.outbox,
                                 self.container.config.get("AMQP_URI", amqp_uri()))
        self._running = True
        self.container.spawn_managed_thread(self._loop, identifier="outbox_relay")

    def stop(self):
        self._running = False
        self._wake.set()

    def kill(self):
        self.stop()

    def kick(self):
        self._wake.set()

    def get_dependency(self, worker_ctx):
        return self.relay

    def _sample_backlog(self):
        with Session(self.relay.engine) as session:
            metrics.BACKLOG.set(backlog(session, self.outbox))

    def _loop(self):
        backoff = self.first_backoff
        while self._running:
            try:
                published = self.relay.publish_pending()
                if not published:
                    self._sample_backlog()
                backoff = self.first_backoff
            except Exception as exc:  # broker down or database busy: keep the rows, retry
                # Said once per outage; every retry after it only at debug level.
                level = logging.WARNING if backoff == self.first_backoff else logging.DEBUG
                log.log(level, "outbox relay: %s; retrying every %.1fs at most", exc,
                        self.max_backoff)
                self.relay.close()
                self._wake.clear()  # a commit's kick must not turn the back-off into a spin
                self._wake.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            if not published:
                self._wake.wait(self.idle_wait)
            self._wake.clear()
        self.relay.close()
