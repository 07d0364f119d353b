"""Another try, later, for an event whose handler hit a transient fault. The message waits in
a delay queue of the queue it came from, one per delay (`<queue>.retry.<delay_ms>`), whose
TTL sends it back through the default exchange to that one queue — not to every consumer of
the event. `x-phf-attempt` says which try the next delivery is (the first carries none)."""
import pika

from shared.outbox import pika_connect
from shared.queues import AT_LEAST_ONCE_DEAD_LETTERING, declare_durable

ATTEMPT = "x-phf-attempt"
# The event's own exchange and routing key, kept across tries: a retried message arrives
# from the default exchange, and a dead letter should still name where the event came from.
ORIGIN_EXCHANGE = "x-phf-origin-exchange"
ORIGIN_ROUTING_KEY = "x-phf-origin-routing-key"
OURS = (ATTEMPT, ORIGIN_EXCHANGE, ORIGIN_ROUTING_KEY)


def attempt_of(headers: dict | None) -> int:
    try:
        return max(1, int((headers or {}).get(ATTEMPT, 1)))
    except (TypeError, ValueError):
        return 1


def origin_of(headers: dict | None, delivery_info: dict) -> tuple[str, str]:
    headers = headers or {}
    if ORIGIN_EXCHANGE in headers:
        return headers[ORIGIN_EXCHANGE], headers.get(ORIGIN_ROUTING_KEY, "")
    return delivery_info.get("exchange") or "", delivery_info.get("routing_key") or ""


def _without_broker_deaths(headers: dict | None) -> dict:
    # RabbitMQ adds x-death (and x-first-death-*) when a delay queue expires a message.
    # Copied onto the next try, it would make RabbitMQ see a dead-letter cycle (the same
    # queue, expired twice, no rejection) and silently drop the message.
    return {k: v for k, v in (headers or {}).items()
            if k != "x-death" and not k.startswith(("x-first-death-", "x-last-death-"))}


def next_try_headers(headers: dict | None, delivery_info: dict, attempt: int) -> dict:
    """The headers of try number `attempt`, from those of the delivery that just failed."""
    exchange, routing_key = origin_of(headers, delivery_info)
    return {**_without_broker_deaths(headers), ATTEMPT: attempt,
            ORIGIN_EXCHANGE: exchange, ORIGIN_ROUTING_KEY: routing_key}


def plain_headers(headers: dict | None) -> dict:
    """The headers without retry bookkeeping: a dead letter replayed by hand starts afresh."""
    return {k: v for k, v in _without_broker_deaths(headers).items() if k not in OURS}


def delay_ms(delay: float) -> int:
    return max(1, round(delay * 1000))


def delay_queue_name(queue: str, delay: float) -> str:
    return f"{queue}.retry.{delay_ms(delay)}"


def declare_delay_queue(channel, queue: str, delay: float) -> str:
    name = delay_queue_name(queue, delay)
    declare_durable(channel, name, {
        "x-message-ttl": delay_ms(delay),
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": queue,
        **AT_LEAST_ONCE_DEAD_LETTERING,
    })
    return name


def schedule(uri: str, queue: str, body: bytes, properties: dict, delay: float) -> str:
    """Publish `body` (with publisher confirms) to come back to `queue` after `delay`
    seconds; raises if the broker did not take it. Returns the delay queue's name."""
    connection = pika_connect(uri)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        name = declare_delay_queue(channel, queue, delay)
        channel.basic_publish("", name, body, pika.BasicProperties(
            content_type=properties.get("content_type"),
            content_encoding=properties.get("content_encoding"),
            message_id=properties.get("message_id"), delivery_mode=2,
            headers=properties.get("headers")), mandatory=True)
    finally:
        connection.close()
    return name
