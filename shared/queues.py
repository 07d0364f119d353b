"""How every queue the system declares is declared: the one place that chooses.

A queue that must outlive a broker node (an RPC queue `rpc-<service>`, an event handler's
`evt-…` queue, the dead-letter queue, a retry's delay queue) is a RabbitMQ quorum queue,
replicated across a cluster's nodes; declared with `x-queue-type: quorum` rather than through a
vhost's default queue type, which RabbitMQ 3.10 does not have. Quorum queues are durable and
never exclusive or auto-deleted; they take per-consumer prefetch (nameko's `basic.qos` is
per consumer), dead-letter exchanges and message TTL (3.10+).

A queue that lives as long as one process (an RPC reply queue) is a classic, transient one:
replicating it would buy nothing, and a durable classic queue whose node died could not be
declared again on another node until that one came back.
"""
from kombu import Queue

QUORUM = {"x-queue-type": "quorum"}
# A delay queue dead-letters every message it holds back to the queue it came from: at least
# once (a quorum queue's default is at most once), which RabbitMQ allows only when a full
# queue refuses new messages rather than dropping its oldest.
AT_LEAST_ONCE_DEAD_LETTERING = {"x-dead-letter-strategy": "at-least-once",
                                "x-overflow": "reject-publish"}


def durable_arguments(arguments: dict | None = None) -> dict:
    """The declaration arguments of a durable queue, given its own (TTL, dead-lettering…)."""
    return {**(arguments or {}), **QUORUM}


def declare_durable(channel, name: str, arguments: dict | None = None):
    """pika: declare `name` as the system's durable (quorum) queue."""
    return channel.queue_declare(name, durable=True, arguments=durable_arguments(arguments))


def make_durable(queue: Queue) -> Queue:
    """A kombu queue (nameko's RPC or event-handler queue) declared as a quorum queue, when it
    is meant to last; one that is exclusive or auto-deleted is left classic."""
    if queue.durable and not queue.exclusive and not queue.auto_delete:
        queue.queue_arguments = durable_arguments(queue.queue_arguments)
    return queue


def make_transient(queue: Queue) -> Queue:
    """A kombu queue (an RPC reply queue) that lives and dies with its process: classic,
    not durable, deleted when its consumer goes."""
    queue.durable = False
    queue.auto_delete = True
    # Said outright: a vhost whose default queue type is quorum would otherwise refuse it.
    queue.queue_arguments = {**(queue.queue_arguments or {}), "x-queue-type": "classic"}
    return queue


def is_quorum(arguments: dict | None) -> bool:
    return (arguments or {}).get("x-queue-type") == "quorum"
