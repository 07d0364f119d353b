"""Root of the suite.

What is real here: RabbitMQ (nameko's `rabbit_config` gives each test its own vhost on the
machine's broker) and the databases (a fresh SQLite file, or a fresh schema in the
PostgreSQL database `test`, migrated with the services' own Alembic histories). Nothing is
mocked below the service classes; unit tests under tests/unit need neither."""
import eventlet

eventlet.monkey_patch()  # before anything imports sockets or threads, or nameko hangs

import base64  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

# One service key for the test process and every process it starts, so the actors the tests
# sign are the ones the services accept.
os.environ.setdefault("SERVICE_KEY", uuid.uuid4().hex)
# Likewise the key payment channels sign notifications with, so tests can sign as they do.
os.environ.setdefault("PAYMENT_NOTIFY_SECRET", uuid.uuid4().hex)
# No claim goes to review at random unless a test asks for it: tests know which claims the
# automatic checks flag.
os.environ.setdefault("REVIEW_SAMPLE_PCT", "0")

import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from shared import remote_errors  # noqa: E402,F401 (the services' errors arrive as themselves)
from shared.crypto import keyring  # noqa: E402
from shared.db import make_engine  # noqa: E402
from shared.migrate import upgrade  # noqa: E402

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def vhost_pipeline(request, rabbit_manager):
    """nameko's fixture of the same name, making one vhost ahead instead of three: each
    vhost holds a score of the broker's file handles, and with a few test processes at
    once (tests/parallel.py) a broker at the usual limit of 1 024 would make new connections
    wait for one."""
    from socket import timeout as socket_timeout
    from urllib.parse import urlparse

    from kombu.pools import connections
    from nameko.testing.utils import ResourcePipeline
    from nameko.utils.retry import retry
    from requests.exceptions import HTTPError

    username = urlparse(request.config.getoption("RABBIT_AMQP_URI")).username

    def create() -> str:
        vhost = f"nameko_test_{uuid.uuid4().hex[:10]}"
        rabbit_manager.create_vhost(vhost)
        rabbit_manager.set_vhost_permissions(vhost, username, ".*", ".*", ".*")
        return vhost

    @retry(for_exceptions=(HTTPError, socket_timeout), delay=1, max_attempts=9)
    def destroy(vhost: str) -> None:
        rabbit_manager.delete_vhost(vhost)
        for key, pool in list(connections.items()):  # its connections go with it
            if isinstance(key, tuple) and len(key) > 4 and key[4] == vhost:
                pool.force_close_all()

    with ResourcePipeline(create, destroy, size=1).run() as vhosts:
        yield vhosts


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """Each service's SQLite database migrated to head once per run: a test gets a copy,
    which takes a millisecond where running the migrations again takes up to a second."""
    templates = {}

    def template(service: str) -> sqlite3.Connection:
        if service not in templates:
            path = tmp_path_factory.mktemp("migrated") / f"{service}.db"
            upgrade(service, f"sqlite:///{path}")
            templates[service] = sqlite3.connect(path, check_same_thread=False)
        return templates[service]

    yield template
    for connection in templates.values():
        connection.close()


@pytest.fixture
def sqlite_url(tmp_path, migrated_sqlite):
    def make(service: str) -> str:
        path = tmp_path / (service + ".db")
        # Made private first, as the services make their files (shared.db).
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        copy = sqlite3.connect(path)
        try:
            migrated_sqlite(service).backup(copy)  # whole and consistent, WAL included
        finally:
            copy.close()
        return f"sqlite:///{path}"
    return make


@pytest.fixture(scope="session")
def migrated_postgres():
    """Each service's schema migrated to head once per run, kept as the SQL that makes it
    again (pg_dump's): a test's schema is made from it in one round trip where running the
    migrations again takes a tenth of a second or more. Without pg_dump, None: tests then
    migrate their own schemas."""
    if shutil.which("pg_dump") is None:
        yield None
        return
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    made = {}

    def template(service: str) -> tuple[str, str]:
        """The template's schema name and the SQL that makes it, with its rows."""
        if service not in made:
            schema = f"t_migrated_{service}_{uuid.uuid4().hex[:10]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            upgrade(service, f"{PG_URL}?options=-csearch_path%3D{schema}")
            dumped = subprocess.run(
                ["pg_dump", "--schema", schema, "--no-owner", "--no-privileges", "--inserts",
                 "--dbname", PG_URL], check=True, capture_output=True, text=True).stdout
            # Lines such as \restrict are psql's commands, not SQL.
            sql = "\n".join(line for line in dumped.splitlines() if not line.startswith("\\"))
            made[service] = (schema, sql)
        return made[service]

    yield template
    for schema, _ in made.values():
        _drop(admin, schema)
    admin.dispose()


@pytest.fixture
def postgres_url(migrated_postgres):
    """A throwaway schema per test, so tests never see each other's rows."""
    schemas = []
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")

    def make(service: str) -> str:
        schema = f"t_{service}_{uuid.uuid4().hex[:10]}"
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        schemas.append(schema)
        if migrated_postgres is None:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            upgrade(service, url)
            return url
        template, sql = migrated_postgres(service)
        # The template's name is random and appears nowhere else in its SQL.
        with admin.connect() as connection:
            connection.exec_driver_sql(sql.replace(template, schema))
        return url

    yield make
    for schema in schemas:
        _drop(admin, schema)
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request, tmp_path):
    """A database (SQLite) or schema (PostgreSQL) with no tables yet, on each database in
    turn: for a migration run from an older version."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    schema = f"t_sealed_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    _drop(admin, schema)
    admin.dispose()


def _drop(admin, schema: str, attempts: int = 5) -> None:
    # Fixtures that run services ask for the database first, so the services stop before
    # this; a straggling connection can still deadlock the DROP, which is then retried.
    for attempt in range(attempts):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            return
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)


@pytest.fixture
def data_keys(monkeypatch):
    """`data_keys("new", "old")`: DATA_KEYS from then on holds these keys, the first sealing;
    each id names the same random key throughout the test, as does the one index key."""
    made = {}

    def use(*ids: str) -> None:
        for key_id in ("index", *ids):
            made.setdefault(key_id, base64.b64encode(os.urandom(32)).decode())
        monkeypatch.setenv("DATA_KEYS", ",".join(f"{key_id}:{made[key_id]}" for key_id in ids))
        monkeypatch.setenv("DATA_INDEX_KEY", made["index"])
        keyring.cache_clear()

    yield use
    keyring.cache_clear()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request):
    """Runs the test once on each database the product supports."""
    return request.getfixturevalue(f"{request.param}_url")

