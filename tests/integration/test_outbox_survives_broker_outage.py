"""The outbox earns its keep: a donation that commits while the broker is down stays
recorded, and its event is published, once, when the broker is back."""
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.utils import get_extension
from sqlalchemy import select

from services.fund import donations
from services.fund.models import OUTBOX, Donation
from services.fund.service import FundService
from shared.db import Database, UnitOfWork
from tests.support import ADMIN, STAFF1, EventTap, wait_until


def gift(amount):
    return {"fund_code": "GENERAL", "amount_fen": amount, "channel": "cash", "note": None,
            "anonymous": False, "donor": {"kind": "person", "name": "离线捐赠人"}}


def test_an_event_committed_while_the_broker_is_down_is_published_when_it_returns(
        container_factory, sqlite_url, private_broker):
    config = {"AMQP_URI": private_broker.uri, "DATABASE_URLS": {"fund": sqlite_url("fund")}}
    container = container_factory(FundService, config)
    container.start()
    tap = EventTap(private_broker.uri, "fund.events", "donation_recorded")
    with ClusterRpcProxy(config) as rpc:
        rpc.fund.ensure_fund({"code": "GENERAL", "name": "General", "restricted": False}, ADMIN)
        rpc.fund.record_donation(gift(100), None, STAFF1)
    assert len(tap.take(1)) == 1  # with the broker up, the relay publishes at once

    private_broker.stop()
    database = get_extension(container, Database)
    # What the service does for a donation, committed with no broker to publish to.
    with UnitOfWork(database.session_factory, "outage").transaction() as session:
        # As the service loads an actor: of its association (the audit log names it).
        offline = donations.record(session, "341181", gift(200),
                                   {**STAFF1, "association_code": "341181"})
    get_extension(container, FundService.relay.__class__).kick()

    with database.session_factory() as session:
        assert session.get(Donation, offline.id).amount_fen == 200
        # Sealed at rest, the payload is matched once read (a LIKE would see cipher text).
        pending = [published for published, payload in
                   session.execute(select(OUTBOX.c.published, OUTBOX.c.payload)).all()
                   if '"amount_fen": 200' in payload]
        assert pending == [False]

    private_broker.start()
    # The same durable queue: the relay may publish before a new one could be bound.
    tap.reconnect()
    try:
        arrived = wait_until(lambda: tap.take(1, timeout=1), timeout=60)
        later = tap.drain(settle=2)
    finally:
        tap.close()
    events = [e["body"] for e in arrived + later]
    assert [e["data"]["donation_id"] for e in events] == [offline.id]
    assert events[0]["correlation_id"] == "outage"
