"""For a service's migration: its audit log and the chain's head (shared/audit.py), with
triggers that make the database itself refuse to change or delete an entry. SQLite's
triggers go with the table should a later migration rebuild it (batch mode): make them
again there with `refuse_changes`."""
import sqlalchemy as sa

from shared.audit_chain import GENESIS

REFUSAL = "audit_log is append-only"


def create_audit_tables(op) -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("association_code", sa.String(length=6), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("subject_kind", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_subject", "audit_log",
                    ["association_code", "subject_kind", "subject_id"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(head, [{"id": 1, "last_id": 0, "last_hash": GENESIS}])
    refuse_changes(op)


def refuse_changes(op) -> None:
    """UPDATE and DELETE of an entry (and, on PostgreSQL, TRUNCATE) fail in the database,
    whoever asks."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                       f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")
        return
    op.execute("CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS "
               f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$")
    op.execute("CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
               "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()")
    op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
               "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse()")


def drop_audit_tables(op) -> None:
    """For a downgrade: the triggers go with the table, the function after it."""
    op.drop_table("audit_head")
    op.drop_table("audit_log")
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION audit_log_refuse()")
