"""The fund's database goes away while approved claims arrive: the events wait in delay
queues and are tried again, each paid exactly once when PostgreSQL is back, none parked.
PostgreSQL is reached through a proxy the test cuts, so the server itself keeps running.
Connections cut halfway through transactions lose and repeat nothing either. A poison
event is still parked at once, and one that runs out of tries is parked saying so."""
import json
import logging
import time
from dataclasses import dataclass

import pika
import pytest
from nameko.testing.utils import get_extension
from sqlalchemy import func, make_url, select

from deploy.ops import deadletters as ops
from services.fund.models import PROCESSED_EVENTS, Disbursement
from shared import retries
from shared.db import make_engine
from shared.outbox import OutboxRelayRunner, pika_uri
from shared.settings import event_retry_delays
from shared.subscriber import EventSubscriber
from tests.conftest import PG_URL
from tests.service.conftest import RunningFund, run
from tests.service.test_events_in import claim_approved, fund_with_money
from tests.support import STAFF1, publish_raw, wait_until
from tests.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.broker]

EVENTS = 30

# Seen here: the relay samples its backlog outside the try that guards its publishing, so a
# database that goes away at that moment ends the relay's thread, and nameko then kills the
# whole service container (its consumers with it). The fix belongs in shared/outbox.py.

@dataclass
class FundBehindProxy:
    fund: RunningFund
    proxy: TcpProxy
    direct_url: str  # the same schema, not through the proxy: for the test's own reads

    @property
    def uri(self) -> str:
        return self.fund.config["AMQP_URI"]

    @property
    def queue(self) -> str:
        # The claims' queue: the fund subscribes to premiums due as well.
        return get_extension(self.fund.container, EventSubscriber,
                             method_name="on_claim_approved").queue.name

    @property
    def died(self) -> bool:
        return self.fund.container._died.ready()

    def publish(self, envelope: dict) -> None:
        publish_raw(self.uri, "insurance.events", "claim_approved", json.dumps(envelope).encode())

    def counts(self) -> tuple[int, int, int]:
        """(disbursements, of which paid, events recorded as processed)."""
        engine = make_engine(self.direct_url)
        try:
            with engine.connect() as connection:
                total = connection.scalar(select(func.count()).select_from(Disbursement))
                paid = connection.scalar(select(func.count()).select_from(Disbursement)
                                         .where(Disbursement.status == "paid"))
                seen = connection.scalar(select(func.count()).select_from(PROCESSED_EVENTS)
                                         .where(PROCESSED_EVENTS.c.consumer
                                                == "fund.on_claim_approved"))
        finally:
            engine.dispose()
        return total, paid, seen

    def waiting_in_delay_queues(self) -> int:
        connection = pika.BlockingConnection(pika.URLParameters(pika_uri(self.uri)))
        try:
            channel = connection.channel()
            waiting = 0
            for delay in set(event_retry_delays()):
                name = retries.declare_delay_queue(channel, self.queue, delay)
                waiting += channel.queue_declare(name, passive=True).method.message_count
            return waiting
        finally:
            connection.close()


@pytest.fixture
def pg_proxy():
    target = make_url(PG_URL)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.fixture
def fund_behind_proxy(postgres_url, pg_proxy, container_factory, rabbit_config):
    # Asked for in this order, the service stops before the proxy, and both before the
    # schema is dropped.
    direct = postgres_url("fund")
    proxied = make_url(direct).set(host="127.0.0.1", port=pg_proxy.port)
    config = {**rabbit_config, "max_workers": 10,
              "DATABASE_URLS": {"fund": proxied.render_as_string(hide_password=False)}}
    for fund in run(RunningFund, container_factory, config):
        yield FundBehindProxy(fund, pg_proxy, direct)


def wait_for_all_applied(service: FundBehindProxy, events: int) -> None:
    wait_until(lambda: service.died or service.counts() == (events,) * 3, timeout=120,
               interval=0.5)
    assert not service.died


def retry_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records
            if r.name == "shared.subscriber" and "trying again" in r.getMessage()]


def test_events_that_arrive_while_the_database_is_away_are_applied_once_when_it_returns(
        fund_behind_proxy, caplog, monkeypatch):
    monkeypatch.delenv("EVENT_RETRY_DELAYS", raising=False)  # the delays as shipped
    caplog.set_level(logging.WARNING, logger="shared.subscriber")
    service = fund_behind_proxy
    fund_with_money(service.fund, 100_000)

    service.proxy.stop()
    down_at = time.monotonic()
    for claim_id in range(1, EVENTS + 1):
        service.publish(claim_approved(claim_id=claim_id, amount=100))
    # Every event failed on the database and went to wait; none was parked.
    wait_until(lambda: [r.args[1] for r in retry_records(caplog)].count(1) == EVENTS,
               timeout=30)
    assert ops.listing(service.uri) == []
    time.sleep(max(0.0, 4 - (time.monotonic() - down_at)))  # a few seconds of outage
    service.proxy.start()

    wait_for_all_applied(service, EVENTS)
    wait_until(lambda: service.waiting_in_delay_queues() == 0, timeout=60, interval=0.5)
    time.sleep(2)  # anything still to come would have come by now

    assert service.counts() == (EVENTS, EVENTS, EVENTS)
    assert service.fund.rpc.get_fund("INSURANCE_PAYOUT", STAFF1)["balance_fen"] == (
        100_000 - EVENTS * 100)
    assert ops.listing(service.uri) == []
    attempts = [r.args[1] for r in retry_records(caplog)]
    assert min(attempts) == 1 and max(attempts) >= 2
    assert all("OperationalError" in r.getMessage() for r in retry_records(caplog))


