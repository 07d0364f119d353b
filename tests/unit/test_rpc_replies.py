"""A reply that cannot be sent while the broker is away is dropped, not fatal."""
from types import SimpleNamespace
from unittest.mock import Mock

import pytest
from kombu.exceptions import OperationalError
from nameko import rpc as nameko_rpc
from nameko.containers import ServiceContainer

from services.fund.service import FundService
from services.insurance.service import InsuranceService
from services.volunteers.service import VolunteersService
from shared.rpc import ReplyDroppingRpcConsumer, Rpc


@pytest.fixture
def consumer(monkeypatch):
    def make(send_response) -> ReplyDroppingRpcConsumer:
        monkeypatch.setattr(nameko_rpc.Responder, "send_response", send_response)
        found = ReplyDroppingRpcConsumer()
        found.container = SimpleNamespace(config={"AMQP_URI": "amqp://127.0.0.1:1/"})
        found.queue_consumer = Mock()
        return found
    return make


def message():
    return Mock(delivery_info={"routing_key": "fund.ping"},
                properties={"reply_to": "x", "content_type": "application/json"})


@pytest.mark.parametrize("error", [OperationalError("[Errno 111] ECONNREFUSED"),
                                   ConnectionResetError(104, "Connection reset by peer")])
def test_a_reply_the_broker_cannot_take_is_dropped(consumer, error):
    def refused(self, result, exc_info):
        raise error
    assert consumer(refused).handle_result(message(), "pong", None) == ("pong", None)


def test_a_failed_ack_is_dropped_too(consumer):
    found = consumer(lambda self, result, exc_info: (result, exc_info))
    found.queue_consumer.ack_message.side_effect = ConnectionResetError(104, "reset")
    assert found.handle_result(message(), "pong", None) == ("pong", None)


def test_other_errors_still_surface(consumer):
    def broken(self, result, exc_info):
        raise ValueError("a bug, not an outage")
    with pytest.raises(ValueError):
        consumer(broken).handle_result(message(), "pong", None)


@pytest.mark.parametrize("service", [FundService, InsuranceService, VolunteersService])
def test_every_entrypoint_of_a_service_uses_the_reply_dropping_rpc(service):
    container = ServiceContainer(service, {"AMQP_URI": "amqp://127.0.0.1:1/"})
    rpcs = [e for e in container.entrypoints if isinstance(e, nameko_rpc.Rpc)]
    assert rpcs and {type(e) for e in rpcs} == {Rpc}
    assert {type(e.rpc_consumer) for e in rpcs} == {ReplyDroppingRpcConsumer}
