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
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
