"""Alembic environment: runs marketdock's migrations on the connection it is given."""

from __future__ import annotations

from alembic import context

from marketdock.engine.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("marketdock migrations run through marketdock.engine.migrate")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
