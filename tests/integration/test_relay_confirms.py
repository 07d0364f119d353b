"""The relay marks exactly the rows the broker confirmed: a refused batch, or one cut off
mid-way, leaves its unconfirmed rows pending for a later run, and every row reaches a
consumer at least once. Real broker (a vhost per test), real databases; a TCP proxy cuts
the connection."""
import json
import threading
import uuid
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, insert, select

from services.fund.models import OUTBOX
from shared import outbox as outbox_module
from shared.db import make_engine
from shared.outbox import Confirms, OutboxRelay, pika_uri
from tests.support import EventTap
from tests.tcp_proxy import TcpProxy

EXCHANGE = "fund.events"
ROUTING_KEY = "donation_recorded"


def add_rows(engine, count: int) -> set[str]:
    ids = [str(uuid.uuid4()) for _ in range(count)]
    with engine.begin() as connection:
        connection.execute(insert(OUTBOX), [{
            "event_id": event_id, "event_type": "fund.donation_recorded",
            "payload": json.dumps({"event_id": event_id}), "correlation_id": "relay-test",
            "published": False} for event_id in ids])
    return set(ids)


def published_ids(engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.scalars(select(OUTBOX.c.event_id).where(OUTBOX.c.published)))


def pending(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(OUTBOX)
                                 .where(~OUTBOX.c.published))


def arrived(tap: EventTap, count: int) -> list[str]:
    return [m["body"]["event_id"] for m in tap.take(count, timeout=30) + tap.drain(settle=1)]


def drain_relay(relay: OutboxRelay) -> None:
    while relay.publish_pending():
        pass


@pytest.fixture
def amqp(rabbit_config):
    return pika_uri(rabbit_config["AMQP_URI"])


@pytest.fixture
def engine(sqlite_url):
    engine = make_engine(sqlite_url("fund"))
    yield engine
    engine.dispose()


def test_every_row_is_confirmed_marked_and_delivered_once(engine, amqp):
    tap = EventTap(amqp, EXCHANGE, ROUTING_KEY)
    ids = add_rows(engine, 1200)
    relay = OutboxRelay(engine, OUTBOX, amqp, batch=500)
    drain_relay(relay)
    relay.close()
    delivered = arrived(tap, len(ids))
    tap.close()
    assert published_ids(engine) == ids
    assert sorted(delivered) == sorted(ids)


def test_a_channel_the_broker_closes_marks_nothing_and_a_later_run_publishes_all(engine, amqp):
    tap = EventTap(amqp, EXCHANGE, ROUTING_KEY)
    relay = OutboxRelay(engine, OUTBOX, amqp)
    relay.publisher.channel()
    relay.publisher.channel().exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
    relay.publisher._declared.add(EXCHANGE)
    tap.channel.exchange_delete(EXCHANGE)  # the relay believes it declared it: 404 follows
    ids = add_rows(engine, 50)

    with pytest.raises(Exception):  # noqa: B017 (pika's or ours: any refusal will do)
        relay.publish_pending()
    assert published_ids(engine) == set()
    assert pending(engine) == 50

    relay.close()
    tap.close()
    tap = EventTap(amqp, EXCHANGE, ROUTING_KEY)  # exchange and binding back
    drain_relay(relay)
    relay.close()
    assert published_ids(engine) == ids
    assert set(arrived(tap, len(ids))) == ids
    tap.close()


def test_a_connection_cut_mid_batch_keeps_the_unconfirmed_rows_for_the_next_run(
        engine, amqp, monkeypatch):
    tap = EventTap(amqp, EXCHANGE, ROUTING_KEY)
    broker = urlsplit(amqp)
    proxy = TcpProxy(broker.hostname, broker.port)
    proxy.start()
    through_proxy = amqp.replace(f"{broker.hostname}:{broker.port}",
                                 f"127.0.0.1:{proxy.port}")
    recorded: list[Confirms] = []

    class CutAtFirstAnswer(Confirms):
        def answered(self, tag, multiple, ack):
            super().answered(tag, multiple, ack)
            if len(recorded) == 1 and proxy.running:  # the first run only
                proxy.stop()

        def __init__(self):
            super().__init__()
            recorded.append(self)

    monkeypatch.setattr(outbox_module, "Confirms", CutAtFirstAnswer)
    ids = add_rows(engine, 3000)
    relay = OutboxRelay(engine, OUTBOX, through_proxy, batch=3000)
    with pytest.raises(Exception):  # noqa: B017 (the stream lost: pika's own error)
        relay.publish_pending()
    relay.close()
    first = published_ids(engine)
    assert first == {row_event_id(engine, r) for r in recorded[0].confirmed}
    assert first  # the first answer confirmed something before the cut
    assert pending(engine) == 3000 - len(first)

    proxy.start()
    drain_relay(relay)
    relay.close()
    proxy.stop()
    assert published_ids(engine) == ids
    delivered = arrived(tap, len(ids))
    tap.close()
    assert set(delivered) == ids  # none lost; some may come twice, which consumers drop


def row_event_id(engine, row_id: int) -> str:
    with engine.connect() as connection:
        return connection.scalar(select(OUTBOX.c.event_id).where(OUTBOX.c.id == row_id))


def test_two_relays_on_postgres_share_the_outbox_without_publishing_a_row_twice(
        postgres_url, amqp):
    engine = make_engine(postgres_url("fund"))
    tap = EventTap(amqp, EXCHANGE, ROUTING_KEY)
    ids = add_rows(engine, 3000)
    relays = [OutboxRelay(engine, OUTBOX, amqp, batch=200) for _ in range(2)]
    counts = [0, 0]

    def run(i: int) -> None:
        while published := relays[i].publish_pending():
            counts[i] += published

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for relay in relays:
        relay.close()
    delivered = arrived(tap, len(ids))
    tap.close()
    engine.dispose()
    assert published_ids(engine) == ids
    assert sorted(delivered) == sorted(ids)  # each exactly once: no batch went out twice
    assert sum(counts) == len(ids)
