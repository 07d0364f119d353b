"""insured people's identity numbers and phones, claims' descriptions and payees' account
numbers sealed; policies found, and kept one active per person and product, by a blind index

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

from shared.crypto import INDEX_LENGTH, SEALED_LENGTH, seal_table
from shared.migrate import drop_unique

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None
ACTIVE_KEY = ["association_code", "product_id", "insured_id_number", "active_key"]


def upgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.add_column(sa.Column("insured_id_index", sa.String(INDEX_LENGTH)))
        batch.drop_index("ix_policies_insured_id_number")
        batch.alter_column("insured_id_number", type_=sa.String(SEALED_LENGTH),
                           existing_type=sa.String(18), existing_nullable=False)
        batch.alter_column("insured_phone", type_=sa.String(SEALED_LENGTH),
                           existing_type=sa.String(11))
    with op.batch_alter_table("claims") as batch:
        batch.alter_column("payee_account_no", type_=sa.String(SEALED_LENGTH),
                           existing_type=sa.String(30))
    bind = op.get_bind()
    seal_table(bind, "policies", ("insured_id_number", "insured_phone"),
               {"insured_id_index": ("insured_id_number", "id_number")})
    seal_table(bind, "claims", ("description", "payee_account_no"))
    drop_unique(op, "policies", ACTIVE_KEY)
    with op.batch_alter_table("policies") as batch:
        batch.alter_column("insured_id_index", existing_type=sa.String(INDEX_LENGTH),
                           nullable=False)
        batch.create_index("ix_policies_insured_id_index", ["insured_id_index"])
    op.create_index("uq_policies_insured_id_index", "policies",
                    ["association_code", "product_id", "insured_id_index", "active_key"],
                    unique=True)


def downgrade() -> None:
    raise NotImplementedError("sealed data is not unsealed by a migration; restore a backup")
