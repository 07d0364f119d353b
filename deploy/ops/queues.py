"""Move the classic durable queues an earlier version declared to quorum queues, without
losing a message. Declaring a quorum queue under a classic one's name fails (406
PRECONDITION_FAILED), so each is moved in turn: its messages into a temporary quorum queue
`<name>.to-quorum`, the classic queue deleted, the quorum one declared under its name with its
bindings, the messages moved back. Stop the services first (the run command does this before
starting them); a run that was interrupted is finished by running it again.

The queues and their bindings are listed through the RabbitMQ management API
(`--management-uri`, default: port 15672 of the first node in AMQP_URI, same user)."""
import json
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

import pika
import requests

from shared.outbox import pika_connect
from shared.queues import AT_LEAST_ONCE_DEAD_LETTERING, QUORUM, durable_arguments
from shared.settings import amqp_nodes

TEMPORARY = ".to-quorum"
REPLY_QUEUES = "rpc.reply-"  # a process's own; it expires by itself
# What a quorum queue does not take, or decides for itself.
CLASSIC_ONLY = ("x-max-priority", "x-queue-mode", "x-queue-master-locator",
                "x-queue-version", "x-ha-policy")


class Refused(RuntimeError):
    """The move would not be safe now (consumers still attached), or cannot be done."""


@dataclass
class Queue:
    name: str
    type: str
    arguments: dict
    messages: int = 0
    consumers: int = 0
    durable: bool = True
    bindings: list[tuple[str, str, dict]] = field(default_factory=list)


@dataclass
class Moved:
    queue: str
    messages: int


def management_uri(amqp_uri: str) -> str:
    first = urlsplit(amqp_nodes(amqp_uri)[0])
    credentials = first.netloc.rpartition("@")[0] or "guest:guest"
    return f"http://{credentials}@{first.hostname or '127.0.0.1'}:15672"


def vhost_of(amqp_uri: str) -> str:
    path = urlsplit(amqp_nodes(amqp_uri)[0]).path
    return unquote(path[1:]) if len(path) > 1 else "/"


class Broker:
    def __init__(self, amqp_uri: str, management: str | None = None):
        self.amqp_uri = amqp_uri
        self.vhost = vhost_of(amqp_uri)
        parts = urlsplit(management or management_uri(amqp_uri))
        user, _, password = parts.netloc.rpartition("@")[0].partition(":")
        self.api = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}/api"
        self.auth = (unquote(user), unquote(password))

    def _get(self, path: str):
        response = requests.get(self.api + path, auth=self.auth, timeout=10)
        response.raise_for_status()
        return response.json()

    def queues(self) -> list[Queue]:
        found = []
        for q in self._get(f"/queues/{quote(self.vhost, safe='')}"):
            found.append(Queue(q["name"], q.get("type", "classic"), q.get("arguments") or {},
                               q.get("messages") or 0, q.get("consumers") or 0,
                               q["durable"] and not q["auto_delete"] and not q["exclusive"]))
        return found

    def bindings(self, queue: str) -> list[tuple[str, str, dict]]:
        path = f"/queues/{quote(self.vhost, safe='')}/{quote(queue, safe='')}/bindings"
        return [(b["source"], b["routing_key"], b.get("arguments") or {})
                for b in self._get(path) if b["source"]]  # not the default exchange's


def classic_durable(broker: Broker) -> list[Queue]:
    """The queues an earlier version declared durable and classic: those to move."""
    return [q for q in broker.queues()
            if q.type == "classic" and q.durable and not q.name.startswith(REPLY_QUEUES)
            and not q.name.startswith("amq.")]


def quorum_arguments(classic: dict) -> dict:
    """The arguments the system now declares the queue with (shared.queues)."""
    arguments = {k: v for k, v in classic.items() if k not in CLASSIC_ONLY}
    if "x-dead-letter-exchange" in arguments and "x-message-ttl" in arguments:
        arguments.update(AT_LEAST_ONCE_DEAD_LETTERING)  # a retry's delay queue
    return durable_arguments(arguments)


