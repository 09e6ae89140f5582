"""Programmatic Alembic: the schema is brought to head at start-up, no alembic.ini needed."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DatabaseError, OperationalError

from desktop_app.errors import DatabaseUnavailableError
from desktop_app.i18n import _
from desktop_app.paths import migrations_dir


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head


def current_revisions(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


def _refuse_newer_schema(connection: Connection) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    for revision in current_revisions(connection):
        try:
            known = script.get_revision(revision)
        except CommandError:
            known = None
        if known is None:
            raise DatabaseUnavailableError(
                _(
                    "This database was created by a newer version of makeR Soporte (schema {revision}). "
                    "Update the program before opening it; the database was not changed."
                ).format(revision=revision)
            )


def refuse_newer_schema_at(engine: Engine) -> None:
    """Open a connection and refuse a schema from a newer program (nothing is written)."""
    with engine.connect() as connection:
        _refuse_newer_schema(connection)


def describe_database_error(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)).lower()
    if "not a database" in text or "malformed" in text:
        return _("The file is not a makeR Soporte database or it is damaged. It was not changed.")
    if "disk is full" in text or "no space left" in text or "disk full" in text:
        return _("The disk is full: nothing was saved. Free some space and try again.")
    if "connection refused" in text or "connection failed" in text or "could not connect" in text:
        return _("The database server does not answer. Check the network connection or ask the administrator.")
    if "password authentication failed" in text or "no password supplied" in text:
        return _("The database server refused the user or password.")
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return _("The database file cannot be opened for writing. Check the file and folder permissions.")
    return _("The database cannot be opened: {reason}").format(reason=getattr(exc, "orig", exc))


def upgrade_to_head(engine: Engine) -> None:
    """Create or upgrade the schema, in one transaction where the database allows it.

    Raises:
        DatabaseUnavailableError: unreadable, damaged, read-only or newer database.
    """
    try:
        with engine.begin() as connection:
            _refuse_newer_schema(connection)
            command.upgrade(alembic_config(connection), "head")
    except (OperationalError, DatabaseError) as exc:
        raise DatabaseUnavailableError(describe_database_error(exc), detail=str(exc)) from exc


def is_at_head(engine: Engine) -> bool:
    with engine.connect() as connection:
        return current_revisions(connection) == (head_revision(),)
