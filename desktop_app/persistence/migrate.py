"""Programmatic Alembic: the schema is brought to head at start-up, no alembic.ini needed.

A database that is already current is recognised without importing Alembic (about half a second of
start-up): the revision in its alembic_version table is read with SQLAlchemy and compared with the
newest revision shipped, read from the revision files' `revision = "…"` lines (shipped_head). Only
an empty, older, newer or unrecognised database goes through Alembic, which then decides.

Before that, a database that is not ours (another program's tables) or a damaged SQLite file is
refused with nothing written (integrity.py): a SQLite file through a read-only connection of its
own, with `PRAGMA quick_check`, before the engine's first connection can rewrite its header.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DatabaseError, OperationalError

from desktop_app.errors import DatabaseUnavailableError
from desktop_app.i18n import _
from desktop_app.paths import migrations_dir
from desktop_app.persistence.db import make_engine, redact_url, sqlite_file
from desktop_app.persistence.integrity import VERSION_TABLE, NewestBackup, check_sqlite_file, refuse_unless_ours

if TYPE_CHECKING:
    from alembic.config import Config

# Module-level `revision = "…"` / `down_revision = …` lines, with or without a type annotation.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.*?)\s*$", re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"'\s]+)["']""")


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The head as Alembic computes it (imports Alembic; shipped_head is the cheap reading)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head


@cache
def shipped_head() -> str | None:
    """The newest revision this program ships, read from its revision files without importing Alembic."""
    return head_in(migrations_dir() / "versions")


def head_in(folder: Path) -> str | None:
    """The head of the revision files in folder, read as text.

    None when the files are not in the plain form Alembic writes (each with one `revision` and one
    `down_revision` line, one head in all): then nothing is assumed and Alembic decides.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in folder.glob("*.py"):
        if path.name.startswith("__init__"):
            continue
        lines: dict[str, list[str]] = {}
        for name, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            lines.setdefault(name, []).append(value)
        if len(lines.get("revision", [])) != 1 or len(lines.get("down_revision", [])) != 1:
            return None
        revision_ids = _QUOTED.findall(lines["revision"][0])
        down = lines["down_revision"][0]
        down_ids = _QUOTED.findall(down)
        if len(revision_ids) != 1 or (not down_ids and down != "None"):
            return None
        revisions.add(revision_ids[0])
        parents.update(down_ids)
    heads = revisions - parents
    if len(heads) != 1 or not parents <= revisions:
        return None
    return heads.pop()


def stored_revisions(connection: Connection) -> tuple[str, ...] | None:
    """What alembic_version says, read with SQLAlchemy; None when the table does not exist (a new database)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return tuple(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


def is_current(connection: Connection) -> bool:
    """The database is at the shipped head (False also when unsure: Alembic then looks)."""
    head = shipped_head()
    return head is not None and stored_revisions(connection) == (head,)


def current_revisions(connection: Connection) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    return tuple(MigrationContext.configure(connection).get_current_heads())


def _refuse_newer_schema(connection: Connection) -> None:
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

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


def sqlite_path(engine: Engine) -> Path | None:
    """The SQLite file behind the engine, or None for a server or in-memory SQLite."""
    return sqlite_file(engine.url.render_as_string(hide_password=False))


def _refuse_foreign_server(engine: Engine, connection: Connection) -> None:
    """A server database with another program's tables in its schema is not ours (one query)."""
    where = redact_url(engine.url.render_as_string(hide_password=True))
    refuse_unless_ours(inspect(connection).get_table_names(), where, server=True)


def refuse_newer_schema_at(engine: Engine, newest_backup: NewestBackup | None = None) -> None:
    """Refuse another program's database, a damaged SQLite file, or a schema from a newer program.

    Nothing is written: a SQLite file is looked at before the engine first connects to it.
    """
    path = sqlite_path(engine)
    if path is not None:
        check_sqlite_file(path, newest_backup)
    with engine.connect() as connection:
        if path is None:
            _refuse_foreign_server(engine, connection)
        if not is_current(connection):
            _refuse_newer_schema(connection)


def is_password_refusal(exc: Exception) -> bool:
    """The server refused the password given, or wanted one and none was given."""
    reason = str(getattr(exc, "orig", exc)).lower()
    return "password authentication failed" in reason or "no password supplied" in reason


def describe_database_error(exc: Exception) -> str:
    reason = str(getattr(exc, "orig", exc)).lower()
    if "not a database" in reason or "malformed" in reason:
        return _("The file is not a makeR Soporte database or it is damaged. It was not changed.")
    if "disk is full" in reason or "no space left" in reason or "disk full" in reason:
        return _("The disk is full: nothing was saved. Free some space and try again.")
    # psycopg starts every connection error with "connection failed:", so the precise causes come first.
    if is_password_refusal(exc):
        return _("The database server refused the user or password.")
    if any(
        sign in reason for sign in ("certificate verify failed", "does not match host name", "root certificate file")
    ):
        return _(
            "The database server's identity could not be verified (TLS): check sslrootcert and the server name, "
            "or ask the administrator."
        )
    if "permission denied for schema" in reason:
        return _("This login may not change the database's schema: its owner must run `makersupport db upgrade`.")
    if "connection refused" in reason or "connection failed" in reason or "could not connect" in reason:
        return _("The database server does not answer. Check the network connection or ask the administrator.")
    if "readonly" in reason or "read-only" in reason or "unable to open" in reason:
        return _("The database file cannot be opened for writing. Check the file and folder permissions.")
    return _("The database cannot be opened: {reason}").format(reason=getattr(exc, "orig", exc))


def upgrade_to_head(engine: Engine, newest_backup: NewestBackup | None = None) -> None:
    """Create or upgrade the schema, in one transaction where the database allows it.

    A current database is only read (one query, no Alembic import); anything else goes through Alembic.
    A SQLite file is first checked through a read-only connection of its own (quick_check and its
    tables); a server database's tables are read on the same connection.

    Args:
        engine: the database, not connected to yet (the first connection of a SQLite engine turns on WAL).
        newest_backup: the newest automatic backup, named in the message about a damaged file.

    Raises:
        DatabaseUnavailableError: another program's, unreadable, damaged, read-only or newer database.
    """
    path = sqlite_path(engine)
    if path is not None:
        check_sqlite_file(path, newest_backup)
    try:
        with engine.connect() as connection:
            if path is None:
                _refuse_foreign_server(engine, connection)
            if is_current(connection):
                return
        from alembic import command

        with engine.begin() as connection:
            _refuse_newer_schema(connection)
            command.upgrade(alembic_config(connection), "head")
    except (OperationalError, DatabaseError) as exc:
        raise DatabaseUnavailableError(describe_database_error(exc), detail=str(exc)) from exc


def is_at_head(engine: Engine) -> bool:
    with engine.connect() as connection:
        return current_revisions(connection) == (head_revision(),)


class DatabaseProbe:
    """Tries a database: it opens, answers, is ours and whole, and is not from a newer program."""

    def __init__(self, newest_backup: NewestBackup | None = None) -> None:
        self._newest_backup = newest_backup

    def check(self, url: str | None) -> None:
        from desktop_app.config import default_db_url

        engine = make_engine(url or default_db_url(), create_folder=url is None)
        try:
            refuse_newer_schema_at(engine, self._newest_backup)
        except DatabaseUnavailableError:
            raise
        except Exception as exc:
            raise DatabaseUnavailableError(describe_database_error(exc)) from exc
        finally:
            engine.dispose()
