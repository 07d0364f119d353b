"""Alembic, one history per service: `python -m shared.migrate [service ...]` upgrades them."""
import sys

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from shared.settings import PROJECT_ROOT, association_code, database_url

SERVICES_WITH_DATABASES = ("fund", "insurance", "volunteers", "families", "notifications",
                           "gateway")


def alembic_config(service: str, url: str | None = None) -> Config:
    config = Config()
    scripts = PROJECT_ROOT / "services" / service / "migrations"
    config.set_main_option("script_location", str(scripts))
    # Escaped for configparser's interpolation.
    config.set_main_option("sqlalchemy.url", (url or database_url(service)).replace("%", "%%"))
    config.attributes["service"] = service
    return config


def drop_unique(op, table: str, columns: list[str]) -> None:
    """For a migration: drop the unique key on exactly these columns, named by PostgreSQL and
    unnamed in SQLite (where a batch names every key by all of its columns, to drop it)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        with op.batch_alter_table(table, naming_convention={
                "uq": "uq_%(table_name)s_%(column_0_N_name)s"}) as batch:
            batch.drop_constraint(f"uq_{table}_{'_'.join(columns)}", type_="unique")
        return
    for unique in sa.inspect(bind).get_unique_constraints(table):
        if unique["column_names"] == columns:
            op.drop_constraint(unique["name"], table, type_="unique")


def add_association_code(op, table: str, parent: tuple[str, str] | None = None) -> None:
    """For a migration: give `table` the association's code, not null: its parent row's
    (`parent`: the parent table and this table's foreign key to it) or, for a row with no
    parent, this install's (ASSOCIATION_CODE)."""
    op.add_column(table, sa.Column("association_code", sa.String(6), nullable=True))
    if parent is not None:
        parent_table, key = parent
        op.execute(f"UPDATE {table} SET association_code = (SELECT p.association_code "
                   f"FROM {parent_table} p WHERE p.id = {table}.{key})")
    op.execute(sa.text(f"UPDATE {table} SET association_code = :code "
                       "WHERE association_code IS NULL").bindparams(code=association_code()))
    with op.batch_alter_table(table) as batch:
        batch.alter_column("association_code", existing_type=sa.String(6), nullable=False)


def key_by_association(op, table: str, columns: list[str], name: str | None = None) -> None:
    """For a migration: the unique key on `columns` becomes one on the association's code
    and them (named `name`, else by its columns)."""
    drop_unique(op, table, columns)
    with op.batch_alter_table(table) as batch:
        batch.create_unique_constraint(
            name or f"uq_{table}_association_code_{'_'.join(columns)}",
            ["association_code", *columns])


def upgrade(service: str, url: str | None = None) -> None:
    command.upgrade(alembic_config(service, url), "head")


if __name__ == "__main__":
    for name in sys.argv[1:] or SERVICES_WITH_DATABASES:
        upgrade(name)
        print(f"{name}: database at head")
