"""The audit log in the services' real databases: entries appended as the services append
them, `python -m deploy.ops audit-verify` counting them and naming the first row tampered
with behind the database's back; the database itself refusing to change or delete one; and
on PostgreSQL, concurrent writers queueing on the chain's head instead of forking it."""
import contextlib
import sqlite3

import eventlet
import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session

from deploy.ops import auditing
from deploy.ops.__main__ import main as ops
from shared import audit
from shared.audit_chain import Entry, Verdict
from shared.db import make_engine
from shared.migrate import alembic_config, upgrade

ADMIN = {"username": "admin", "role": "admin", "association_code": "341181"}
WRITERS = 12
FAMILIES = auditing.LOGS["families"]


def _append(url: str, *entries: Entry, pause: float = 0) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            audit.record(session, FAMILIES, ADMIN, *entries)
            eventlet.sleep(pause)  # the head stays locked: another writer waits here
    finally:
        engine.dispose()


def _reveal(n: int) -> Entry:
    return Entry("reveal", "family", n, ("id_number", "phone"), f"enrolling village {n}")


@pytest.fixture
def every_log(sqlite_url, monkeypatch):
    """Each service's SQLite database, migrated, where `python -m deploy.ops` finds it."""
    urls = {service: sqlite_url(service) for service in auditing.LOGS}
    for service, url in urls.items():
        monkeypatch.setenv(f"{service.upper()}_DATABASE_URL", url)
    return urls


def test_audit_verify_counts_an_intact_chain_and_names_the_row_changed_behind_its_back(
        every_log, capsys):
    _append(every_log["families"], *map(_reveal, range(1, 4)))
    _append(every_log["families"], Entry("change", "family", 1, ("address",)))
    assert ops(["audit-verify"]) == 0
    said = capsys.readouterr().out
    assert "families: 4 entries, chain intact" in said and "fund: 0 entries" in said

    path = every_log["families"].split("///", 1)[1]
    with sqlite3.connect(path) as raw:  # someone with the file, not the service
        raw.execute("DROP TRIGGER audit_log_no_update")
        raw.execute("UPDATE audit_log SET reason = 'nothing to see' WHERE id = 2")
    assert ops(["audit-verify", "--only", "families"]) == 1
    assert "families: chain broken at entry 2: its content does not match its hash" in \
        capsys.readouterr().err


def test_entries_removed_from_the_end_are_named_too(every_log, capsys):
    _append(every_log["families"], *map(_reveal, range(1, 6)))
    with sqlite3.connect(every_log["families"].split("///", 1)[1]) as raw:
        raw.execute("DROP TRIGGER audit_log_no_delete")
        raw.execute("DELETE FROM audit_log WHERE id >= 4")
    assert ops(["audit-verify", "--only", "families"]) == 1
    assert "chain broken at entry 4: it is missing" in capsys.readouterr().err


def test_a_database_not_migrated_is_said_plainly(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FUND_DATABASE_URL", f"sqlite:///{tmp_path / 'nothing.db'}")
    assert ops(["audit-verify", "--only", "fund"]) == 2
    assert "fund: its audit log cannot be read" in capsys.readouterr().err


def test_the_database_refuses_to_change_or_delete_an_entry(database_url):
    url = database_url("families")
    _append(url, _reveal(1))
    engine = make_engine(url)
    try:
        for statement in ("UPDATE audit_log SET reason = 'other' WHERE id = 1",
                          "DELETE FROM audit_log WHERE id = 1",
                          *(["TRUNCATE audit_log"] if engine.dialect.name == "postgresql"
                            else [])):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as db:
                db.exec_driver_sql(statement)
    finally:
        engine.dispose()
    assert auditing.check("families", url).entries == 1


def test_a_unit_rolled_back_takes_its_entries_with_it_and_the_chain_goes_on(database_url):
    url = database_url("families")
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():  # an import's batch
            audit.record(session, FAMILIES, ADMIN, _reveal(1))
            with session.begin_nested():
                audit.record(session, FAMILIES, ADMIN, _reveal(2))
            with contextlib.suppress(LookupError), session.begin_nested():
                audit.record(session, FAMILIES, ADMIN, _reveal(3))
                raise LookupError("this household is refused")
            audit.record(session, FAMILIES, ADMIN, _reveal(4))
        with engine.connect() as db:
            kept = db.execute(sa.select(FAMILIES.log.c.subject_id)).scalars().all()
    finally:
        engine.dispose()
    assert kept == [1, 2, 4] and auditing.check("families", url) == Verdict(3)


def test_concurrent_writers_on_postgres_queue_on_the_head_and_never_fork_the_chain(
        postgres_url):
    url = postgres_url("families")
    pool = eventlet.GreenPool(WRITERS)
    for n in range(WRITERS):
        pool.spawn(_append, url, _reveal(2 * n + 1), _reveal(2 * n + 2), pause=0.01)
    pool.waitall()
    verdict = auditing.check("families", url)
    assert verdict.broken is None and verdict.entries == 2 * WRITERS


def test_looks_recorded_before_the_audit_log_become_its_first_entries(empty_url):
    command.upgrade(alembic_config("fund", empty_url), "0011")
    engine = make_engine(empty_url)
    try:
        with engine.begin() as db:
            db.exec_driver_sql(
                "INSERT INTO donors (id, association_code, kind, name, id_number) "
                "VALUES (7, '341181', 'person', '张三', 'enc1:old:sealed')")
            db.exec_driver_sql("INSERT INTO identity_reveals (donor_id, revealed_to) "
                               "VALUES (7, 'admin'), (7, 'admin2')")
    finally:
        engine.dispose()
    upgrade("fund", empty_url)
    assert auditing.check("fund", empty_url) == Verdict(2)
    engine = make_engine(empty_url)
    try:
        with engine.connect() as db:
            looks = db.execute(sa.select(auditing.LOGS["fund"].log)).mappings().all()
    finally:
        engine.dispose()
    assert [(row["actor"], row["action"], row["subject_id"], row["fields"]) for row in looks] \
        == [("admin", "reveal", 7, ["id_number"]), ("admin2", "reveal", 7, ["id_number"])]
