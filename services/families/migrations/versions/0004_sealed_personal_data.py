"""identity numbers, phones, addresses and events sealed; people found by a blind index

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

from shared.crypto import INDEX_LENGTH, SEALED_LENGTH, seal_table
from shared.migrate import drop_unique

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
PEOPLE = ("family_members", "members")


def upgrade() -> None:
    for table in PEOPLE:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("id_index", sa.String(INDEX_LENGTH)))
            batch.alter_column("id_number", type_=sa.String(SEALED_LENGTH))
            batch.alter_column("phone", type_=sa.String(SEALED_LENGTH))
    with op.batch_alter_table("families") as batch:
        batch.alter_column("address", type_=sa.String(1000))
    bind = op.get_bind()
    for table in PEOPLE:
        seal_table(bind, table, ("id_number", "phone"), {"id_index": ("id_number", "id_number")})
    seal_table(bind, "families", ("address",))
    seal_table(bind, "outbox", ("payload",))
    for table in PEOPLE:
        drop_unique(op, table, ["association_code", "id_number"])
        with op.batch_alter_table(table) as batch:
            batch.alter_column("id_index", existing_type=sa.String(INDEX_LENGTH),
                               nullable=False)
        op.create_index(f"uq_{table}_id_index", table, ["association_code", "id_index"],
                        unique=True)


def downgrade() -> None:
    raise NotImplementedError("sealed data is not unsealed by a migration; restore a backup")
