"""The outbox relay against the machine's ceilings, in one run.

    .venv/bin/python -m bench.relay [--events 20000] [--postgres]

(a) relay: N outbox rows in a throwaway SQLite database (or a throwaway PostgreSQL schema),
OutboxRelay.publish_pending until none is left; every event is then counted on a consumer
of a queue bound to the exchange, and the run fails if one is missing. (b) plain pika
basic_publish without confirms, same message size and count: what the broker takes at
most. (c) nameko's event_dispatcher, which waits for each confirm. Rates are events/s."""
import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pika
from nameko.standalone.events import event_dispatcher
from sqlalchemy import MetaData, insert, text

from bench.donations import BenchFailure, print_figures
from shared.db import make_engine
from shared.events.routing import exchange_and_routing_key
from shared.messaging_tables import add_messaging_tables
from shared.outbox import OutboxRelay, pika_uri
from shared.settings import amqp_uri

EVENT_TYPE = "bench.relay_measured"
NAMEKO_EVENTS = 2_000  # nameko is ~20x slower; fewer events give the same rate
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def payload(i: int) -> dict:
    """About the size of a real event (~400 bytes of JSON)."""
    return {"event_id": str(uuid.uuid4()), "event_type": EVENT_TYPE, "version": 1,
            "occurred_at": "2026-01-01T00:00:00+00:00", "correlation_id": f"bench-relay-{i}",
            "data": {"n": i, "padding": "x" * 200}}


class Counter:
    """A queue bound to the bench exchange; counts distinct event ids it was given."""

    def __init__(self, uri: str):
        self.connection = pika.BlockingConnection(pika.URLParameters(pika_uri(uri)))
        self.channel = self.connection.channel()
        exchange, routing_key = exchange_and_routing_key(EVENT_TYPE)
        self.channel.exchange_declare(exchange, exchange_type="topic", durable=True)
        self.queue = self.channel.queue_declare("", exclusive=True).method.queue
        self.channel.queue_bind(self.queue, exchange, routing_key)

    def purge(self) -> None:
        self.channel.queue_purge(self.queue)

    def event_ids(self, expected: int, settle: float = 2.0) -> set[str]:
        """Every message id that arrives until `expected` are in, or none came for `settle` s."""
        seen: set[str] = set()
        self.channel.basic_qos(prefetch_count=1000)
        for method, properties, body in self.channel.consume(self.queue,
                                                             inactivity_timeout=settle):
            if method is None:
                break
            seen.add(properties.message_id or json.loads(body)["event_id"])
            if len(seen) % 500 == 0 or len(seen) >= expected:
                self.channel.basic_ack(method.delivery_tag, multiple=True)
            if len(seen) >= expected:
                break
        self.channel.cancel()
        return seen

    def close(self) -> None:
        self.connection.close()


def throwaway_engine(postgres: bool, directory: Path):
    if not postgres:
        return make_engine(f"sqlite:///{directory / 'relay.db'}"), None
    schema = f"bench_relay_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    return make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}"), (admin, schema)


def relay_rate(uri: str, count: int, counter: Counter, postgres: bool) -> float:
    metadata = MetaData()
    outbox, _ = add_messaging_tables(metadata)
    with tempfile.TemporaryDirectory(prefix="phf-bench-relay-") as directory:
        engine, cleanup = throwaway_engine(postgres, Path(directory))
        try:
            metadata.create_all(engine)
            envelopes = [payload(i) for i in range(count)]
            with engine.begin() as connection:
                connection.execute(insert(outbox), [{
                    "event_id": e["event_id"], "event_type": EVENT_TYPE,
                    "payload": json.dumps(e), "correlation_id": e["correlation_id"],
                    "published": False} for e in envelopes])
            relay = OutboxRelay(engine, outbox, uri)
            started = time.perf_counter()
            while relay.publish_pending():
                pass
            elapsed = time.perf_counter() - started
            relay.close()
        finally:
            engine.dispose()
            if cleanup:
                admin, schema = cleanup
                with admin.connect() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    missing = {e["event_id"] for e in envelopes} - counter.event_ids(count)
    if missing:
        raise BenchFailure(f"{len(missing)} of {count} relayed events never reached the "
                           f"consumer")
    return count / elapsed


def pika_unconfirmed_rate(uri: str, count: int, counter: Counter) -> float:
    connection = pika.BlockingConnection(pika.URLParameters(pika_uri(uri)))
    channel = connection.channel()
    exchange, routing_key = exchange_and_routing_key(EVENT_TYPE)
    bodies = [json.dumps(payload(i)).encode() for i in range(count)]
    properties = pika.BasicProperties(content_type="application/json", delivery_mode=2)
    started = time.perf_counter()
    for body in bodies:
        channel.basic_publish(exchange, routing_key, body, properties)
    connection.process_data_events(0)  # the last frames are on the wire
    elapsed = time.perf_counter() - started
    connection.close()
    counter.purge()
    return count / elapsed


def nameko_confirmed_rate(uri: str, count: int, counter: Counter) -> float:
    dispatch = event_dispatcher({"AMQP_URI": uri})
    source, _, name = EVENT_TYPE.partition(".")
    data = [payload(i) for i in range(count)]
    started = time.perf_counter()
    for envelope in data:
        dispatch(source, name, envelope)
    elapsed = time.perf_counter() - started
    counter.purge()
    return count / elapsed


def measure(events: int = 20_000, postgres: bool = False, uri: str | None = None) -> dict:
    uri = uri or amqp_uri()
    counter = Counter(uri)
    try:
        relay = relay_rate(uri, events, counter, postgres)
        ceiling = pika_unconfirmed_rate(uri, events, counter)
        nameko = nameko_confirmed_rate(uri, min(events, NAMEKO_EVENTS), counter)
    finally:
        counter.close()
    return {"relay_events_per_s": relay, "pika_unconfirmed_per_s": ceiling,
            "nameko_confirmed_per_s": nameko, "relay_pika_ratio": relay / ceiling,
            "relay_nameko_ratio": relay / nameko}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--postgres", action="store_true", help="outbox on PostgreSQL")
    args = parser.parse_args()
    return print_figures(lambda: measure(args.events, args.postgres))


if __name__ == "__main__":
    sys.exit(main())
