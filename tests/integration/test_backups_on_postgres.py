"""A service's database on PostgreSQL backed up with pg_dump through the ops command line,
the database dropped and made again empty, and restored: its rows are back. A backup without
pg_dump, and a restore while someone is connected, are refused. The database is a throwaway
one of the test's own."""
import base64
import json
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import make_url, text

from shared.db import make_engine
from shared.migrate import upgrade
from shared.settings import PROJECT_ROOT
from tests.conftest import PG_URL

pytestmark = pytest.mark.postgres


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def own_database():
    """The URL of a database made for this test, dropped after it."""
    name = f"phf_backup_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")

    def remake() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))

    remake()
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False), remake
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def ops(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "deploy.ops", *args], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def funds(url: str) -> list[tuple]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT code, name, balance_fen FROM funds ORDER BY code")).all()
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(connection.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    finally:
        engine.dispose()


def test_dropped_and_restored_the_rows_are_back(own_database, tmp_path):
    url, remake = own_database
    upgrade("fund", url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO funds (association_code, code, name, restricted, balance_fen, "
            "in_kind_fen, allowed_categories) VALUES "
            "('341181', 'KEPT', '留存基金', false, 123456, 0, '[]'), "
            "('341181', 'ALSO', '另一基金', true, 7, 0, '[]')"))
    engine.dispose()
    env = {**os.environ, "FUND_DATABASE_URL": url, "PHF_VAR_DIR": str(tmp_path / "var"),
           "DATA_KEYS": f"pg1:{_key()}", "DATA_INDEX_KEY": _key()}
    target = tmp_path / "backup"

    done = ops(env, "backup", str(target), "--only", "fund")
    assert done.returncode == 0, done.stderr
    [entry] = json.loads((target / "manifest.json").read_text())["files"]
    assert (entry["service"], entry["kind"], entry["key_id"]) == ("fund", "postgresql", "pg1")
    assert "留存基金".encode() not in (target / entry["name"]).read_bytes()

    remake()
    assert "funds" not in _tables(url)
    restored = ops(env, "restore", str(target))
    assert restored.returncode == 0, restored.stderr
    assert funds(url) == [("ALSO", "另一基金", 7), ("KEPT", "留存基金", 123456)]

    no_tools = ops({**env, "PATH": str(tmp_path)}, "backup", str(tmp_path / "not made"))
    assert no_tools.returncode == 2
    assert "fund: pg_dump is not installed" in no_tools.stderr
    assert list((tmp_path / "not made").iterdir()) == []

    busy = make_engine(url)
    with busy.connect():
        refused = ops(env, "restore", str(target))
    busy.dispose()
    assert refused.returncode == 2
    assert "fund: others are connected to its database" in refused.stderr

