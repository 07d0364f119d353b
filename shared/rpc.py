"""`@rpc`: nameko's RPC entrypoint, except that a reply which cannot be sent because the
broker is away is logged and dropped. nameko lets that error kill the whole container,
and with it the service process; the caller times out and retries with its idempotency
key instead. Use it for every entrypoint of a service: one consumer serves them all.

Its queue, `rpc-<service>`, is a quorum queue (see shared.queues); `RpcProxy`'s reply queue is a
classic transient one."""
import logging

from amqp.exceptions import ConnectionError as AmqpConnectionError
from amqp.exceptions import RecoverableChannelError
from kombu.exceptions import OperationalError
from nameko import rpc as nameko_rpc

from shared.queues import make_durable, make_transient

log = logging.getLogger(__name__)

# What sending a reply (or acking its request) raises while the broker is unreachable.
BROKER_AWAY = (OperationalError, AmqpConnectionError, RecoverableChannelError, OSError)


class ReplyDroppingRpcConsumer(nameko_rpc.RpcConsumer):
    # Shared under nameko's own key: were a plain @rpc left in the service, both would
    # still use one consumer, rather than two splitting the queue's messages between them.
    sharing_key = nameko_rpc.RpcConsumer

    def setup(self):
        super().setup()
        make_durable(self.queue)

    def handle_result(self, message, result, exc_info):
        try:
            return super().handle_result(message, result, exc_info)
        except BROKER_AWAY as exc:
            # Unacked, the request goes back to the queue when the broker drops our
            # connection and is handled again; an idempotent method answers the same.
            log.warning("reply to %s not sent, broker unreachable: %s: %s",
                        message.delivery_info.get("routing_key"), type(exc).__name__, exc)
            return result, exc_info


class Rpc(nameko_rpc.Rpc):
    rpc_consumer = ReplyDroppingRpcConsumer()


rpc = Rpc.decorator


class TransientReplyListener(nameko_rpc.ReplyListener):
    """nameko declares its reply queue durable: on a cluster, after the node holding it died,
    it could not be declared again elsewhere and no reply would reach the caller."""

    def setup(self):
        super().setup()
        make_transient(self.queue)


class RpcProxy(nameko_rpc.RpcProxy):
    """nameko's RpcProxy (calling another service) with a transient reply queue."""
    rpc_reply_listener = TransientReplyListener()
