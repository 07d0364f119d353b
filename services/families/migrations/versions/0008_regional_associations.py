"""associations above the county's: the province, its cities and counties as records; the
install's own county with its city and province to begin with

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

from shared import regions
from shared.settings import association_code, association_name, city_name, province_name

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "regional_associations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("association_code", sa.String(6), nullable=False),
        sa.Column("code", sa.String(6), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("parent_code", sa.String(6), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.UniqueConstraint("association_code", "code"))
    op.create_index("ix_regional_associations_parent_code", "regional_associations",
                    ["parent_code"])
    op.bulk_insert(table, install_chain(association_code()))


def install_chain(county: str) -> list[dict]:
    """The install's county and the city and province above it, as they were named in
    its settings (a county directly under its province has no city row)."""
    names = {regions.PROVINCE: province_name(), regions.CITY: city_name(),
             regions.COUNTY: association_name()}
    chain, code = [], county
    while code is not None:
        level = regions.level_of(code)
        chain.append({"association_code": code, "code": code, "name": names[level],
                      "level": level, "parent_code": regions.parent_of(code),
                      "created_by": "migration"})
        code = regions.parent_of(code)
    return chain


def downgrade() -> None:
    op.drop_index("ix_regional_associations_parent_code", "regional_associations")
    op.drop_table("regional_associations")
