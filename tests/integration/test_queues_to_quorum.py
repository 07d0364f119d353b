"""An install from before quorum queues: its broker holds classic durable queues with messages
waiting, which the services could not declare again (406). `queues-to-quorum` moves each to a
quorum queue with every message and binding; reply queues are left alone. On a vhost of the
test's own, never the machine broker's `/`."""
import subprocess
import sys

import pika
import pytest

from deploy.ops import queues
from deploy.run import quorum_queues
from shared import deadletters, retries
from shared.outbox import pika_connect
from shared.settings import PROJECT_ROOT

RPC = ("rpc-fund", "nameko-rpc", "fund.*")
EVENTS = ("evt-insurance-claim_approved--fund.on_claim_approved", "insurance.events",
          "claim_approved")
DEAD = (deadletters.QUEUE, deadletters.EXCHANGE, "")
DELAY = retries.delay_queue_name(EVENTS[0], 600)  # long enough not to expire in the test
REPLY = "rpc.reply-gateway-0b5c"
WAITING = 25  # messages in each


@pytest.fixture
def old_install(rabbit_config):
    """The vhost as an earlier version left it, with messages waiting in each queue."""
    uri = rabbit_config["AMQP_URI"]
    connection = pika_connect(uri)
    channel = connection.channel()
    channel.confirm_delivery()
    for name, exchange, routing_key in (RPC, EVENTS, DEAD):
        channel.exchange_declare(exchange, exchange_type="fanout" if name == DEAD[0]
                                 else "topic", durable=True)
        channel.queue_declare(name, durable=True)
        channel.queue_bind(name, exchange, routing_key)
    channel.queue_declare(DELAY, durable=True, arguments={
        "x-message-ttl": retries.delay_ms(600), "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": EVENTS[0]})
    channel.queue_declare(REPLY, durable=True, arguments={"x-expires": 300000})
    for name in (RPC[0], EVENTS[0], DEAD[0], DELAY):
        for n in range(WAITING):
            channel.basic_publish("", name, f"{name}#{n}".encode(),
                                  pika.BasicProperties(delivery_mode=2, message_id=str(n)))
    connection.close()
    return uri


def taken(uri: str, queue: str) -> list[str]:
    connection = pika_connect(uri)
    try:
        channel = connection.channel()
        bodies = []
        while True:
            method, _, body = channel.basic_get(queue, auto_ack=True)
            if method is None:
                return bodies
            bodies.append(body.decode())
    finally:
        connection.close()


def declared_as_now(uri: str) -> None:
    """What the services now declare (quorum); raises 406 on a classic queue of the name."""
    connection = pika_connect(uri)
    try:
        channel = connection.channel()
        deadletters.declare(channel)
        retries.declare_delay_queue(channel, EVENTS[0], 600)
        for name, _, _ in (RPC, EVENTS):
            channel.queue_declare(name, durable=True, arguments={"x-queue-type": "quorum"})
    finally:
        if connection.is_open:
            connection.close()


def test_classic_queues_move_to_quorum_with_every_message(old_install):
    uri = old_install
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
        declared_as_now(uri)
    assert refused.value.reply_code == 406

    done = subprocess.run([sys.executable, "-m", "deploy.ops", "--amqp-uri", uri,
                           "queues-to-quorum"], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"4 queues moved to quorum queues, {4 * WAITING} messages" in done.stdout

    broker = queues.Broker(uri)
    types = {q.name: q.type for q in broker.queues()}
    assert types == {RPC[0]: "quorum", EVENTS[0]: "quorum", DEAD[0]: "quorum",
                     DELAY: "quorum", REPLY: "classic"}
    declared_as_now(uri)  # the services' own declarations now pass
    for name, exchange, routing_key in (RPC, EVENTS, DEAD):
        assert (exchange, routing_key, {}) in broker.bindings(name)
    # Every message, once each, in its order.
    for name in (RPC[0], EVENTS[0], DEAD[0], DELAY):
        assert taken(uri, name) == [f"{name}#{n}" for n in range(WAITING)]
    said = []
    quorum_queues(uri, say=lambda line, **_: said.append(line))  # the run command: nothing left
    assert said == []


def test_the_run_command_moves_them_and_says_so(old_install):
    said = []
    quorum_queues(old_install, say=lambda line, **_: said.append(line))
    assert "4 classic queues from an earlier version" in said[0]
    assert said[-1] == f"==> 4 queues moved, {4 * WAITING} messages with them"
    assert len(taken(old_install, EVENTS[0])) == WAITING


def test_nothing_is_moved_while_a_service_still_consumes(old_install):
    connection = pika_connect(old_install)
    channel = connection.channel()
    channel.basic_consume(RPC[0], lambda *_: None)
    try:
        with pytest.raises(queues.Refused, match="rpc-fund"):
            queues.to_quorum(old_install)
    finally:
        connection.close()
    assert {q.name: q.type for q in queues.Broker(old_install).queues()}[RPC[0]] == "classic"
