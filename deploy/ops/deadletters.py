"""List, show and replay dead-lettered messages. Replay sends a message back to the one
queue it came from (not to every consumer of its exchange), with its headers as they were."""
import pika

from shared import deadletters
from shared.outbox import pika_connect

DEATH_HEADERS = ("x-death-reason", "x-origin-exchange", "x-origin-routing-key",
                 "x-origin-queue", "x-dead-lettered-at")


def _open(uri: str):
    connection = pika_connect(uri)
    channel = connection.channel()
    channel.confirm_delivery()
    deadletters.declare(channel)
    return connection, channel


def _take_all(channel) -> list[tuple]:
    """Every parked message, unacknowledged (they go back unless acked)."""
    taken = []
    while True:
        method, properties, body = channel.basic_get(deadletters.QUEUE, auto_ack=False)
        if method is None:
            return taken
        taken.append((method, properties, body))


def listing(uri: str) -> list[dict]:
    connection, channel = _open(uri)
    try:
        taken = _take_all(channel)
        return [{"position": n, **deadletters.describe(*message)}
                for n, message in enumerate(taken, start=1)]
    finally:
        connection.close()  # unacked: all of them go back to the queue


def replay(uri: str, positions: set[int] | None) -> list[dict]:
    """Send back the messages at `positions` (all when None); the rest stay parked."""
    connection, channel = _open(uri)
    replayed = []
    try:
        for n, (method, properties, body) in enumerate(_take_all(channel), start=1):
            if positions is not None and n not in positions:
                continue
            headers = {k: v for k, v in (properties.headers or {}).items()
                       if k not in DEATH_HEADERS}
            queue = (properties.headers or {}).get("x-origin-queue")
            channel.basic_publish("", queue, body, pika.BasicProperties(
                content_type=properties.content_type, message_id=properties.message_id,
                content_encoding=properties.content_encoding, delivery_mode=2,
                headers=headers))
            channel.basic_ack(method.delivery_tag)
            replayed.append({"position": n, "queue": queue, "message_id": properties.message_id})
        return replayed
    finally:
        connection.close()
