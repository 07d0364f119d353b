"""`@subscribe(source, event_type)`: nameko's event handler, plus what the design asks of
every consumer — the envelope validated before any code sees it, and a message that can
never be handled parked on the dead-letter queue with its reason instead of being dropped
(nameko acks a failing handler's message and forgets it) or blocking the queue."""
import json
import logging
from functools import partial

from marshmallow import ValidationError
from nameko.events import EventHandler
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import QueueConsumer

from shared import metrics
from shared.deadletters import dead_letter
from shared.events import load_envelope
from shared.settings import amqp_uri

log = logging.getLogger(__name__)


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


class EventSubscriber(EventHandler):
    queue_consumer = DeadLetteringQueueConsumer()

    def handle_message(self, body, message):
        try:
            envelope = load_envelope(body)
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
        else:
            self.dead_letter(message, f"handler failed: {exc_info[0].__name__}: {exc_info[1]}")

    def dead_letter(self, message, reason: str):
        log.error("dead-lettering a message from %s: %s", self.queue.name, reason)
        metrics.DEAD_LETTERED.labels(self.queue.name).inc()
        properties = {"content_type": message.content_type,
                      "content_encoding": message.content_encoding,
                      "headers": message.headers,
                      "message_id": message.properties.get("message_id")}
        origin = {"exchange": message.delivery_info.get("exchange"),
                  "routing_key": message.delivery_info.get("routing_key"),
                  "queue": self.queue.name}
        try:
            dead_letter(self.container.config.get("AMQP_URI", amqp_uri()),
                        message.body, properties, origin, reason)
        except Exception:
            # Could not park it: put it back rather than lose it.
            log.exception("dead-lettering failed; requeueing")
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)


subscribe = EventSubscriber.decorator
