"""Transactional outbox: an event is written in the same transaction as the change it
describes; a relay publishes unpublished rows with publisher confirms and marks them."""
import json
import logging
import threading
import time
from datetime import UTC, datetime

import pika
from nameko.extensions import DependencyProvider
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from shared import metrics
from shared.db import EVENT_CATALOGUE, dependency_of, reading
from shared.events.envelope import Envelopes
from shared.events.routing import exchange_and_routing_key
from shared.settings import amqp_nodes, amqp_uri

log = logging.getLogger(__name__)


def record_event(session: Session, outbox: Table, event_type: str, data: dict) -> dict:
    """Add the event to the caller's transaction; it is published only if that commits."""
    envelope = _envelopes(session).build(event_type, data,
                                         session.info.get("correlation_id") or "-")
    session.execute(insert(outbox).values(
        event_id=envelope["event_id"], event_type=event_type, payload=json.dumps(envelope),
        correlation_id=envelope["correlation_id"], published=False,
    ))
    session.info["outbox_written"] = True
    return envelope


def record_events(session: Session, outbox: Table, event_type: str, data: list[dict]) -> None:
    """record_event for many events of one type, written in one statement."""
    if not data:
        return
    correlation_id = session.info.get("correlation_id") or "-"
    envelopes = _envelopes(session).build_many(event_type, data, correlation_id)
    session.connection().execute(insert(outbox), [{
        "event_id": e["event_id"], "event_type": event_type, "payload": json.dumps(e),
        "correlation_id": e["correlation_id"], "published": False} for e in envelopes])
    session.info["outbox_written"] = True


def _envelopes(session: Session) -> Envelopes:
    """Checked against the catalogue the service's database gives its sessions."""
    try:
        return Envelopes(session.info[EVENT_CATALOGUE])
    except KeyError:
        raise LookupError("this session has no event catalogue: open it from the service's "
                          "Database, or set its info[EVENT_CATALOGUE]") from None


def backlog(session: Session | Connection, outbox: Table) -> int:
    return session.scalar(select(func.count()).select_from(outbox).where(~outbox.c.published))


def health(uow, outbox: Table) -> dict:
    """What every service answers to the gateway's /healthz: its database, its backlog."""
    with uow.transaction() as session:
        return {"database": "ok", "outbox_backlog": backlog(session, outbox)}


def pika_uri(uri: str) -> str:
    """kombu spells the scheme `pyamqp://`; pika knows only `amqp://`."""
    return "amqp://" + uri.split("://", 1)[1] if uri.startswith("pyamqp://") else uri


def pika_parameters(uri: str, **settings) -> list[pika.URLParameters]:
    """One set of connection parameters per node the URI names (`;` between nodes, see
    shared.settings.amqp_uri): `pika.BlockingConnection` tries them in turn, so a client
    reconnects to another node when one has gone away. `settings` are set on each."""
    parameters = []
    for node in amqp_nodes(uri):
        one = pika.URLParameters(pika_uri(node))
        for name, value in settings.items():
            setattr(one, name, value)
        parameters.append(one)
    return parameters


def pika_connect(uri: str, **settings) -> pika.BlockingConnection:
    """A blocking connection to the first node of `uri` that answers."""
    return pika.BlockingConnection(pika_parameters(uri, **settings))


class Confirms:
    """Which rows of a batch the broker confirmed. Delivery tags count 1, 2, 3… per channel
    in publish order; an ack or nack with `multiple` answers every tag up to its own."""

    def __init__(self):
        self._rows: dict[int, int] = {}  # delivery tag -> row id, still unanswered
        self._tags: dict[str, int] = {}  # event id -> delivery tag, to place a Basic.Return
        self._returned: set[int] = set()
        self.confirmed: list[int] = []
        self.refused: list[int] = []

    def sent(self, tag: int, row_id: int, event_id: str) -> None:
        self._rows[tag] = row_id
        self._tags[event_id] = tag

    def returned(self, event_id: str) -> None:
        # The broker acks a returned message too: that ack must not count as delivered.
        if event_id in self._tags:
            self._returned.add(self._tags[event_id])

    def answered(self, tag: int, multiple: bool, ack: bool) -> None:
        tags = [t for t in self._rows if t <= tag] if multiple else [tag]
        for t in tags:
            row_id = self._rows.pop(t, None)
            if row_id is None:
                continue
            delivered = ack and t not in self._returned
            (self.confirmed if delivered else self.refused).append(row_id)

    @property
    def waiting(self) -> int:
        return len(self._rows)


