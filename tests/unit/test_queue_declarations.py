"""Which queues are quorum queues and which stay classic, and AMQP_URI naming a cluster's
nodes: decided in one place (shared.queues, shared.settings), checked without a broker."""
from kombu import Exchange, Queue

from shared.outbox import pika_parameters
from shared.queues import durable_arguments, make_durable, make_transient
from shared.settings import amqp_nodes

RPC = Exchange("nameko-rpc", type="topic", durable=True)


def test_a_lasting_queue_is_a_quorum_queue_with_its_own_arguments_kept():
    queue = make_durable(Queue("rpc-fund", exchange=RPC, routing_key="fund.*", durable=True))
    assert queue.queue_arguments == {"x-queue-type": "quorum"}
    assert durable_arguments({"x-message-ttl": 500}) == {"x-message-ttl": 500,
                                                          "x-queue-type": "quorum"}


def test_exclusive_and_auto_deleted_queues_stay_classic():
    for queue in (Queue("evt-x", durable=True, auto_delete=True),
                  Queue("evt-y", durable=True, exclusive=True)):
        assert make_durable(queue).queue_arguments is None


def test_a_reply_queue_is_classic_and_transient():
    queue = make_transient(Queue("rpc.reply-gateway-1", exchange=RPC, routing_key="1",
                                 queue_arguments={"x-expires": 300000}))
    assert (queue.durable, queue.auto_delete) == (False, True)
    assert queue.queue_arguments == {"x-expires": 300000, "x-queue-type": "classic"}


def test_amqp_uri_names_every_node_of_a_cluster():
    uri = "pyamqp://u:p@a:5672/phf; amqp://u:p@b:5673/phf;"
    assert amqp_nodes(uri) == ["pyamqp://u:p@a:5672/phf", "amqp://u:p@b:5673/phf"]
    first, second = pika_parameters(uri, connection_attempts=1)
    assert (first.host, first.port, first.virtual_host) == ("a", 5672, "phf")
    assert (second.host, second.port, second.connection_attempts) == ("b", 5673, 1)
    assert amqp_nodes("amqp://g:g@127.0.0.1:5672/") == ["amqp://g:g@127.0.0.1:5672/"]
