"""Engines and sessions. SQLite gets foreign keys, WAL and a busy timeout on every connection."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.config import PRIVATE_FILE_MODE, make_private_folder
from desktop_app.errors import DatabaseUnavailableError
from desktop_app.i18n import _
from desktop_app.persistence.field import change_log

SQLITE_BUSY_TIMEOUT_MS = 5000


_QUERY_PASSWORD = re.compile(r"(?i)(?P<head>[?&]password=)[^&]*")


def redact_url(text: str) -> str:
    """`text` (a database address, maybe malformed) with its password replaced by ***.

    For addresses SQLAlchemy could not parse, so `hide_password` is not available. Everything
    between the user name's ":" and the last "@" goes: a password may itself hold "@", "/" or
    "?", and dropping too much is harmless in a message. A `password=` query option goes too.
    """
    scheme_end = text.find("://")
    start = scheme_end + 3 if scheme_end >= 0 else 0
    at = text.rfind("@")
    if at > start:
        colon = text.find(":", start, at)
        if colon >= 0:
            text = text[: colon + 1] + "***" + text[at:]
    return _QUERY_PASSWORD.sub(r"\g<head>***", text)


def parse_url(url: str) -> URL:
    """The parsed address, or a DatabaseUnavailableError whose message never shows the password."""
    if not url.startswith("sqlite") and url.partition("?")[0].count("@") > 1:
        # postgresql://u:p@ss@host/db would be read as host "ss@host" (or worse, part of the
        # password as a host name that then shows in the server's error message).
        raise DatabaseUnavailableError(
            _("“{url}” is not a valid database address: write an “@” inside a password as %40.").format(
                url=redact_url(url)
            )
        )
    try:
        return make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise DatabaseUnavailableError(
            _("“{url}” is not a valid database address.").format(url=redact_url(url))
        ) from None


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = parse_url(url)
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


def _private_sqlite_file(path: Path) -> Callable[..., None]:
    """A do_connect hook: SQLite would create a missing file with the umask's mode (often 644,
    readable by every local user); create it empty with mode 600 first. SQLite gives its -wal and
    -shm files the database file's mode, so they are private too. A file an older version made
    readable by others is narrowed to its owner (when it is ours to change)."""

    def create(*_args: Any) -> None:
        # It exists (FileExistsError), or SQLite's own open then says what is wrong.
        with contextlib.suppress(OSError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE))
        if os.name == "nt":
            return  # Windows has no group/other bits; the user's profile folder is private
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            with contextlib.suppress(OSError):  # missing, or another user's file: left as it is
                mode = stat.S_IMODE(file.stat().st_mode)
                if mode & 0o077:
                    os.chmod(file, mode & ~0o077)

    return create


def make_engine(url: str, *, create_folder: bool = False) -> Engine:
    """Args:
    url: any SQLAlchemy URL.
    create_folder: create the SQLite file's folder when missing (only for the default location:
        a path the user typed with a typo should be an error, not a new empty database).
    """
    parsed = parse_url(url)
    path = sqlite_file(url)
    if path is not None:
        if create_folder:
            try:
                make_private_folder(path.parent)
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
                url=redact_url(parsed.render_as_string(hide_password=True)), reason=exc
            )
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
        if path is not None and parsed.query.get("mode") not in ("ro", "rw"):  # those never create
            event.listen(engine, "do_connect", _private_sqlite_file(path))
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: services map records to DTOs after commit without a second query.
    factory = sessionmaker(bind=engine, expire_on_commit=False, future=True)
    change_log.track(factory)  # what each commit touched, numbered, for the field copies (issue 16)
    return factory


def without_password(url: str) -> str:
    """The address as a field copy remembers it: everything but the password."""
    return parse_url(url).set(password=None).render_as_string(hide_password=False)


def with_password(url: str, password: str | None) -> str:
    """The address with `password` (the keyring's, or typed); unchanged without one."""
    if not password:
        return url
    return parse_url(url).set(password=password).render_as_string(hide_password=False)


def keyring_name(url: str) -> str:
    """The name a server's password is kept under in the OS keyring (as desktop_app.connection does)."""
    parsed = parse_url(url)
    return f"{parsed.username}@{parsed.host}:{parsed.port or 5432}"


def with_connect_timeout(url: str, seconds: int) -> str:
    """A PostgreSQL address that gives up connecting after `seconds` (a field laptop on a dead
    network should hear "offline" at once, not after the system's two-minute TCP timeout)."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "postgresql" or "connect_timeout" in parsed.query:
        return url
    return parsed.update_query_dict({"connect_timeout": str(seconds)}).render_as_string(hide_password=False)
