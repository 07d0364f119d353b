"""donors' identity numbers and phones and payees' identity numbers sealed; donors found by
blind indexes

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

from shared.crypto import INDEX_LENGTH, SEALED_LENGTH, seal_table
from shared.migrate import drop_unique

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_donors_phone", table_name="donors")
    with op.batch_alter_table("donors") as batch:
        batch.add_column(sa.Column("id_index", sa.String(INDEX_LENGTH)))
        batch.add_column(sa.Column("phone_index", sa.String(INDEX_LENGTH)))
        batch.alter_column("id_number", type_=sa.String(SEALED_LENGTH))
        batch.alter_column("phone", type_=sa.String(SEALED_LENGTH))
    with op.batch_alter_table("disbursements") as batch:
        batch.alter_column("payee_id_number", type_=sa.String(SEALED_LENGTH))
    bind = op.get_bind()
    seal_table(bind, "donors", ("id_number", "phone"),
               {"id_index": ("id_number", "id_number"), "phone_index": ("phone", "phone")})
    seal_table(bind, "disbursements", ("payee_id_number",))
    drop_unique(op, "donors", ["association_code", "id_number"])
    op.create_index("uq_donors_id_index", "donors", ["association_code", "id_index"],
                    unique=True)
    op.create_index("ix_donors_phone_index", "donors", ["phone_index"])


def downgrade() -> None:
    raise NotImplementedError("sealed data is not unsealed by a migration; restore a backup")
