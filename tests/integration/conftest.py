"""Integration tests: the real fund service on PostgreSQL and the machine's RabbitMQ,
driven hard enough to show what holds under concurrency."""
import pytest

from tests.private_broker import PrivateBroker
from tests.service.conftest import run_fund


@pytest.fixture
def fund_on_postgres(container_factory, rabbit_config, postgres_url):
    yield from run_fund(container_factory, {**rabbit_config, "max_workers": 50,
                                            "DATABASE_URLS": {"fund": postgres_url("fund")}})


@pytest.fixture(scope="session")
def private_broker():
    broker = PrivateBroker()
    broker.start()
    yield broker
    broker.remove()
