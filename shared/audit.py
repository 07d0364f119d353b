"""The audit log each service keeps in its own database: every reveal of unmasked personal
data and every change to a person's record, appended in the transaction of what it records
and chained by hash (shared/audit_chain.py).

One chain per database. Its head (a single row: the last entry's id and hash) is locked by a
transaction's first append until the transaction ends, so concurrent writers on PostgreSQL
queue behind it rather than fork the chain, and a writer on REPEATABLE READ fails rather
than link to an entry it cannot see; SQLite serialises writers already. The database refuses
to change or delete an entry: triggers made by each service's migration
(shared/audit_migration.py)."""
from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import Insert, Select, Update

from shared.audit_chain import Entry, link
from shared.clock import iso, now_utc
from shared.paging import Page
from shared.schemas import AuditEntryOut, shaped

FILTERS = ("action", "subject_kind", "subject_id")
# The head as this transaction last moved it, locked: a transaction appending many entries
# (an import's batch) reads and locks it once, until a rollback or the end.
HEAD = "phf_audit_head"
ENTRY = AuditEntryOut()


@dataclass(frozen=True)
class AuditTables:
    log: Table
    head: Table
    # Built once: building a statement costs more than SQLite running it.
    locked_head: Select
    append: Insert
    move_head: Update


def add_audit_tables(metadata: MetaData) -> AuditTables:
    log = Table(
        "audit_log", metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),  # 1, 2, 3… in the chain
        Column("association_code", String(6), nullable=False),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("actor", String(100), nullable=False),
        Column("role", String(20), nullable=False),
        Column("action", String(20), nullable=False),
        Column("subject_kind", String(30), nullable=False),
        Column("subject_id", Integer, nullable=False),
        Column("fields", JSON, nullable=False),  # names, never values
        Column("reason", Text),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
        Index("ix_audit_log_subject", "association_code", "subject_kind", "subject_id"),
    )
    head = Table(
        "audit_head", metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),  # the one row: 1
        Column("last_id", Integer, nullable=False),
        Column("last_hash", String(64), nullable=False),
    )
    return AuditTables(
        log, head, select(head.c.last_id, head.c.last_hash).with_for_update(), insert(log),
        update(head).values(last_id=bindparam("to_id"), last_hash=bindparam("to_hash")))


def record(session: Session, tables: AuditTables, actor: dict, *entries: Entry) -> None:
    """Appends the entries, by `actor` (a loaded actor: username, role, association), to the
    session's transaction; the chain's head stays locked until it ends."""
    if not entries:
        return
    connection = session.connection()
    last_id, last_hash = session.info.get(HEAD) or connection.execute(tables.locked_head).one()
    at = now_utc()
    rows = []
    for entry in entries:
        last_id += 1
        row = {"id": last_id, "association_code": actor["association_code"], "at": at,
               "actor": actor["username"], "role": actor["role"], "action": entry.action,
               "subject_kind": entry.subject_kind, "subject_id": entry.subject_id,
               "fields": list(entry.fields), "reason": entry.reason, "prev_hash": last_hash}
        last_hash = row["hash"] = link(last_hash, row)
        rows.append(row)
    moved = {"to_id": last_id, "to_hash": last_hash}
    if connection.dialect.name == "postgresql":  # one round trip: the head moves in a CTE
        connection.execute(insert(tables.log).values(rows).add_cte(
            tables.move_head.cte("moved_head")), moved)
    else:  # SQLite has no INSERT, UPDATE or DELETE in a WITH
        connection.execute(tables.append, rows)
        connection.execute(tables.move_head, moved)
    session.info[HEAD] = (last_id, last_hash)


@event.listens_for(Session, "after_rollback")
def _forget_head(session: Session) -> None:
    """A savepoint rolled back took its entries and the head's move with it (and, on
    PostgreSQL, a lock first taken inside it): the head is read and locked again."""
    session.info.pop(HEAD, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_head_at_the_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(HEAD, None)


def listing(connection: Connection, tables: AuditTables, association: str,
            query: dict) -> Page:
    """The association's entries, the latest first, filtered by what `query` names."""
    log = tables.log
    found = select(log).where(log.c.association_code == association)
    for name in FILTERS:
        if query.get(name) is not None:
            found = found.where(log.c[name] == query[name])
    total = connection.scalar(select(func.count()).select_from(found.subquery()))
    if query.get("after"):
        found = found.where(log.c.id < query["after"])
    page = found.order_by(log.c.id.desc()).limit(query["limit"]).offset(query["offset"])
    return Page(list(connection.execute(page).mappings()), total)


def entry_view(row) -> dict:
    return shaped(ENTRY, {"id": row["id"], "at": iso(row["at"]), "actor": row["actor"],
                          "role": row["role"], "action": row["action"],
                          "subject_kind": row["subject_kind"], "subject_id": row["subject_id"],
                          "field_names": list(row["fields"]), "reason": row["reason"]})