def test_a_poison_event_is_dead_lettered_at_once(fund_behind_proxy, caplog):
    caplog.set_level(logging.WARNING, logger="shared.subscriber")
    service = fund_behind_proxy
    fund_with_money(service.fund, 10_000)
    service.publish(claim_approved(claim_id=1, fund_code="NO_SUCH_FUND"))  # a domain error
    service.publish(claim_approved(claim_id=2, amount=500))  # the queue keeps moving

    [parked] = wait_until(lambda: ops.listing(service.uri), timeout=20)
    assert parked["reason"].startswith("handler failed after 1 attempt, not a transient fault")
    assert "InvalidInput" in parked["reason"] and "NO_SUCH_FUND" in parked["reason"]
    assert (parked["exchange"], parked["routing_key"], parked["queue"]) == (
        "insurance.events", "claim_approved", service.queue)
    assert parked["body"]["data"]["claim_id"] == 1
    wait_until(lambda: service.counts() == (1, 1, 1))
    assert retry_records(caplog) == []


def test_a_transient_fault_that_outlasts_the_retries_is_dead_lettered_with_its_attempts(
        fund_behind_proxy, caplog, monkeypatch):
    caplog.set_level(logging.WARNING, logger="shared.subscriber")
    monkeypatch.setenv("EVENT_RETRY_DELAYS", "0.1,0.2,0.4")
    service = fund_behind_proxy
    fund_with_money(service.fund, 10_000)

    service.proxy.stop()
    service.publish(claim_approved(claim_id=9, amount=700))
    [parked] = wait_until(lambda: ops.listing(service.uri), timeout=30)
    assert parked["reason"].startswith("handler failed after 4 attempts, retries exhausted: "
                                       "OperationalError")
    assert (parked["exchange"], parked["routing_key"], parked["queue"]) == (
        "insurance.events", "claim_approved", service.queue)
    assert [r.args[1] for r in retry_records(caplog)] == [1, 2, 3]
    assert service.waiting_in_delay_queues() == 0

    # Nothing was lost: replayed once the database is back, it is paid, once.
    service.proxy.start()
    assert [r["queue"] for r in ops.replay(service.uri, None)] == [service.queue]
    wait_until(lambda: service.counts() == (1, 1, 1), timeout=20)
    assert ops.listing(service.uri) == []


def test_connections_cut_while_events_are_being_applied_lose_nothing_and_repeat_nothing(
        fund_behind_proxy, caplog, monkeypatch):
    monkeypatch.delenv("EVENT_RETRY_DELAYS", raising=False)
    caplog.set_level(logging.WARNING, logger="shared.subscriber")
    service = fund_behind_proxy
    fund_with_money(service.fund, 100_000)
    for claim_id in range(1, 2 * EVENTS + 1):
        service.publish(claim_approved(claim_id=claim_id, amount=100))
    wait_until(lambda: service.counts()[2] >= 5, interval=0.02)
    service.proxy.stop()  # mid-stream: some transactions are cut halfway
    time.sleep(3)
    service.proxy.start()

    wait_for_all_applied(service, 2 * EVENTS)
    wait_until(lambda: service.waiting_in_delay_queues() == 0, timeout=60, interval=0.5)
    time.sleep(2)
    assert service.counts() == (2 * EVENTS,) * 3
    assert service.fund.rpc.get_fund("INSURANCE_PAYOUT", STAFF1)["balance_fen"] == (
        100_000 - 2 * EVENTS * 100)
    assert ops.listing(service.uri) == []
    assert retry_records(caplog)  # the cut was felt, and retried


def test_the_service_outlives_a_database_that_goes_away_while_the_relay_samples_its_backlog(
        fund_behind_proxy, monkeypatch):
    service = fund_behind_proxy
    relay = get_extension(service.fund.container, OutboxRelayRunner).relay
    publish_pending = relay.publish_pending

    def then_cut():  # nothing to publish, and the database goes just before the sampling
        published = publish_pending()
        service.proxy.stop()
        return published

    monkeypatch.setattr(relay, "publish_pending", then_cut)
    get_extension(service.fund.container, OutboxRelayRunner).kick()
    time.sleep(2)
    monkeypatch.setattr(relay, "publish_pending", publish_pending)
    service.proxy.start()
    assert not service.died
