"""Engines and sessions. SQLite gets foreign keys, WAL and a busy timeout on every connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.errors import DatabaseUnavailableError
from desktop_app.i18n import _

SQLITE_BUSY_TIMEOUT_MS = 5000


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or database in (None, "", ":memory:"):
        return None
    if parsed.query.get("uri") == "true" and database.startswith("file:"):
        database = database.removeprefix("file:")  # sqlite:///file:/path?mode=ro&uri=true
    return Path(database)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


def make_engine(url: str, *, create_folder: bool = False) -> Engine:
    """Args:
    url: any SQLAlchemy URL.
    create_folder: create the SQLite file's folder when missing (only for the default location:
        a path the user typed with a typo should be an error, not a new empty database).
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnavailableError(_("“{url}” is not a valid database address.").format(url=url)) from exc
    path = sqlite_file(url)
    if path is not None:
        if create_folder:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailableError(
                    _("Cannot create the folder {folder}: {reason}").format(folder=path.parent, reason=exc.strerror)
                ) from exc
        if not path.parent.is_dir():
            raise DatabaseUnavailableError(
                _("The folder {folder} does not exist, so the database cannot be opened.").format(folder=path.parent)
            )
        if path.is_dir():
            raise DatabaseUnavailableError(_("{path} is a folder, not a database file.").format(path=path))
    try:
        engine = create_engine(parsed, future=True)
    except Exception as exc:  # missing driver, bad options
        raise DatabaseUnavailableError(
            _("Cannot use the database {url}: {reason}").format(
                url=parsed.render_as_string(hide_password=True), reason=exc
            )
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: services map records to DTOs after commit without a second query.
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


class DatabaseProbe:
    """Tries a database: it opens, answers, and is not from a newer program (migrate.py)."""

    def check(self, url: str | None) -> None:
        from desktop_app.config import default_db_url
        from desktop_app.persistence.migrate import describe_database_error, refuse_newer_schema_at

        engine = make_engine(url or default_db_url(), create_folder=url is None)
        try:
            refuse_newer_schema_at(engine)
        except DatabaseUnavailableError:
            raise
        except Exception as exc:
            raise DatabaseUnavailableError(describe_database_error(exc)) from exc
        finally:
            engine.dispose()