def _move(channel, source: str, target: str) -> int:
    """Every message of `source` into `target` through the default exchange, each acked on
    `source` only once the broker confirmed its copy."""
    moved = 0
    while True:
        method, properties, body = channel.basic_get(source, auto_ack=False)
        if method is None:
            return moved
        channel.basic_publish("", target, body, properties, mandatory=True)
        channel.basic_ack(method.delivery_tag)
        moved += 1


def _channel(connection):
    channel = connection.channel()
    channel.confirm_delivery()  # basic_publish now waits for the broker's confirm
    return channel


def to_quorum(amqp_uri: str, management: str | None = None, say=print) -> list[Moved]:
    """Move every classic durable queue of AMQP_URI's vhost to a quorum one; finish any move
    an earlier run left half-done. Returns what was moved, with the messages each held."""
    broker = Broker(amqp_uri, management)
    queues = {q.name: q for q in broker.queues()}
    classic = classic_durable(broker)
    moved = []
    connection = pika_connect(amqp_uri)
    try:
        _refuse_if_consumed(connection, classic)
        for queue in classic:
            if queue.name.endswith(TEMPORARY):
                continue
            queue.bindings = broker.bindings(queue.name)
            say(f"  {queue.name}: {queue.messages} messages, classic -> quorum")
            moved.append(Moved(queue.name, _one(connection, queue)))
        # A run that stopped after the classic queue was replaced left messages behind.
        for name in queues:
            if name.endswith(TEMPORARY) and name[:-len(TEMPORARY)] in queues:
                target = name[:-len(TEMPORARY)]
                if target in {m.queue for m in moved}:
                    continue
                channel = _channel(connection)
                count = _move(channel, name, target)
                channel.queue_delete(name)
                channel.close()
                say(f"  {target}: {count} messages left by an earlier run moved back")
                moved.append(Moved(target, count))
    finally:
        if connection.is_open:
            connection.close()
    return moved


def _refuse_if_consumed(connection, classic: list[Queue]) -> None:
    """Asked over AMQP, which answers at once (the management API's counts lag by seconds)."""
    channel = connection.channel()
    busy = [q.name for q in classic
            if channel.queue_declare(q.name, passive=True).method.consumer_count]
    channel.close()
    if busy:
        raise Refused(f"consumers are still attached to {', '.join(busy)}: "
                      "stop the services first")


def _one(connection, queue: Queue) -> int:
    channel = _channel(connection)
    temporary = queue.name + TEMPORARY
    channel.queue_declare(temporary, durable=True, arguments=dict(QUORUM))
    count = _move(channel, queue.name, temporary)
    # if_empty: a message that came in since is moved too, not deleted with the queue.
    while True:
        try:
            channel.queue_delete(queue.name, if_empty=True)
            break
        except pika.exceptions.ChannelClosedByBroker as closed:
            if closed.reply_code != 406:
                raise
            channel = _channel(connection)
            count += _move(channel, queue.name, temporary)
    channel.queue_declare(queue.name, durable=True, arguments=quorum_arguments(queue.arguments))
    for exchange, routing_key, arguments in queue.bindings:
        channel.queue_bind(queue.name, exchange, routing_key, arguments=arguments or None)
    # A fresh channel: RabbitMQ 3.10's channel keeps the queue it took from as the classic
    # queue it was, and publishing to the quorum one of the same name on it crashes the channel.
    channel.close()
    channel = _channel(connection)
    back = _move(channel, temporary, queue.name)
    channel.queue_delete(temporary)
    channel.close()
    if back != count:
        raise Refused(f"{queue.name}: {count} messages taken out, {back} put back "
                      f"(the rest wait in {temporary}; run the command again)")
    return count


def report(moved: list[Moved]) -> str:
    return json.dumps([{"queue": m.queue, "messages": m.messages} for m in moved],
                      ensure_ascii=False)
