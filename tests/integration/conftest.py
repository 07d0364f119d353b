"""Integration tests: the real fund service on PostgreSQL and the machine's RabbitMQ,
driven hard enough to show what holds under concurrency."""
import pytest

from tests.private_broker import PrivateBroker
from tests.service.conftest import (
    RunningFamilies,
    RunningFund,
    RunningService,
    RunningVolunteers,
    config_for,
    run,
    run_saga,
)

RACING_WORKERS = 50  # workers enough for every concurrent call to race


@pytest.fixture
def fund_on_postgres(postgres_url, container_factory, rabbit_config):
    yield from run(RunningFund, container_factory,
                   config_for(rabbit_config, postgres_url, "fund", workers=RACING_WORKERS))


@pytest.fixture(scope="session")
def private_broker():
    broker = PrivateBroker()
    broker.start()
    yield broker
    broker.remove()


@pytest.fixture
def saga_on_postgres(postgres_url, runner_factory, rabbit_config):
    yield from run_saga(runner_factory, config_for(rabbit_config, postgres_url, "fund",
                                                   "insurance", workers=RACING_WORKERS))


def _rpc_on_postgres(running: type[RunningService], postgres_url, container_factory,
                     rabbit_config):
    """One service in a container on PostgreSQL, with workers enough to race; its RPC."""
    config = config_for(rabbit_config, postgres_url, running.service.name,
                        workers=RACING_WORKERS)
    for service in run(running, container_factory, config):
        yield service.rpc


@pytest.fixture
def volunteers_on_postgres(postgres_url, container_factory, rabbit_config):
    yield from _rpc_on_postgres(RunningVolunteers, postgres_url, container_factory, rabbit_config)


@pytest.fixture
def families_on_postgres(postgres_url, container_factory, rabbit_config):
    yield from _rpc_on_postgres(RunningFamilies, postgres_url, container_factory, rabbit_config)
