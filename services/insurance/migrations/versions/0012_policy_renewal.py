"""a policy names the one it renews (once) and the village it was enrolled in; an
unrenewed policy past its end is lapsed (a status, no column)

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.add_column(sa.Column("village_code", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("renews_policy_id", sa.Integer(), nullable=True))
        batch.create_index("ix_policies_village_code", ["village_code"])
        batch.create_unique_constraint("uq_policies_renews_policy_id", ["renews_policy_id"])
        batch.create_foreign_key("fk_policies_renews_policy_id", "policies",
                                 ["renews_policy_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.drop_constraint("fk_policies_renews_policy_id", type_="foreignkey")
        batch.drop_constraint("uq_policies_renews_policy_id", type_="unique")
        batch.drop_index("ix_policies_village_code")
        batch.drop_column("renews_policy_id")
        batch.drop_column("village_code")
