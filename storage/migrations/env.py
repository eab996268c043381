"""Alembic's environment for the catalog: runs on the connection ``storage.catalog.migrate`` hands it."""
from __future__ import annotations

from alembic import context
from sqlalchemy import text

from storage.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    if connection.dialect.name == "postgresql":  # two processes opening a new catalog: one migrates, one waits
        connection.execute(text("SELECT pg_advisory_xact_lock(7265767)"))
    context.run_migrations()
