"""Messages that can never be handled are parked on one durable queue with the reason,
so they never block the queue they came from and can be listed and replayed later."""
import json
from datetime import UTC, datetime

import pika

from shared.outbox import pika_connect
from shared.queues import declare_durable

EXCHANGE = "dead_letters"
QUEUE = "dead_letters"


def declare(channel) -> None:
    channel.exchange_declare(EXCHANGE, exchange_type="fanout", durable=True)
    declare_durable(channel, QUEUE)
    channel.queue_bind(QUEUE, EXCHANGE)


def dead_letter(uri: str, body: bytes, properties: dict, origin: dict, reason: str) -> None:
    """Park `body`; `origin` names exchange, routing_key and the consumer's queue."""
    headers = dict(properties.get("application_headers") or properties.get("headers") or {})
    headers.update({
        "x-death-reason": reason[:2000],
        "x-origin-exchange": origin.get("exchange") or "",
        "x-origin-routing-key": origin.get("routing_key") or "",
        "x-origin-queue": origin.get("queue") or "",
        "x-dead-lettered-at": datetime.now(UTC).isoformat(),
    })
    connection = pika_connect(uri)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        declare(channel)
        channel.basic_publish(EXCHANGE, "", body, pika.BasicProperties(
            content_type=properties.get("content_type"),
            content_encoding=properties.get("content_encoding"),
            message_id=properties.get("message_id"), delivery_mode=2, headers=headers))
    finally:
        connection.close()


def describe(method, properties, body: bytes) -> dict:
    headers = properties.headers or {}
    try:
        preview = json.loads(body)
    except ValueError:
        preview = body[:500].decode("utf-8", "replace")
    return {
        "delivery_tag": method.delivery_tag,
        "message_id": properties.message_id,
        "reason": headers.get("x-death-reason"),
        "queue": headers.get("x-origin-queue"),
        "exchange": headers.get("x-origin-exchange"),
        "routing_key": headers.get("x-origin-routing-key"),
        "dead_lettered_at": headers.get("x-dead-lettered-at"),
        "body": preview,
    }
