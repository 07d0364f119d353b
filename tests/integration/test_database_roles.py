"""Each service's PostgreSQL role reaches its own database alone. deploy/postgres/database.sql,
as the PostgreSQL image runs it, is applied to the machine's server under names of the test's
own (dropped after it): each role connects to its own database, migrates it, backs it up and
restores it there, and is refused every other's, even though the server trusts every local
connection; nor may it create anything in another's database."""
import base64
import os
import subprocess
import sys
import uuid

import psycopg2
import pytest
from sqlalchemy import make_url

from shared.migrate import SERVICES_WITH_DATABASES, upgrade
from shared.settings import PROJECT_ROOT
from tests.conftest import PG_URL

pytestmark = pytest.mark.postgres

DATABASE_SQL = PROJECT_ROOT / "deploy" / "postgres" / "database.sql"


def url(role: str, database: str) -> str:
    return make_url(PG_URL).set(username=role, password=None, database=database) \
        .render_as_string(hide_password=False)


def as_superuser(database: str = "postgres") -> str:
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


def make_role_and_database(name: str) -> None:
    done = subprocess.run(
        ["psql", "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "--quiet", "-v", f"role={name}",
         "-v", f"database={name}", "-f", str(DATABASE_SQL), as_superuser()],
        env={**os.environ, "PHF_DB_PASSWORD": uuid.uuid4().hex}, capture_output=True,
        text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def names():
    """Each service's role and database, both named `phf_roles_<random>_<service>`."""
    prefix = f"phf_roles_{uuid.uuid4().hex[:8]}_"
    made = {service: prefix + service for service in SERVICES_WITH_DATABASES}
    try:
        for name in made.values():
            make_role_and_database(name)
        make_role_and_database(made["fund"])  # again, as when a service is added later
        yield made
    finally:
        admin = psycopg2.connect(as_superuser())
        admin.autocommit = True
        with admin.cursor() as cursor:
            for name in made.values():
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute(f'DROP ROLE IF EXISTS "{name}"')
        admin.close()


def refusal(role: str, database: str) -> str:
    with pytest.raises(psycopg2.OperationalError) as refused:
        psycopg2.connect(url(role, database)).close()
    return str(refused.value)


def test_each_role_reaches_its_own_database_and_no_other(names):
    services = list(names)
    for service, name in names.items():
        with psycopg2.connect(url(name, name)) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database()")
            assert cursor.fetchone() == (name, name)
        connection.close()
        for other in services:
            if other != service:
                assert f'permission denied for database "{names[other]}"' in \
                    refusal(name, names[other]), (service, other)


def test_a_role_creates_nothing_in_another_database(names):
    """Were it ever let in (a superuser's session that takes its role here), it still may
    neither create tables there nor temporary ones."""
    connection = psycopg2.connect(as_superuser(names["insurance"]))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'SET ROLE "{names["fund"]}"')
            for statement, refused in (
                    ("CREATE TABLE public.stolen (x int)", "permission denied for schema public"),
                    ("CREATE TEMP TABLE stolen (x int)", "permission denied to create temporary"),
                    ("CREATE SCHEMA stolen", "permission denied for database")):
                with pytest.raises(psycopg2.errors.InsufficientPrivilege, match=refused):
                    cursor.execute(statement)
    finally:
        connection.close()


def test_its_own_role_migrates_backs_up_and_restores_its_database(names, tmp_path):
    own = url(names["fund"], names["fund"])
    upgrade("fund", own)
    key = base64.b64encode(os.urandom(32)).decode()
    env = {**os.environ, "FUND_DATABASE_URL": own, "PHF_VAR_DIR": str(tmp_path / "var"),
           "DATA_KEYS": f"k1:{key}", "DATA_INDEX_KEY": key}
    for command in ("backup", "restore"):
        done = subprocess.run(
            [sys.executable, "-m", "deploy.ops", command, str(tmp_path / "backup"), "--only",
             "fund"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (command, done.stderr)
