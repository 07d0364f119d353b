"""The body of every service's Alembic env.py: same engine rules as the services use."""
from alembic import context

from shared.db import make_engine


def run(metadata, service: str) -> None:
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    # Several services may share one PostgreSQL database; each keeps its own history.
    options = dict(target_metadata=metadata, version_table=f"alembic_version_{service}",
                   render_as_batch=True, compare_type=True)
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, "OFF")
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _check_foreign_keys(connection)
        if sqlite:
            _sqlite_foreign_keys(connection, "ON")
    engine.dispose()


def _sqlite_foreign_keys(connection, state: str) -> None:
    """SQLite alters a table by copying it and dropping the old one, which foreign keys
    forbid while other tables' rows point at it; and the switch works only outside a
    transaction, hence on the driver's connection, before (or after) the migration's."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={state}")


def _check_foreign_keys(connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:10]}")
