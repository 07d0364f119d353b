"""Which handler failures are tried again (the database or broker away for a moment) and
which are dead-lettered at once, and the headers a retried message carries. No broker:
the database errors are real ones from SQLite and from a PostgreSQL port nobody listens on."""
import socket
import sqlite3

import amqp.exceptions
import kombu.exceptions
import pika.exceptions
import psycopg2
import pytest
from marshmallow import ValidationError
from sqlalchemy import create_engine, text
from sqlalchemy import exc as sa

from shared import retries
from shared.errors import Conflict, DomainError, InvalidInput, NotFound
from shared.faults import is_transient
from shared.settings import event_retry_delays


def wrapped(cls, orig, **kwargs):
    return cls("SELECT 1", {}, orig, **kwargs)


def test_a_locked_sqlite_database_is_transient(tmp_path):
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")  # holds the write lock
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    try:
        with pytest.raises(sa.OperationalError) as caught, engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
    finally:
        engine.dispose()
        holder.close()
    assert "locked" in str(caught.value)
    assert is_transient(caught.value)


def test_sqlite_schema_and_syntax_errors_are_not_transient():
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        for statement in ("SELECT * FROM no_such_table", "SELEC 1"):
            with pytest.raises(sa.OperationalError) as caught:
                connection.execute(text(statement))
            assert not is_transient(caught.value)
    assert not is_transient(wrapped(sa.InterfaceError, sqlite3.InterfaceError("bad binding")))


def test_postgresql_that_refuses_connections_is_transient():
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = create_engine(f"postgresql+psycopg2://postgres@127.0.0.1:{port}/test")
    try:
        with pytest.raises(sa.OperationalError) as caught:
            engine.connect()
    finally:
        engine.dispose()
    assert is_transient(caught.value)


@pytest.mark.parametrize("error", [
    wrapped(sa.OperationalError, psycopg2.OperationalError("server closed the connection")),
    wrapped(sa.InterfaceError, psycopg2.InterfaceError("connection already closed")),
    wrapped(sa.DBAPIError, Exception("reset"), connection_invalidated=True),
    wrapped(sa.ProgrammingError, Exception("lost"), connection_invalidated=True),
    wrapped(sa.OperationalError, sqlite3.OperationalError("database is locked")),
    wrapped(sa.OperationalError, sqlite3.OperationalError("disk I/O error")),
    sa.TimeoutError("QueuePool limit of size 10 overflow 20 reached"),
    sa.DisconnectionError("ping failed"),
    psycopg2.OperationalError("could not connect to server"),  # unwrapped
    kombu.exceptions.OperationalError("connection refused"),
    amqp.exceptions.ConnectionForced("broker shutting down"),
    amqp.exceptions.RecoverableConnectionError("connection lost"),
    pika.exceptions.StreamLostError("eof"),
    pika.exceptions.AMQPConnectionError(),
    ConnectionRefusedError(111, "refused"),
    ConnectionResetError(104, "reset by peer"),
    TimeoutError("timed out"),
    socket.timeout("timed out"),  # noqa: UP041 (the alias socket code raises)
    OSError(101, "network is unreachable"),
], ids=lambda e: type(e).__name__)
def test_transient(error):
    assert is_transient(error)


@pytest.mark.parametrize("error", [
    ValidationError({"amount_fen": ["Not a valid integer."]}),
    DomainError("no"), InvalidInput("bad"), NotFound("no fund"), Conflict("short of money"),
    wrapped(sa.IntegrityError, psycopg2.IntegrityError("duplicate key")),
    wrapped(sa.ProgrammingError, psycopg2.ProgrammingError("syntax error")),
    wrapped(sa.DataError, psycopg2.DataError("numeric out of range")),
    wrapped(sa.IntegrityError, sqlite3.IntegrityError("UNIQUE constraint failed")),
    sa.NoResultFound(), sa.InvalidRequestError("bad use"),
    amqp.exceptions.NotFound("no queue"), amqp.exceptions.AccessRefused("no"),
    pika.exceptions.ChannelClosedByBroker(404, "NOT_FOUND"),
    FileNotFoundError(2, "missing"), PermissionError(13, "denied"),
    ValueError("x"), KeyError("data"), TypeError("x"), RuntimeError("bug"), ZeroDivisionError(),
], ids=lambda e: type(e).__name__)
def test_not_transient(error):
    assert not is_transient(error)


def test_the_first_delivery_is_attempt_one():
    assert retries.attempt_of(None) == 1
    assert retries.attempt_of({}) == 1
    assert retries.attempt_of({retries.ATTEMPT: 3}) == 3
    assert retries.attempt_of({retries.ATTEMPT: "garbage"}) == 1


def test_a_retry_keeps_the_events_origin_and_drops_rabbitmqs_death_records():
    delivery = {"exchange": "insurance.events", "routing_key": "claim_approved"}
    first = retries.next_try_headers({"nameko.correlation_id": "c1"}, delivery, 2)
    assert first == {"nameko.correlation_id": "c1", retries.ATTEMPT: 2,
                     retries.ORIGIN_EXCHANGE: "insurance.events",
                     retries.ORIGIN_ROUTING_KEY: "claim_approved"}
    # Back from the delay queue: the default exchange, and RabbitMQ's death records on it.
    back = {**first, "x-death": [{"queue": "q.retry.500", "reason": "expired", "count": 1}],
            "x-first-death-queue": "q.retry.500", "x-first-death-reason": "expired"}
    second = retries.next_try_headers(back, {"exchange": "", "routing_key": "q"}, 3)
    assert second == {**first, retries.ATTEMPT: 3}
    assert retries.origin_of(second, {"exchange": "", "routing_key": "q"}) == (
        "insurance.events", "claim_approved")
    assert retries.plain_headers(back) == {"nameko.correlation_id": "c1"}


def test_one_delay_queue_per_queue_and_delay():
    assert retries.delay_queue_name("evt-q", 0.5) == "evt-q.retry.500"
    assert retries.delay_queue_name("evt-q", 30) == "evt-q.retry.30000"
    assert retries.delay_ms(0.0001) == 1


def test_retry_delays_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("EVENT_RETRY_DELAYS", raising=False)
    default = event_retry_delays()
    assert default[0] == 0.5 and default == sorted(default)
    assert 60 <= sum(default) <= 180  # a couple of minutes in all
    monkeypatch.setenv("EVENT_RETRY_DELAYS", "0.1, 0.2,0.3")
    assert event_retry_delays() == [0.1, 0.2, 0.3]
    monkeypatch.setenv("EVENT_RETRY_DELAYS", "")
    assert event_retry_delays() == []  # no retries: transient faults are dead-lettered too
    monkeypatch.setenv("EVENT_RETRY_DELAYS", "1,0")
    with pytest.raises(ValueError):
        event_retry_delays()
