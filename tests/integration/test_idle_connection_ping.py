"""A pooled PostgreSQL connection whose server side went away (a fail-over, a restart) is
found before use once it has been idle a while, and replaced: the request that takes it
never sees the cut. One used a moment ago is not pinged (a round trip on every checkout
would cost a donation a tenth of its time): a request that takes it fails as one in flight
would, and the pool then replaces it."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared import db
from shared.db import make_engine
from tests.conftest import PG_URL

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine():
    engine = make_engine(PG_URL)
    yield engine
    engine.dispose()


def pid_of(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def cut(pid: int) -> None:
    admin = make_engine(PG_URL)
    try:
        with admin.connect() as connection:
            assert connection.execute(text("SELECT pg_terminate_backend(:pid)"),
                                      {"pid": pid}).scalar_one()
    finally:
        admin.dispose()


def test_an_idle_connection_that_was_cut_is_replaced_before_use(engine, monkeypatch):
    first = pid_of(engine)
    cut(first)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # as if idle long enough

    assert pid_of(engine) != first


def test_a_connection_used_a_moment_ago_is_taken_unpinged_and_replaced_once_it_fails(engine):
    first = pid_of(engine)
    cut(first)

    with pytest.raises(DBAPIError) as failed:
        pid_of(engine)
    assert failed.value.connection_invalidated
    assert pid_of(engine) != first
