"""identity numbers, phones and addresses sealed; people found by a blind index

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

from shared.crypto import INDEX_LENGTH, SEALED_LENGTH, keyring, seal_table, sealed_key_of
from shared.migrate import drop_unique

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None
PEOPLE = ("volunteers", "applications")
PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    # Dropped first: a table rebuilt by a batch need not keep an index partial.
    op.drop_index("uq_applications_pending", table_name="applications")
    for table in PEOPLE:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("id_index", sa.String(INDEX_LENGTH)))
            batch.alter_column("id_number", type_=sa.String(SEALED_LENGTH))
            batch.alter_column("phone", type_=sa.String(SEALED_LENGTH))
    for table in ("visits", "family_homes"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("address", type_=sa.String(1000))
    bind = op.get_bind()
    for table in PEOPLE:
        seal_table(bind, table, ("id_number", "phone"), {"id_index": ("id_number", "id_number")})
    seal_table(bind, "visits", ("address",))
    _seal_family_home_addresses(bind)
    drop_unique(op, "volunteers", ["association_code", "id_number"])
    for table in PEOPLE:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("id_index", existing_type=sa.String(INDEX_LENGTH),
                               nullable=False)
    op.create_index("uq_volunteers_id_index", "volunteers", ["association_code", "id_index"],
                    unique=True)
    op.create_index("uq_applications_pending", "applications",
                    ["association_code", "id_index"], unique=True,
                    postgresql_where=PENDING, sqlite_where=PENDING)


def _seal_family_home_addresses(bind) -> None:
    """As seal_table does, for the one table here keyed by family_id rather than id (one
    row per family: few enough to read at once). A second run seals nothing twice."""
    ring = keyring()
    homes = sa.table("family_homes", sa.column("family_id"), sa.column("address"))
    for family_id, address in bind.execute(sa.select(homes.c.family_id,
                                                     homes.c.address)).all():
        if address is not None and not sealed_key_of(address):
            bind.execute(sa.update(homes).where(homes.c.family_id == family_id)
                         .values(address=ring.seal(address, "family_homes.address")))


def downgrade() -> None:
    raise NotImplementedError("sealed data is not unsealed by a migration; restore a backup")
