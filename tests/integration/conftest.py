"""Integration tests: the real fund service on PostgreSQL and the machine's RabbitMQ,
driven hard enough to show what holds under concurrency."""
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.families.service import FamiliesService
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


def _on_postgres(service, postgres_url, container_factory, rabbit_config):
    """One service in a container on PostgreSQL, with workers enough to race; its RPC."""
    config = {**rabbit_config, "max_workers": 50,
              "DATABASE_URLS": {service.name: postgres_url(service.name)}}
    container_factory(service, config).start()
    with ClusterRpcProxy(config) as rpc:
        yield getattr(rpc, service.name)


@pytest.fixture
def volunteers_on_postgres(postgres_url, container_factory, rabbit_config):
    yield from _on_postgres(VolunteersService, postgres_url, container_factory, rabbit_config)


@pytest.fixture
def families_on_postgres(postgres_url, container_factory, rabbit_config):
    yield from _on_postgres(FamiliesService, postgres_url, container_factory, rabbit_config)