class PublishFailed(Exception):
    """The broker did not confirm every message of a batch (the rows stay pending)."""


class Publisher:
    """A pika channel in confirm mode onto nameko's event exchanges. A batch is published
    without waiting per message, then the confirms are awaited together: pika's blocking
    channel waits after every message, so the asynchronous channel it wraps is used."""

    confirm_timeout = 10.0

    def __init__(self, uri: str):
        self.uri = uri
        self._connection = None
        self._channel = None
        self._declared: set[str] = set()
        self._confirms: Confirms | None = None
        self._next_tag = 1

    def channel(self):
        if self._channel is None or self._channel.is_closed:
            self.close()
            # Each node once, in turn: a node that went away is passed over for the next.
            self._connection = pika_connect(self.uri, connection_attempts=1,
                                            socket_timeout=5)
            self._channel = self._connection.channel()
            self._declared.clear()
            self._next_tag = 1
            # `_impl`: pika's asynchronous channel under the blocking one; its confirms
            # arrive as callbacks instead of one wait per message.
            self._confirm_mode(self._channel._impl)
        return self._channel

    def _confirm_mode(self, impl) -> None:
        selected = []
        impl.confirm_delivery(self._on_confirm, callback=selected.append)
        impl.add_on_return_callback(self._on_return)
        deadline = time.monotonic() + self.confirm_timeout
        while not selected and self._channel.is_open and time.monotonic() < deadline:
            self._connection.process_data_events(time_limit=0.05)
        if not selected:
            raise PublishFailed("the broker did not turn on publisher confirms")

    def publish(self, rows, confirms: Confirms) -> None:
        """Publish `rows` and wait for their confirms, which `confirms` records as they
        come; raises PublishFailed (or pika's error) if any is missing."""
        channel = self.channel()
        for exchange in {exchange_and_routing_key(row.event_type)[0] for row in rows}:
            if exchange not in self._declared:
                channel.exchange_declare(exchange, exchange_type="topic", durable=True)
                self._declared.add(exchange)
        self._confirms = confirms
        try:
            for row in rows:
                self._send(channel._impl, row)
                confirms.sent(self._next_tag, row.id, row.event_id)
                self._next_tag += 1
            self._await(confirms)
        finally:
            self._confirms = None
        if confirms.refused:
            raise PublishFailed(f"the broker refused {len(confirms.refused)} messages")

    def _send(self, impl, row) -> None:
        exchange, routing_key = exchange_and_routing_key(row.event_type)
        impl.basic_publish(exchange, routing_key, row.payload.encode(), pika.BasicProperties(
            content_type="application/json", content_encoding="utf-8", delivery_mode=2,
            message_id=row.event_id, headers={"nameko.correlation_id": row.correlation_id},
        ))

    def _await(self, confirms: Confirms) -> None:
        deadline = time.monotonic() + self.confirm_timeout
        while confirms.waiting:
            if self._channel.is_closed:
                raise PublishFailed("the broker closed the channel")
            left = deadline - time.monotonic()
            if left <= 0:
                # Late confirms on this channel could no longer be told apart: start afresh.
                self.close()
                raise PublishFailed(f"{confirms.waiting} confirms missing after "
                                    f"{self.confirm_timeout:g}s")
            self._connection.process_data_events(time_limit=left)

    def _on_confirm(self, frame) -> None:
        if self._confirms is None:
            return
        method = frame.method
        self._confirms.answered(method.delivery_tag, method.multiple,
                                isinstance(method, pika.spec.Basic.Ack))
        if not self._confirms.waiting:
            # process_data_events waits out its time limit unless an event of its own is
            # ready; a timer due now ends the wait as soon as the last confirm is in.
            self._connection.call_later(0, lambda: None)

    def _on_return(self, _channel, _method, properties, _body) -> None:
        if self._confirms is not None:
            self._confirms.returned(properties.message_id)

    def close(self):
        try:
            if self._connection is not None and self._connection.is_open:
                self._connection.close()
        except Exception:  # the broker may already be gone; nothing to keep
            pass
        self._connection = self._channel = None


