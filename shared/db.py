"""Engines, and a nameko dependency giving each worker explicit transactions.

The transaction commits inside the service method, not in `worker_result`: nameko sends
the RPC reply (and acks an event) before dependencies see the result, so a commit there
could fail after the caller was told it worked."""
import contextlib
import os
import time
from contextlib import contextmanager
from pathlib import Path

from nameko.containers import ServiceContainer
from nameko.extensions import DependencyProvider
from sqlalchemy import create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from shared.events.envelope import Catalogue
from shared.settings import database_url, db_max_overflow, db_pool_size

READS_ONLY = "phf_reads_only"  # execution option: a transaction that writes nothing
# A pooled PostgreSQL connection idle longer than this is pinged before use (see _ping_idle).
PING_AFTER_IDLE_S = 1.0
EVENT_CATALOGUE = "phf_event_catalogue"  # session info: what the outbox checks events against


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # Behind PgBouncer in transaction mode as well as straight to PostgreSQL: psycopg2 binds
    # parameters on the client (no server-side prepared statements) and nothing here holds
    # session state past a transaction.
    engine = create_engine(_psycopg2(url), pool_size=db_pool_size(),
                           max_overflow=db_max_overflow(), pool_timeout=30)
    _ping_idle(engine)
    return engine


def _ping_idle(engine: Engine) -> None:
    """Find a connection a fail-over cut before it is used, as pool_pre_ping does, but only
    one that has been idle a while: pool_pre_ping's `SELECT 1` is a round trip on every
    checkout, a tenth of a donation's. A connection used within the last second that the
    cut reached fails its request as one in flight would (503, to be tried again), and
    SQLAlchemy then replaces every connection of the pool that is older than the failure."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn, record):
        if record is not None:
            record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy):
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_S:
            return  # new, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(str(exc)) from exc  # the pool connects anew


def _psycopg2(url: str) -> str:
    """SQLAlchemy 2.1 reads plain `postgresql://` as psycopg 3, which blocks eventlet's loop;
    psycopg2 is made cooperative by eventlet."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg2://" + url[len(plain):]
    return url


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[-1].split("?", 1)[0]
    if path and path != ":memory:":
        _private_file(Path(path))
    # One connection per process: greenthreads then queue on a green lock instead of
    # blocking the whole event loop inside SQLite's busy handler.
    engine = create_engine(url, pool_size=1, max_overflow=0, pool_timeout=60)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                       "busy_timeout=30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # IMMEDIATE takes the write lock up front, so read-then-write (a balance check)
        # cannot interleave with another process's writer. A read alone needs no lock.
        reads_only = conn.get_execution_options().get(READS_ONLY)
        conn.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")

    return engine


def _private_file(path: Path) -> None:
    """People's data: the database file is the owner's alone (SQLite gives its -wal and
    -shm files the same mode)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def per_dialect(build):
    """A statement built once per kind of database, from `build(dialect)`: for an upsert,
    whose ON CONFLICT is each dialect's own INSERT. Built statements skip SQLAlchemy's
    per-call construction, which costs more than SQLite running them."""
    built = {}

    def statement(session: Session):
        name = session.get_bind().dialect.name
        if name not in built:
            built[name] = build(postgresql if name == "postgresql" else sqlite)
        return built[name]
    return statement


@contextmanager
def reading(engine: Engine, one_statement: bool = False):
    """`with reading(engine) as connection:` a snapshot to read from, without the write
    lock (SQLite's BEGIN IMMEDIATE) and without the ORM session. `one_statement`: the
    block reads with a single statement, which needs no transaction around it: on
    PostgreSQL it runs in autocommit, sparing the BEGIN and the ROLLBACK, two round trips
    of three."""
    with engine.connect() as connection:
        connection.execution_options(**{READS_ONLY: True})
        if not (one_statement and engine.dialect.name == "postgresql"):
            yield connection
            return
        # psycopg2's own flag: SQLAlchemy's isolation_level="AUTOCOMMIT" would be undone
        # with a round trip (a SET) when the connection goes back to the pool.
        driver = connection.connection.dbapi_connection
        driver.autocommit = True
        try:
            yield connection
        finally:
            if not driver.closed:
                driver.autocommit = False


class UnitOfWork:
    """What a worker gets: `with uow.transaction() as session:` commits once, or rolls back."""

    def __init__(self, session_factory: sessionmaker, correlation_id: str, on_commit=None):
        self._session_factory = session_factory
        self.correlation_id = correlation_id
        self._on_commit = on_commit

    @contextmanager
    def transaction(self):
        session = self._session_factory()
        session.info["correlation_id"] = self.correlation_id
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        if self._on_commit and session.info.get("outbox_written"):
            self._on_commit()

    def reading(self, one_statement: bool = False):
        """`with uow.reading() as connection:` see reading()."""
        return reading(self._session_factory.kw["bind"], one_statement)


def dependency_of(container: ServiceContainer, attr_name: str) -> DependencyProvider:
    """The dependency a service class declares as `attr_name`, as bound to its container."""
    return next(d for d in container.dependencies if d.attr_name == attr_name)


class Database(DependencyProvider):
    def __init__(self, service: str, catalogue: Catalogue | None = None,
                 relay: str | None = None):
        """`catalogue`: what the events its transactions record are checked against; `relay`:
        the service's attribute holding its outbox relay, woken when events are committed."""
        self.service = service
        self.catalogue = catalogue
        self.relay = relay

    def setup(self):
        urls = self.container.config.get("DATABASE_URLS") or {}
        self.engine = make_engine(urls.get(self.service) or database_url(self.service))
        info = {EVENT_CATALOGUE: self.catalogue} if self.catalogue else {}
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False, info=info)
        self._kick = dependency_of(self.container, self.relay).kick if self.relay else None

    def stop(self):
        self.engine.dispose()

    def kill(self):
        # A killed container's pooled connections would stay open until collected: on
        # PostgreSQL, enough of them refuse the next process its connections.
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        correlation_id = worker_ctx.data.get("correlation_id") or worker_ctx.call_id
        return UnitOfWork(self.session_factory, correlation_id, self._kick)
