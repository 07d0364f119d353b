"""Small helpers the tests share: a pika listener on an event exchange, and actors."""
import json
import time
import uuid
from collections.abc import Callable

import pika

from shared.actors import sign
from shared.outbox import pika_uri
from shared.recipients import open_contact

STAFF1 = sign({"username": "staff1", "role": "staff"})
STAFF2 = sign({"username": "staff2", "role": "staff"})
ADMIN = sign({"username": "admin", "role": "admin"})


class EventTap:
    """A durable queue bound to an event exchange, declared before anything is published
    (an event sent to an exchange with no queue bound is dropped)."""

    def __init__(self, amqp_uri: str, exchange: str, routing_key: str = "#"):
        self.uri = pika_uri(amqp_uri)
        self.reconnect()
        self.queue = f"tap-{uuid.uuid4().hex[:8]}"
        self.channel.exchange_declare(exchange, exchange_type="topic", durable=True)
        self.channel.queue_declare(self.queue, durable=True)
        self.channel.queue_bind(self.queue, exchange, routing_key)

    def reconnect(self) -> None:
        """A new connection to the same durable queue (after the broker restarted)."""
        self.connection = pika.BlockingConnection(pika.URLParameters(self.uri))
        self.channel = self.connection.channel()

    def take(self, count: int, timeout: float = 10.0) -> list[dict]:
        """Exactly the messages that arrive within `timeout`, up to `count`."""
        bodies = []
        deadline = time.monotonic() + timeout
        while len(bodies) < count and time.monotonic() < deadline:
            method, properties, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                self.connection.sleep(0.05)
                continue
            bodies.append({"body": json.loads(body), "headers": properties.headers or {}})
        return bodies

    def drain(self, settle: float = 1.0) -> list[dict]:
        """Everything that arrives until nothing has come for `settle` seconds."""
        found = []
        while True:
            batch = self.take(1, timeout=settle)
            if not batch:
                return found
            found.extend(batch)

    def close(self):
        if self.connection.is_open:
            self.connection.close()


def heard(tapped: dict, *clear: str) -> list[tuple]:
    """Who a tapped event tells, as (person, name, phone, email) with the contacts opened;
    none of `clear` (contacts as typed) anywhere in the body as it was published."""
    published = json.dumps(tapped["body"], ensure_ascii=False)
    for contact in clear:
        assert contact not in published, f"{contact} travels in clear"
    return [(r["person"], r["name"], open_contact(r["phone"], "phone"),
             open_contact(r["email"], "email")) for r in tapped["body"]["data"]["recipients"]]


def of_type(tapped: list[dict], event_type: str) -> list[dict]:
    """The tapped events of one type, in the order they came."""
    return [e for e in tapped if e["body"]["event_type"] == event_type]


def publish_raw(amqp_uri: str, exchange: str, routing_key: str, body: bytes,
                content_type: str = "application/json") -> None:
    connection = pika.BlockingConnection(pika.URLParameters(pika_uri(amqp_uri)))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.exchange_declare(exchange, exchange_type="topic", durable=True)
        channel.basic_publish(exchange, routing_key, body, pika.BasicProperties(
            content_type=content_type, delivery_mode=2))
    finally:
        connection.close()


def queue_consumed(amqp_uri: str, queue: str) -> bool:
    """Whether a consumer reads `queue` yet: an event published before its queue is declared
    and bound is dropped, and a consumer starts only once both are done (answering RPC
    proves nothing: a service's event queues are declared apart)."""
    connection = pika.BlockingConnection(pika.URLParameters(pika_uri(amqp_uri)))
    try:
        return connection.channel().queue_declare(
            queue, passive=True).method.consumer_count > 0
    except pika.exceptions.ChannelClosedByBroker:
        return False
    finally:
        if connection.is_open:
            connection.close()


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.1,
               failure: Callable[[], str] | None = None):
    """The predicate's first true value within `timeout`; else an AssertionError saying
    `failure()` (what was found instead), or just that the time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(failure() if failure else f"condition not met within {timeout}s")


def assert_problem(response, status: int, code: str | None = None) -> dict:
    """An error answer as the interface promises it: problem+json, the status and code, and
    the correlation id of the response."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and (code is None or body["code"] == code), body
    assert body["correlation_id"] == response.headers["X-Correlation-ID"]
    return body


class Clock:
    """A clock that moves only when a test moves it (`clock.now += 60`)."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def outcomes(calls) -> tuple[list[dict], list[Exception]]:
    """What each call answered: the answers, and the errors (anything raised)."""
    answers = []
    errors = []
    for call in calls:
        try:
            answers.append(call.result())
        except Exception as error:  # every kind is looked at by the tests
            errors.append(error)
    return answers, errors
