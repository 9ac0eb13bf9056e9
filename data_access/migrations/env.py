"""Alembic environment: migrations run on the connection the app hands over (or DATABASE_URL)."""
from alembic import context

from data_access.schema import metadata


def run_migrations() -> None:
    # Always called through data_access.database.migrate(), which passes its connection.
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
