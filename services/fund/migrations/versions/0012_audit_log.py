"""audit log: reveals and changes to donors' records, hash-chained and append-only; the
looks at identity numbers recorded before become its first entries

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

from shared.audit_chain import GENESIS, link
from shared.audit_migration import create_audit_tables, drop_audit_tables

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

LOG = sa.table("audit_log", *(sa.column(name) for name in (
    "id", "association_code", "actor", "role", "action", "subject_kind", "subject_id",
    "reason", "prev_hash", "hash")), sa.column("at", sa.DateTime(timezone=True)),
    sa.column("fields", sa.JSON()))


def upgrade() -> None:
    create_audit_tables(op)
    bind = op.get_bind()
    # Only an admin could look; what they saw was whichever of the two the donor held.
    looks = bind.execute(sa.text("""
        SELECT r.revealed_to, r.revealed_at, d.id, d.association_code,
               d.id_number IS NOT NULL, d.credit_code IS NOT NULL
        FROM identity_reveals r JOIN donors d ON d.id = r.donor_id ORDER BY r.id""")
        .columns(revealed_at=sa.DateTime(timezone=True))).all()
    last_hash = GENESIS
    for n, (who, at, donor_id, association, has_id, has_code) in enumerate(looks, 1):
        row = {"id": n, "association_code": association, "at": at, "actor": who,
               "role": "admin", "action": "reveal", "subject_kind": "donor",
               "subject_id": donor_id, "reason": None, "prev_hash": last_hash,
               "fields": [f for f, held in (("id_number", has_id), ("credit_code", has_code))
                          if held]}
        last_hash = row["hash"] = link(last_hash, row)
        bind.execute(sa.insert(LOG).values(row))
    bind.execute(sa.text("UPDATE audit_head SET last_id = :n, last_hash = :h"),
                 {"n": len(looks), "h": last_hash})
    op.drop_table("identity_reveals")


def downgrade() -> None:
    op.create_table(
        "identity_reveals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("donor_id", sa.Integer(), nullable=False),
        sa.Column("revealed_to", sa.String(length=100), nullable=False),
        sa.Column("revealed_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["donor_id"], ["donors.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("""
        INSERT INTO identity_reveals (donor_id, revealed_to, revealed_at)
        SELECT subject_id, actor, at FROM audit_log
        WHERE action = 'reveal' AND subject_kind = 'donor' ORDER BY id""")
    drop_audit_tables(op)
