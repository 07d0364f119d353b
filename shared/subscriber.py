"""`@subscribe(source, event_type)`: nameko's event handler, plus what the design asks of
every consumer — the envelope validated before any code sees it, a handler that hit a
transient fault (database or broker away for a moment) tried again later with growing
delays, and a message that can never be handled, or that ran out of tries, parked on the
dead-letter queue with its reason instead of being dropped (nameko acks a failing handler's
message and forgets it) or blocking the queue."""
import json
import logging
import time
from functools import partial

from marshmallow import ValidationError
from nameko.events import EventHandler
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import QueueConsumer

from shared import metrics, retries
from shared.deadletters import dead_letter
from shared.events.envelope import Envelopes
from shared.faults import is_transient
from shared.queues import make_durable
from shared.rpc import BROKER_AWAY
from shared.settings import amqp_uri, event_retry_delays

log = logging.getLogger(__name__)

# After a retry could not be published: wait before requeueing, so a broker that refuses
# the delay queue is not hit by the same message in a tight loop.
REQUEUE_PAUSE_SECONDS = 1.0


def _attempts(count: int) -> str:
    return f"{count} attempt" if count == 1 else f"{count} attempts"


class DeadLetteringQueueConsumer(QueueConsumer):
    """Kombu raises on a body it cannot decode (not JSON, wrong content type), which
    would leave the message at the head of the queue forever; park it instead."""

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = partial(self._undecodable, provider)
        return consumers

    def _undecodable(self, provider, message, exc):
        provider.dead_letter(message, f"undecodable message: {exc}")

    # nameko ignores amqp's ConnectionError here but not the socket's own errors, which
    # would kill the service when a handler ends just as the broker goes away. The broker
    # redelivers an unacked message on its return; the inbox makes that harmless.
    def ack_message(self, message):
        try:
            super().ack_message(message)
        except BROKER_AWAY as exc:
            log.warning("ack not sent, broker unreachable: %s", exc)

    def requeue_message(self, message):
        try:
            super().requeue_message(message)
        except BROKER_AWAY as exc:
            log.warning("requeue not sent, broker unreachable: %s", exc)


class EventSubscriber(EventHandler):
    queue_consumer = DeadLetteringQueueConsumer()

    def setup(self):
        event_retry_delays()  # a bad EVENT_RETRY_DELAYS stops the start, not a message later
        # Checked against the catalogue the service class names (see shared.service).
        self.envelopes = Envelopes(self.container.service_cls.catalogue)
        super().setup()
        make_durable(self.queue)  # a quorum queue: see shared.queues

    def handle_message(self, body, message):
        try:
            envelope = self.envelopes.load(body)
        except ValidationError as exc:
            self.dead_letter(message, f"invalid event: {json.dumps(exc.messages, default=str)}")
            return
        metrics.CONSUMED.labels(self.queue.name).inc()
        context = self.unpack_message_headers(message)
        context.setdefault("correlation_id", envelope["correlation_id"])
        try:
            self.container.spawn_worker(self, (envelope,), {}, context_data=context,
                                        handle_result=partial(self.handle_result, message))
        except ContainerBeingKilled:
            self.queue_consumer.requeue_message(message)

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            return
        failure = f"{exc_info[0].__name__}: {exc_info[1]}"
        attempt = retries.attempt_of(message.headers)
        if not is_transient(exc_info[1]):
            self.dead_letter(message, f"handler failed after {_attempts(attempt)}, "
                                      f"not a transient fault: {failure}")
            return
        delays = event_retry_delays()
        if attempt > len(delays):
            self.dead_letter(message, f"handler failed after {_attempts(attempt)}, "
                                      f"retries exhausted: {failure}")
            return
        self.retry(message, attempt, delays[attempt - 1], failure)

    def retry(self, message, attempt: int, delay: float, failure: str):
        """Send the message to wait `delay` seconds and come back as try `attempt + 1`;
        ack this delivery only once the broker has the copy."""
        log.warning("handler for %s failed on attempt %d, trying again in %ss: %s",
                    self.queue.name, attempt, delay, failure)
        properties = {**self._properties(message),
                      "headers": retries.next_try_headers(message.headers,
                                                          message.delivery_info, attempt + 1)}
        try:
            retries.schedule(self._amqp_uri(), self.queue.name, message.body, properties, delay)
        except Exception:
            # Could not schedule it: put it back rather than lose it.
            log.exception("scheduling a retry failed; requeueing")
            time.sleep(REQUEUE_PAUSE_SECONDS)
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)

    def _amqp_uri(self) -> str:
        return self.container.config.get("AMQP_URI", amqp_uri())

    @staticmethod
    def _properties(message) -> dict:
        return {"content_type": message.content_type,
                "content_encoding": message.content_encoding,
                "message_id": message.properties.get("message_id")}

    def dead_letter(self, message, reason: str):
        log.error("dead-lettering a message from %s: %s", self.queue.name, reason)
        metrics.DEAD_LETTERED.labels(self.queue.name).inc()
        properties = {**self._properties(message),
                      "headers": retries.plain_headers(message.headers)}
        exchange, routing_key = retries.origin_of(message.headers, message.delivery_info)
        origin = {"exchange": exchange, "routing_key": routing_key, "queue": self.queue.name}
        try:
            dead_letter(self._amqp_uri(), message.body, properties, origin, reason)
        except Exception:
            # Could not park it: put it back rather than lose it.
            log.exception("dead-lettering failed; requeueing")
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)


subscribe = EventSubscriber.decorator
