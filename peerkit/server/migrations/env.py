"""Alembic environment: migrations run on the connection :func:`peerkit.server.db.migrate` hands over.

There is no alembic.ini: the server migrates its own store on every start, inside
one transaction (on PostgreSQL under an advisory lock, so workers migrate once).
"""
from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached by running the alembic command by hand
    raise RuntimeError("peerkit migrations run through peerkit.server.db.migrate(engine), not the alembic command.")

context.configure(connection=connection, target_metadata=None,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
