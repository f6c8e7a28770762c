"""Alembic environment: run inside the package with a connection handed over by open_store()."""

from alembic import context

from scheduler.store.models import Base

connection = context.config.attributes.get("connection")
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
