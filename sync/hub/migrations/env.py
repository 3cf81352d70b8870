"""Alembic's entry point for the hub: migrate the connection ``sync.hub.db.migrate`` gives,
or, from the ``alembic`` command line, the URL in ``ACCUEIL_HUB_DATABASE``."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from sync.hub.db.schema import metadata

connection = context.config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    url = os.environ.get("ACCUEIL_HUB_DATABASE", "")
    if not url:
        raise SystemExit("set ACCUEIL_HUB_DATABASE to the hub's SQLAlchemy URL")
    with create_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
