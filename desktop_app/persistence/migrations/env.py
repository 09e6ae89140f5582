"""Alembic environment: runs inside the application (a connection is handed in) or from the CLI."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from desktop_app.persistence.tables import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    # Batch mode lets the same revision ALTER tables on SQLite (copy-and-move) and PostgreSQL.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set sqlalchemy.url, or run migrations through `makersupport db upgrade`")
    with create_engine(url).connect() as conn:
        _run(conn)
