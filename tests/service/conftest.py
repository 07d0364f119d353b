"""Service tests: the real FundService in a nameko container, on a vhost of its own on the
machine's RabbitMQ, over a freshly migrated database (SQLite and PostgreSQL in turn).
Tests talk to it only by RPC and events, and read its database to check the ledger."""
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_waiter
from nameko.testing.utils import get_extension
from sqlalchemy.orm import Session

from services.families.service import FamiliesService
from services.fund.service import FundService
from services.insurance.service import InsuranceService
from services.notifications.postman import Postman
from services.notifications.service import NotificationsService
from services.volunteers.service import VolunteersService
from shared.db import Database
from tests.fake_providers import FakeProviders
from tests.family_data import family
from tests.support import ADMIN, STAFF1, publish_raw
from tests.volunteer_data import COORDINATOR, volunteer


@dataclass
class RunningService:
    """A service in a nameko container, as its tests drive it: an RPC proxy whose calls carry
    a correlation id, the config it runs with, and its container (for its database)."""
    rpc: object
    config: dict
    container: object
    service: ClassVar[type]

    def session(self) -> Session:
        """A session like the service's own (its event catalogue with it), but one that reads
        rows afresh after a commit."""
        return get_extension(self.container, Database).session_factory(expire_on_commit=True)


def config_for(rabbit_config: dict, database_url: Callable[[str], str], *services: str,
               workers: int = 20) -> dict:
    """The config of a test's services: its vhost, a fresh database each, `workers` each."""
    return {**rabbit_config, "max_workers": workers,
            "DATABASE_URLS": {service: database_url(service) for service in services}}


def run(running: type[RunningService], container_factory,
        config: dict) -> Iterator[RunningService]:
    """Start the service and yield it with an RPC proxy whose calls carry a correlation id."""
    container = container_factory(running.service, config)
    container.start()
    with ClusterRpcProxy(config, context_data={"correlation_id": "test-correlation"}) as rpc:
        yield running(getattr(rpc, running.service.name), config, container)


class RunningFund(RunningService):
    service = FundService

    def ensure_fund(self, code="GENERAL", restricted=False):
        return self.rpc.ensure_fund({"code": code, "name": code.title(),
                                     "restricted": restricted}, ADMIN)


@pytest.fixture
def fund(database_url, container_factory, rabbit_config):
    yield from run(RunningFund, container_factory, config_for(rabbit_config, database_url, "fund"))


@dataclass
class RunningSaga:
    """The fund and insurance services together, talking only by RPC and events."""
    fund: object
    insurance: object
    config: dict
    runner: object


def run_saga(runner_factory, config: dict) -> Iterator[RunningSaga]:
    runner = runner_factory(config, FundService, InsuranceService)
    runner.start()
    with ClusterRpcProxy(config) as rpc:
        yield RunningSaga(rpc.fund, rpc.insurance, config, runner)


@pytest.fixture
def saga(database_url, runner_factory, rabbit_config):
    yield from run_saga(runner_factory,
                        config_for(rabbit_config, database_url, "fund", "insurance"))


class RunningFamilies(RunningService):
    service = FamiliesService

    def register(self, *people: int, actor=STAFF1, **options) -> dict:
        return self.rpc.register_family(family(*people, **options), actor)


@pytest.fixture
def families(database_url, container_factory, rabbit_config):
    yield from run(RunningFamilies, container_factory,
                   config_for(rabbit_config, database_url, "families"))


class RunningVolunteers(RunningService):
    service = VolunteersService

    def register(self, n: int, skills=("general",)) -> int:
        return self.rpc.register(volunteer(n, skills), COORDINATOR)["id"]

    def activity(self) -> int:
        return self.rpc.create_activity({"title": "义诊"}, COORDINATOR)["id"]

    def deliver(self, handler: str, exchange: str, routing_key: str, envelope: dict):
        """Publish an event and wait until the handler has run; its error, if any, raises."""
        with entrypoint_waiter(self.container, handler, timeout=10) as result:
            publish_raw(self.config["AMQP_URI"], exchange, routing_key,
                        json.dumps(envelope).encode())
        return result.get()

    def visits(self) -> dict:
        return self.rpc.list_visits({}, COORDINATOR)


@pytest.fixture
def volunteers(database_url, container_factory, rabbit_config):
    """The volunteers service, as every volunteers test runs it."""
    yield from run(RunningVolunteers, container_factory,
                   config_for(rabbit_config, database_url, "volunteers"))


class RunningNotifications(RunningService):
    """The notifications service sending through the fake providers (tests/fake_providers.py):
    its postman's clock is the test's to move."""
    service = NotificationsService

    @property
    def postman(self) -> Postman:
        return get_extension(self.container, Postman)

    def deliver(self, envelope: dict):
        """Publish an event and wait until its handler has run."""
        source, event_type = envelope["event_type"].split(".")
        with entrypoint_waiter(self.container, f"on_{event_type}", timeout=10) as result:
            publish_raw(self.config["AMQP_URI"], f"{source}.events", event_type,
                        json.dumps(envelope).encode())
        return result.get()


@pytest.fixture(scope="module")
def providers():
    fakes = FakeProviders()
    yield fakes
    fakes.stop()


@pytest.fixture
def notifications(database_url, container_factory, rabbit_config, providers, monkeypatch):
    """The notifications service, quick to retry and with no quiet hours (a test sets its
    own rules on `notifications.postman.rules`, and its clock on `.clock`)."""
    providers.reset()
    for name, value in {**providers.env, "SEND_RETRY_DELAYS": "0.2,0.2",
                        "SEND_TIMEOUT_SECONDS": "1", "QUIET_HOURS": ""}.items():
        monkeypatch.setenv(name, value)
    yield from run(RunningNotifications, container_factory,
                   config_for(rabbit_config, database_url, "notifications"))
