"""Alembic, one history per service: `python -m shared.migrate [service ...]` upgrades them."""
import sys

from alembic import command
from alembic.config import Config

from shared.settings import PROJECT_ROOT, database_url

SERVICES_WITH_DATABASES = ("fund", "insurance", "volunteers", "families", "gateway")


def alembic_config(service: str, url: str | None = None) -> Config:
    config = Config()
    scripts = PROJECT_ROOT / "services" / service / "migrations"
    config.set_main_option("script_location", str(scripts))
    # Escaped for configparser's interpolation.
    config.set_main_option("sqlalchemy.url", (url or database_url(service)).replace("%", "%%"))
    config.attributes["service"] = service
    return config


def upgrade(service: str, url: str | None = None) -> None:
    command.upgrade(alembic_config(service, url), "head")


if __name__ == "__main__":
    for name in sys.argv[1:] or SERVICES_WITH_DATABASES:
        upgrade(name)
        print(f"{name}: database at head")
