"""Is this database ours, and is it whole? Answered before anything writes to it.

A SQLite file is read through a read-only connection of its own, before the engine's first
connection turns on WAL (which rewrites the file's header): a file of another program, or a
damaged one, must be left byte for byte as it was. Only tables decide what is ours: our schema's
tables (tables.py), Alembic's `alembic_version` and SQLite's own `sqlite_…` tables. A database
with no table at all is new or empty, and is initialised.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from desktop_app.errors import DatabaseUnavailableError
from desktop_app.i18n import _

VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps
SQLITE_HEADER = b"SQLite format 3\x00"
_SQLITE_INTERNAL = "sqlite_"
# Result codes (primary, the low byte) that say the file itself is damaged or not a database.
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_BUSY_TIMEOUT_S = 5.0

NewestBackup = Callable[[], Path | None]


def our_tables() -> frozenset[str]:
    from desktop_app.persistence.tables import Base  # already imported by the repositories

    return frozenset(Base.metadata.tables) | {VERSION_TABLE}


def not_ours_message(where: object) -> str:
    return _("This file is not a makeR Soporte database: {path}. Nothing was changed.").format(path=where)


def damaged_message(path: object, newest_backup: NewestBackup | None) -> str:
    """What to do about a damaged database: the newest automatic backup, that there is none, or (when
    the caller does not know where this installation keeps them) a backup in general."""
    if newest_backup is None:
        return _("The database {path} is damaged; nothing was written to it. Restore it from a backup.").format(
            path=path
        )
    newest = newest_backup()
    if newest is None:
        return _(
            "The database {path} is damaged; nothing was written to it. There is no automatic backup to "
            "restore: restore a backup of your own, or ask the administrator."
        ).format(path=path)
    return _(
        "The database {path} is damaged; nothing was written to it. Restore the newest automatic backup: {backup}"
    ).format(path=path, backup=newest)


def not_ours_server_message(where: object) -> str:
    return _(
        "The database {url} holds tables of another program: it is not a makeR Soporte database. Nothing was changed."
    ).format(url=where)


def refuse_unless_ours(names: Iterable[str], where: object, *, server: bool = False) -> None:
    """Raise unless the tables are none at all (a new database) or ours with Alembic's version table.

    Raises:
        DatabaseUnavailableError: the database holds another program's tables.
    """
    tables = {name for name in names if not name.startswith(_SQLITE_INTERNAL)}
    if not tables:
        return
    if VERSION_TABLE not in tables or not tables <= our_tables():
        raise DatabaseUnavailableError(not_ours_server_message(where) if server else not_ours_message(where))


def read_only_uri(path: Path, *, immutable: bool) -> str:
    """A SQLite URI that never creates a file: the path quoted (`%`, `#`, `?` are URI syntax)."""
    uri = path.absolute().as_uri() + "?mode=ro"
    return uri + "&immutable=1" if immutable else uri


@contextmanager
def open_read_only(path: Path, *, immutable: bool | None = None) -> Iterator[sqlite3.Connection]:
    """A read-only connection that leaves nothing beside the file.

    Read-only SQLite still creates the -wal and -shm files of a WAL database that no one has open,
    and leaves them there. A file with no -wal or -journal beside it is whole in itself, so it is
    read as immutable (no locks, no files); one in use is read through its existing -wal/-shm.
    """
    if immutable is None:
        immutable = not any(path.with_name(path.name + suffix).exists() for suffix in ("-wal", "-journal"))
    with closing(sqlite3.connect(read_only_uri(path, immutable=immutable), uri=True, timeout=_BUSY_TIMEOUT_S)) as c:
        yield c


def is_damage(exc: sqlite3.Error) -> bool:
    """The error says the file is damaged (or not a database), not that it is busy or unreadable."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    reason = str(exc).lower()
    return "malformed" in reason or "not a database" in reason


def table_names(connection: sqlite3.Connection) -> list[str]:
    return [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]


def _inspect(path: Path, pragma: str) -> tuple[list[str], list[str]]:
    """(tables, problems) of the file; problems is empty when the check says ok."""
    with open_read_only(path) as connection:
        try:
            names = table_names(connection)
            problems = [str(row[0]) for row in connection.execute(pragma)]
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
            return [], [str(exc)]
    return names, [] if problems == ["ok"] else problems


def check_sqlite_file(path: Path, newest_backup: NewestBackup | None = None) -> None:
    """Refuse another program's SQLite file or a damaged one, before anything writes to it.

    A missing or empty file is a new database (SQLite initialises it). `PRAGMA quick_check` costs a
    few milliseconds on the demo database (about 3 ms for 720 KB), so it runs on every open.

    Raises:
        DatabaseUnavailableError: not ours, or damaged (naming the newest automatic backup).
    """
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError:
        return  # missing (a new database), or unreadable: SQLite's own open then says what is wrong
    if not header:
        return  # an empty file: initialised like a new one
    if header != SQLITE_HEADER:
        raise DatabaseUnavailableError(not_ours_message(path))
    problems: list[str] = []
    for _attempt in range(2):  # a second look: a writer may have started between two reads
        try:
            names, problems = _inspect(path, "PRAGMA quick_check")
        except sqlite3.Error:
            return  # busy or unreadable, not damaged: the engine's open then says what is wrong
        if not problems:
            refuse_unless_ours(names, path)
            return
    raise DatabaseUnavailableError(damaged_message(path, newest_backup), detail="\n".join(problems[:20]))


def full_check_sqlite(path: Path) -> list[str]:
    """Every problem `PRAGMA integrity_check` and `foreign_key_check` find (empty: the file is whole)."""
    if not path.is_file():
        return [_("{path} does not exist.").format(path=path)]
    try:
        names, problems = _inspect(path, "PRAGMA integrity_check")
    except sqlite3.Error as exc:
        return [str(exc)]
    if problems and not names:
        return problems  # not even its list of tables could be read
    try:
        with open_read_only(path) as connection:
            broken = connection.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.Error as exc:
        return [*problems, str(exc)]
    return problems + [
        _("Row {row} of {table} points to a missing row of {parent}.").format(row=row, table=table, parent=parent)
        for table, row, parent, _fk in broken
    ]
