"""product versions and premiums

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

from shared.history import create_history_table

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# What a product's first version keeps of a product defined before versions existed.
TERMS = ("name", "payout_fund_code", "per_claim_cap_fen", "per_year_cap_fen", "waiting_days",
         "term_days", "min_age", "max_age", "categories", "care_visit", "care_visit_skills")


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("premium_fen", sa.BigInteger(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("premium_shares", sa.JSON(), nullable=False,
                                   server_default="[]"))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                   server_default="1"))
    op.create_table(
        "product_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("defined_by", sa.String(length=100), nullable=False),
        sa.Column("defined_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "version"),
    )
    _first_versions()
    with op.batch_alter_table("policies") as batch:
        batch.alter_column("status", type_=sa.String(20), existing_type=sa.String(12),
                           existing_nullable=False)
        batch.add_column(sa.Column("product_version_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_policies_product_version_id", "product_versions",
                                 ["product_version_id"], ["id"])
    versions = sa.table("product_versions", sa.column("id"), sa.column("product_id"))
    policies = sa.table("policies", sa.column("product_id"), sa.column("product_version_id"))
    op.execute(policies.update().values(product_version_id=sa.select(versions.c.id).where(
        versions.c.product_id == policies.c.product_id).scalar_subquery()))
    with op.batch_alter_table("policies") as batch:
        batch.alter_column("product_version_id", existing_type=sa.Integer(), nullable=False)
    op.create_table(
        "premium_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("payer", sa.String(length=20), nullable=False),
        sa.Column("share_pct", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("fund_code", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("paid_by", sa.String(length=100), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disbursement_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["policy_id"], ["policies.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("policy_id", "payer"),
    )
    op.create_index("ix_premium_shares_policy_id", "premium_shares", ["policy_id"])
    create_history_table(op, "premium_share_history", "premium_shares", "share_id")


def _first_versions() -> None:
    """Every product so far is its own version 1, without a premium."""
    products = sa.table("products", sa.column("id"), *(
        sa.column(name, sa.JSON()) if name in ("categories", "care_visit_skills")
        else sa.column(name) for name in TERMS))
    versions = sa.table("product_versions", sa.column("product_id"), sa.column("version"),
                        sa.column("terms", sa.JSON()), sa.column("defined_by"))
    connection = op.get_bind()
    for row in connection.execute(sa.select(products)).mappings().all():
        terms = {name: row[name] for name in TERMS}
        terms.update(care_visit=bool(terms["care_visit"]), premium_fen=0, premium_shares=[])
        connection.execute(versions.insert().values(product_id=row["id"], version=1,
                                                    terms=terms, defined_by="migration"))


def downgrade() -> None:
    op.drop_table("premium_share_history")
    op.drop_index("ix_premium_shares_policy_id", table_name="premium_shares")
    op.drop_table("premium_shares")
    with op.batch_alter_table("policies") as batch:
        batch.drop_constraint("fk_policies_product_version_id", type_="foreignkey")
        batch.drop_column("product_version_id")
        batch.alter_column("status", type_=sa.String(12), existing_type=sa.String(20),
                           existing_nullable=False)
    op.drop_table("product_versions")
    with op.batch_alter_table("products") as batch:
        batch.drop_column("version")
        batch.drop_column("premium_shares")
        batch.drop_column("premium_fen")
