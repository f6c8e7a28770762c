"""Alembic environment: normally run inside the package with a connection handed over by
open_store(); from the alembic command line it connects to sqlalchemy.url or DUBAN_DB instead."""

import os

from alembic import context
from sqlalchemy import create_engine

from scheduler.store.schema import Base


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get("DUBAN_DB", "sqlite:///duban.db")
    with create_engine(url).begin() as connection:
        run(connection)
