"""Throwaway PostgreSQL databases for a benchmark, one per service, on the server
`BENCH_POSTGRES_SERVER` names (default: 127.0.0.1:5432 as postgres): made empty, dropped
afterwards, whoever is still connected."""
import os
import sys
import uuid
from collections.abc import Iterable
from contextlib import contextmanager

from sqlalchemy import create_engine, text

from shared.migrate import SERVICES_WITH_DATABASES

SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgresql://postgres@127.0.0.1:5432")


@contextmanager
def throwaway_databases(label: str, services: Iterable[str] = SERVICES_WITH_DATABASES,
                        keep: bool = False):
    """service -> URL of a new, empty database of its own, dropped afterwards unless `keep`
    (their names' stem is then printed, for `bench.province.kept_databases`)."""
    admin = create_engine(f"{SERVER.replace('postgresql://', 'postgresql+psycopg2://')}/test",
                          isolation_level="AUTOCOMMIT")
    stem = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    urls = {}
    try:
        with admin.connect() as connection:
            for service in services:
                connection.execute(text(f'CREATE DATABASE "{stem}_{service}"'))
                urls[service] = f"{SERVER}/{stem}_{service}"
        yield urls
    finally:
        if keep:
            print(f"kept databases {stem}_*", file=sys.stderr)
            urls = {}
        with admin.connect() as connection:
            for service in urls:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{stem}_{service}" '
                                        "WITH (FORCE)"))
        admin.dispose()


@contextmanager
def services_on(urls: dict[str, str]):
    """`FUND_DATABASE_URL` etc. set to `urls` in this process while the block runs: the
    migrations, seed() and the processes a System starts take them from here."""
    variables = {f"{service.upper()}_DATABASE_URL": url for service, url in urls.items()}
    saved = {key: os.environ.get(key) for key in variables}
    os.environ.update(variables)
    try:
        yield variables
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
