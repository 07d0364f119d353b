"""The fund as a consumer: an approved claim opens one payout however often its event
arrives, and a message that can never be handled is parked with its reason while the
messages behind it are still handled."""
import json

import pika
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import func, select

from services.fund.models import Disbursement
from shared.contracts.events import build_envelope
from shared.deadletters import QUEUE as DEAD_LETTERS
from shared.outbox import pika_uri
from shared.queues import declare_durable
from tests.support import STAFF1, EventTap, publish_raw, wait_until


def claim_approved(claim_id=7, amount=3_000, fund_code="INSURANCE_PAYOUT"):
    return build_envelope("insurance.claim_approved", {
        "association_code": "341181", "claim_id": claim_id, "claim_no": f"CL-{claim_id}",
        "policy_no": "P-1", "product_code": "ONLY_CHILD_ACCIDENT",
        "amount_approved_fen": amount, "payout_fund_code": fund_code,
        "insured_name": "赵六", "insured_id_number_masked": "3411**********1234",
        "approved_by": "staff2"}, "claim-correlation")


def fund_with_money(fund, amount):
    fund.ensure_fund("INSURANCE_PAYOUT", restricted=True)
    fund.rpc.record_donation({"fund_code": "INSURANCE_PAYOUT", "amount_fen": amount,
                              "channel": "bank", "donor": {"kind": "person", "name": "x"}},
                             None, STAFF1)


def deliver(fund, envelope):
    with entrypoint_waiter(fund.container, "on_claim_approved", timeout=10):
        publish_raw(fund.config["AMQP_URI"], "insurance.events", "claim_approved",
                    json.dumps(envelope).encode())


def dead_letters(amqp_uri):
    connection = pika.BlockingConnection(pika.URLParameters(pika_uri(amqp_uri)))
    try:
        channel = connection.channel()
        found = []
        declare_durable(channel, DEAD_LETTERS)
        while True:
            method, properties, body = channel.basic_get(DEAD_LETTERS, auto_ack=True)
            if method is None:
                return found
            found.append((properties.headers["x-death-reason"], body))
    finally:
        connection.close()


def test_an_approved_claim_is_paid_once_however_often_its_event_arrives(fund):
    fund_with_money(fund, 10_000)
    tap = EventTap(fund.config["AMQP_URI"], "fund.events", "disbursement_paid")
    try:
        event = claim_approved()
        deliver(fund, event)
        deliver(fund, event)  # redelivered: same event id
        deliver(fund, {**claim_approved(), "event_id": "7b0c2a4e-0000-4000-8000-000000000001"})
        paid = tap.drain()
    finally:
        tap.close()
    assert len(paid) == 1
    assert paid[0]["body"]["data"]["reference"] == "CL-7"
    assert paid[0]["body"]["data"]["category"] == "insurance_payout"
    assert paid[0]["body"]["correlation_id"] == "claim-correlation"
    assert fund.rpc.get_fund("INSURANCE_PAYOUT", STAFF1)["balance_fen"] == 7_000
    with fund.session() as session:
        assert session.scalar(select(func.count()).select_from(Disbursement)) == 1


def test_a_claim_the_fund_cannot_cover_waits_for_funds(fund):
    fund_with_money(fund, 1_000)
    tap = EventTap(fund.config["AMQP_URI"], "fund.events", "disbursement_rejected")
    try:
        deliver(fund, claim_approved(amount=5_000))
        [rejected] = tap.take(1)
    finally:
        tap.close()
    assert rejected["body"]["data"]["reason"] == "insufficient_funds"
    assert rejected["body"]["data"]["will_retry"] is True
    assert fund.rpc.get_fund("INSURANCE_PAYOUT", STAFF1)["balance_fen"] == 1_000


def test_poison_messages_are_dead_lettered_and_the_queue_keeps_moving(fund):
    fund_with_money(fund, 10_000)
    uri = fund.config["AMQP_URI"]
    bad_schema = claim_approved(claim_id=1)
    bad_schema["data"]["amount_approved_fen"] = "lots"
    unknown_version = {**claim_approved(claim_id=2), "version": 99}
    publish_raw(uri, "insurance.events", "claim_approved", json.dumps(bad_schema).encode())
    publish_raw(uri, "insurance.events", "claim_approved", b"not json {")
    publish_raw(uri, "insurance.events", "claim_approved", json.dumps(unknown_version).encode())
    deliver(fund, claim_approved(claim_id=3, amount=2_000))

    wait_until(lambda: fund.rpc.get_fund("INSURANCE_PAYOUT", STAFF1)["balance_fen"] == 8_000)
    parked = []

    def all_three_parked():
        parked.extend(dead_letters(uri))
        return len(parked) >= 3

    wait_until(all_three_parked)
    assert len(parked) == 3
    reasons = sorted(reason for reason, _ in parked)
    assert any("amount_approved_fen" in r for r in reasons)
    assert any("undecodable" in r for r in reasons)
    assert any("version 99" in r for r in reasons)
    assert b"not json {" in [body for _, body in parked]


def test_waiting_payouts_are_paid_oldest_first_when_money_arrives(fund):
    fund_with_money(fund, 1_000)
    tap = EventTap(fund.config["AMQP_URI"], "fund.events", "disbursement_paid")
    try:
        deliver(fund, claim_approved(claim_id=1, amount=3_000))
        deliver(fund, claim_approved(claim_id=2, amount=500))  # fits, but must not jump
        assert tap.take(1, timeout=1) == []
        with fund.session() as session:
            statuses = session.scalars(select(Disbursement.status).order_by(Disbursement.id))
            assert list(statuses) == ["awaiting_funds", "awaiting_funds"]
        give = {"fund_code": "INSURANCE_PAYOUT", "amount_fen": 2_600, "channel": "bank",
                "donor": {"kind": "person", "name": "y"}}
        fund.rpc.record_donation(give, None, STAFF1)
        paid = tap.take(2)
        assert [p["body"]["data"]["reference"] for p in paid] == ["CL-1", "CL-2"]
        assert paid[0]["body"]["data"]["source_key"] == "claim:341181:1"
    finally:
        tap.close()
    assert fund.rpc.get_fund("INSURANCE_PAYOUT", STAFF1)["balance_fen"] == 100