class OutboxRelay:
    # Confirms are awaited once per batch: larger batches pay that round trip less often.
    def __init__(self, engine, outbox: Table, uri: str | None = None, batch: int = 1000):
        self.engine = engine
        self.outbox = outbox
        self.publisher = Publisher(uri or amqp_uri())
        self.batch = batch

    def publish_pending(self) -> int:
        """Publish one batch and mark exactly the rows the broker confirmed; returns how
        many. Unconfirmed rows stay pending for a later run (consumers drop duplicates);
        a batch that was not wholly confirmed raises once the confirmed part is marked."""
        self.publisher.channel()  # connect first: never hold a database lock while dialling
        if self.engine.dialect.name == "postgresql":
            return self._publish_locked()
        # A read needs no write lock (SQLite's BEGIN IMMEDIATE), and nothing to mark no
        # transaction: the service's own writers then wait on the relay less.
        with reading(self.engine) as connection:
            rows = connection.execute(self._pending()).all()
        confirmed, failure = self._publish(rows)
        if confirmed:
            with Session(self.engine) as session, session.begin():
                self._mark(session, confirmed)
        return self._outcome(confirmed, failure)

    def _publish_locked(self) -> int:
        # SKIP LOCKED lets replicas share one outbox: each takes rows no other relay holds,
        # and the locks end with this transaction, so no row is skipped for good.
        with Session(self.engine) as session, session.begin():
            rows = session.execute(self._pending().with_for_update(skip_locked=True)).all()
            confirmed, failure = self._publish(rows)
            self._mark(session, confirmed)
        return self._outcome(confirmed, failure)

    def _pending(self):
        c = self.outbox.c
        return (select(c.id, c.event_id, c.event_type, c.payload, c.correlation_id)
                .where(~c.published).order_by(c.id).limit(self.batch))

    def _publish(self, rows) -> tuple[list[int], Exception | None]:
        if not rows:
            return [], None
        confirms = Confirms()
        failure = None
        try:
            self.publisher.publish(rows, confirms)
        except Exception as exc:  # broker away or refusing: keep what it confirmed before
            failure = exc
        event_types = {row.id: row.event_type for row in rows}
        for row_id in confirms.confirmed:
            metrics.PUBLISHED.labels(event_types[row_id]).inc()
        return confirms.confirmed, failure

    @staticmethod
    def _outcome(confirmed: list[int], failure: Exception | None) -> int:
        if failure is not None:
            raise failure
        return len(confirmed)

    def _mark(self, session: Session, row_ids: list[int]):
        if row_ids:
            session.execute(update(self.outbox).where(self.outbox.c.id.in_(row_ids))
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

    def __init__(self, outbox: Table, database: str):
        """`database`: the service's attribute holding its Database, whose engine it reads."""
        self.outbox = outbox
        self.database = database

    def setup(self):
        self._wake = threading.Event()
        self._running = False
        self._sampled_at = 0.0

    def start(self):
        engine = dependency_of(self.container, self.database).engine
        self.relay = OutboxRelay(engine, self.outbox,
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
        """At most once a second: an idle pass comes after every busy one."""
        if time.monotonic() - self._sampled_at < self.idle_wait:
            return
        self._sampled_at = time.monotonic()
        with reading(self.relay.engine) as connection:
            metrics.BACKLOG.set(backlog(connection, self.outbox))

    def _loop(self):
        backoff = self.first_backoff
        while self._running:
            # Cleared before the run, not after: a commit during the run must still wake
            # the wait below, or its event waits out the poll.
            self._wake.clear()
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
        self.relay.close()
