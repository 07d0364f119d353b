"""Anyone who can publish on the broker could once call a fund method as admin. Here an RPC
request is put on `nameko-rpc` by hand, as such a person would, and the fund refuses it
unless the actor carries the gateway's signature."""
import json
import uuid

import pika
import pytest

from shared.actors import sign
from shared.outbox import pika_uri
from tests.support import ADMIN

NEW_FUND = {"code": "FORGED", "name": "Forged", "restricted": False}


def call_by_hand(amqp_uri: str, method: str, args: list, timeout: float = 10.0) -> dict:
    connection = pika.BlockingConnection(pika.URLParameters(pika_uri(amqp_uri)))
    try:
        channel = connection.channel()
        reply_to = f"hand-{uuid.uuid4().hex}"
        channel.exchange_declare("nameko-rpc", exchange_type="topic", durable=True)
        channel.queue_declare(reply_to, exclusive=True)
        channel.queue_bind(reply_to, "nameko-rpc", reply_to)
        channel.basic_publish("nameko-rpc", f"fund.{method}", json.dumps(
            {"args": args, "kwargs": {}}).encode(), pika.BasicProperties(
            content_type="application/json", reply_to=reply_to,
            correlation_id=uuid.uuid4().hex))
        for _method, _props, body in channel.consume(reply_to, auto_ack=True,
                                                     inactivity_timeout=timeout):
            assert body is not None, "no reply from the fund service"
            return json.loads(body)
    finally:
        connection.close()


@pytest.mark.parametrize("actor", [
    {"username": "admin", "role": "admin"},  # unsigned
    {"username": "admin", "role": "admin", "signature": "f" * 64},  # made up
    {**sign({"username": "staff1", "role": "staff"}), "role": "admin"},  # promoted by hand
    sign({"username": "admin", "role": "admin"}, key="not-the-service-key"),  # another key
], ids=["unsigned", "made-up", "tampered", "wrong-key"])
def test_a_hand_made_call_with_a_forged_admin_is_refused(fund, actor):
    reply = call_by_hand(fund.config["AMQP_URI"], "ensure_fund", [NEW_FUND, actor])
    assert reply["result"] is None
    assert reply["error"]["exc_type"] == "Forbidden"
    assert "unsigned_actor" in reply["error"]["exc_args"]
    codes = [f["code"] for f in fund.rpc.list_funds(ADMIN)["items"]]
    assert "FORGED" not in codes


def test_the_same_call_signed_with_the_service_key_is_done(fund):
    reply = call_by_hand(fund.config["AMQP_URI"], "ensure_fund", [NEW_FUND, ADMIN])
    assert reply["error"] is None and reply["result"]["code"] == "FORGED"
