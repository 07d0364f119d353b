"""Integration tests: the real fund service on PostgreSQL and the machine's RabbitMQ,
driven hard enough to show what holds under concurrency."""
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.fund.service import FundService
from tests.private_broker import PrivateBroker
from tests.service.conftest import RunningFund


@pytest.fixture
def fund_on_postgres(container_factory, rabbit_config, postgres_url):
    config = {**rabbit_config, "DATABASE_URLS": {"fund": postgres_url("fund")},
              "max_workers": 50}
    container = container_factory(FundService, config)
    container.start()
    with ClusterRpcProxy(config) as rpc:
        yield RunningFund(rpc.fund, config, container)


@pytest.fixture(scope="session")
def private_broker():
    broker = PrivateBroker()
    broker.start()
    yield broker
    broker.remove()
