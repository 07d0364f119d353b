"""Integration tests: the real fund service on PostgreSQL and the machine's RabbitMQ,
driven hard enough to show what holds under concurrency."""
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.fund.service import FundService
from services.insurance.service import InsuranceService
from services.volunteers.service import VolunteersService
from tests.private_broker import PrivateBroker
from tests.service.conftest import RunningSaga, run_fund


@pytest.fixture
def fund_on_postgres(postgres_url, container_factory, rabbit_config):
    yield from run_fund(container_factory, {**rabbit_config, "max_workers": 50,
                                            "DATABASE_URLS": {"fund": postgres_url("fund")}})


@pytest.fixture(scope="session")
def private_broker():
    broker = PrivateBroker()
    broker.start()
    yield broker
    broker.remove()


@pytest.fixture
def saga_on_postgres(postgres_url, runner_factory, rabbit_config):
    config = {**rabbit_config, "max_workers": 50,
              "DATABASE_URLS": {"fund": postgres_url("fund"),
                                "insurance": postgres_url("insurance")}}
    runner = runner_factory(config, FundService, InsuranceService)
    runner.start()
    with ClusterRpcProxy(config) as rpc:
        yield RunningSaga(rpc.fund, rpc.insurance, config, runner)


@pytest.fixture
def volunteers_on_postgres(postgres_url, container_factory, rabbit_config):
    config = {**rabbit_config, "max_workers": 50,
              "DATABASE_URLS": {"volunteers": postgres_url("volunteers")}}
    container_factory(VolunteersService, config).start()
    with ClusterRpcProxy(config) as rpc:
        yield rpc.volunteers
