"""Each service's Alembic history builds exactly the tables its models describe."""
import pytest
from alembic import command

from shared.migrate import SERVICES_WITH_DATABASES, alembic_config


@pytest.mark.parametrize("service", SERVICES_WITH_DATABASES)
def test_migrations_match_the_models(service, database_url):
    url = database_url(service)  # migrated to head by the fixture
    command.check(alembic_config(service, url))  # raises if autogenerate would add anything
