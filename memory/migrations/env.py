"""Alembic environment of the memory store.

`memory.schema.upgrade_schema` hands over an open connection in
``config.attributes["connection"]``; migrations run on it in batch mode so that SQLite,
which cannot ALTER most things in place, gets the same migrations as PostgreSQL.
"""

from alembic import context

from memory.tables import Base

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=Base.metadata,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
