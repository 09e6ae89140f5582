"""Backup and restore of the desk's database.

SQLite: the online backup API (a consistent copy while the app runs). PostgreSQL: pg_dump and
pg_restore in custom format. A backup never overwrites a file; a restore refuses anything that
is not a backup of this program, and first keeps a copy of what it replaces. A backup file is only
ever read as immutable (integrity.open_read_only): checking or restoring it leaves nothing beside it.
A restore that fails removes what it created, and one that cannot write is refused before it starts.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from desktop_app.errors import DatabaseUnavailableError, UserFacingError
from desktop_app.i18n import _
from desktop_app.persistence.db import make_engine, parse_url, sqlite_file
from desktop_app.persistence.integrity import (
    SQLITE_HEADER,
    VERSION_TABLE,
    full_check_sqlite,
    is_damage,
    open_read_only,
    our_tables,
    refuse_unless_ours,
    table_names,
)
from desktop_app.persistence.migrate import alembic_config, describe_database_error, head_revision, stored_revisions

PG_TOOLS_TIMEOUT_S = 3600


class BackupError(UserFacingError):
    pass


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The address and environment for pg_dump/pg_restore.

    They speak libpq URLs (postgresql://…, without SQLAlchemy's "+psycopg"). The password goes in
    the child's PGPASSWORD, never in the URL on its command line: any local user can read a
    process's arguments (ps, /proc/PID/cmdline), but not its environment.
    """
    parsed = make_url(url).set(drivername="postgresql")
    query = dict(parsed.query)
    password = parsed.password if parsed.password is not None else query.pop("password", None)
    query.pop("password", None)
    env = dict(os.environ)
    if password is not None:
        env["PGPASSWORD"] = password if isinstance(password, str) else str(password[-1])
    # URL.set() ignores None, so the address is rebuilt without the password.
    bare = URL.create("postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database, query)
    address = bare.render_as_string(hide_password=False)
    return address, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
            return str(candidate)
        raise BackupError(_("{tool} is not installed; install the PostgreSQL client tools.").format(tool=name))
    return found


def _refuse_existing(out: Path) -> None:
    if out.exists():
        raise BackupError(
            _("{path} already exists; choose another name (a backup never overwrites a file).").format(path=out)
        )
    if not out.parent.is_dir():
        raise BackupError(_("The folder {folder} does not exist.").format(folder=out.parent))


def _sqlite_copy(source: Path, destination: Path, *, from_backup: bool = False) -> None:
    """The online backup API: a consistent copy, even while others write (WAL).

    A backup file (from_backup) is read as immutable, so no -wal/-shm appears beside it.
    """
    opened = open_read_only(source, immutable=True) if from_backup else closing(sqlite3.connect(source))
    with opened as src, closing(sqlite3.connect(destination)) as dst:
        src.backup(dst)


def _publish(temp: Path, out: Path) -> None:
    """Give the finished file its name without ever replacing an existing file."""
    try:
        os.link(temp, out)  # atomic, and fails if `out` appeared meanwhile
    except FileExistsError:
        raise
    except OSError:
        if out.exists():  # a file system without hard links: check, then rename
            raise FileExistsError(out) from None
        os.rename(temp, out)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def backup_database(url: str, out: Path) -> Path:
    """Write a backup of the database at `url` to `out` (which must not exist)."""
    _refuse_existing(out)
    temp = Path(tempfile.mkstemp(dir=out.parent, prefix=".backup-", suffix=".part")[1])
    try:
        source = sqlite_file(url)
        if source is not None:
            _sqlite_copy(source, temp)
        else:
            address, env = _libpq(url)
            subprocess.run(
                [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={temp}", address],
                env=env,
                check=True,
                capture_output=True,
                text=True,
                timeout=PG_TOOLS_TIMEOUT_S,
            )
        _publish(temp, out)
    except subprocess.CalledProcessError as exc:
        raise BackupError(_("The backup failed: {reason}").format(reason=exc.stderr.strip()[-500:])) from exc
    except OSError as exc:
        raise BackupError(_("The backup could not be written: {reason}").format(reason=exc.strerror)) from exc
    except sqlite3.Error as exc:  # a damaged database cannot be copied page by page
        raise BackupError(_("The backup failed: {reason}").format(reason=exc)) from exc
    finally:
        temp.unlink(missing_ok=True)
    return out


def check_backup(path: Path, *, postgres: bool) -> None:
    """Raise BackupError unless `path` is a backup this program can restore."""
    if not path.is_file():
        raise BackupError(_("{path} is not a file.").format(path=path))
    if postgres:
        result = subprocess.run(
            [_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, timeout=PG_TOOLS_TIMEOUT_S
        )
        if result.returncode != 0 or "alembic_version" not in result.stdout:
            raise BackupError(_("{path} is not a makeR Soporte backup of a team database.").format(path=path))
        return
    # The path goes into a file: URI quoted (a "#" or "%" in the name is URI syntax) and the file
    # is read as immutable: the check never creates a file, neither a stray "copia" nor a -wal/-shm.
    try:
        with open_read_only(path, immutable=True) as connection:
            if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(_("{path} is damaged; it cannot be restored.").format(path=path))
            names = table_names(connection)
            refuse_unless_ours(names, path)
            revisions = {row[0] for row in connection.execute(f"SELECT version_num FROM {VERSION_TABLE}")}
    except (sqlite3.DatabaseError, DatabaseUnavailableError) as exc:
        raise BackupError(_("{path} is not a makeR Soporte backup.").format(path=path)) from exc
    if not revisions or not revisions <= _known_revisions():
        raise BackupError(_("{path} is not a backup of this version of makeR Soporte.").format(path=path))


def _companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _refuse_unwritable(url: str, target: Path) -> None:
    """Refuse, before anything is made, a restore that could not write the database or its folder."""
    read_only_address = parse_url(url).query.get("mode") == "ro"
    if read_only_address or (target.exists() and not os.access(target, os.W_OK)):
        raise BackupError(
            _("The database {path} is read-only, so the backup cannot replace it. Nothing was changed.").format(
                path=target
            )
        )
    if not os.access(target.parent, os.W_OK):
        raise BackupError(
            _(
                "The folder {folder} is read-only: the restore cannot keep a copy of the database there. "
                "Nothing was changed."
            ).format(folder=target.parent)
        )


def _restore_failed(reason: object) -> BackupError:
    return BackupError(_("The restore failed and nothing was changed: {reason}").format(reason=reason))


def _foreign_target(target: Path) -> BackupError:
    return BackupError(_("{path} is not a makeR Soporte database; a restore does not replace it.").format(path=target))


def _refuse_foreign_target(target: Path) -> None:
    """The database to replace must be ours, new or empty; a damaged one of ours may be replaced."""
    try:
        with target.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _restore_failed(exc.strerror) from exc
    if header and header != SQLITE_HEADER:
        raise _foreign_target(target)
    try:
        with open_read_only(target) as connection:
            names = table_names(connection)
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            return  # damaged: replacing it with the backup is the point
        raise _restore_failed(exc) from exc
    try:
        refuse_unless_ours(names, target)
    except DatabaseUnavailableError as exc:
        raise _foreign_target(target) from exc


def _keep_damaged(target: Path, kept: Path) -> None:
    """A damaged database cannot go through the backup API: its bytes are kept as they are."""
    shutil.copyfile(target, kept)
    os.chmod(kept, 0o600)
    wal = target.with_name(target.name + "-wal")
    if wal.is_file():
        shutil.copyfile(wal, kept.with_name(kept.name + "-wal"))
        os.chmod(kept.with_name(kept.name + "-wal"), 0o600)


def _remove_new(paths: tuple[Path, ...], existed: set[Path]) -> None:
    for path in paths:
        if path not in existed:
            path.unlink(missing_ok=True)


def _remove_idle_companions(database: Path, existed: set[Path]) -> None:
    """The -wal and -shm this restore left beside `database` (a read-only open leaves them).

    Only an empty -wal goes (one with frames holds committed data), then a -shm with no -wal; never
    a -journal (a hot journal is what makes the file whole again) nor anything that was there before.
    """
    wal, shm, _journal = _companions(database)
    if wal not in existed and wal.is_file() and wal.stat().st_size == 0:
        wal.unlink(missing_ok=True)
    if shm not in existed and not wal.exists():
        shm.unlink(missing_ok=True)


def _restore_sqlite(url: str, target: Path, backup: Path, kept: Path) -> None:
    _refuse_unwritable(url, target)
    _refuse_foreign_target(target)
    existed = {path for path in (kept, *_companions(kept), *_companions(target)) if path.exists()}
    try:
        try:
            backup_database(url, kept)
        except BackupError as exc:
            cause = exc.__cause__
            if not (isinstance(cause, sqlite3.DatabaseError) and is_damage(cause)):
                raise
            _keep_damaged(target, kept)
        _sqlite_copy(backup, target, from_backup=True)
    except (sqlite3.Error, OSError) as exc:
        _remove_new((kept, *_companions(kept)), existed)
        _remove_idle_companions(target, existed)
        raise _restore_failed(exc.strerror if isinstance(exc, OSError) and exc.strerror else exc) from exc
    except BaseException:
        _remove_new((kept, *_companions(kept)), existed)
        _remove_idle_companions(target, existed)
        raise
    # The kept copy is closed and no one else has it open: no -wal/-shm of its own belongs beside it.
    _remove_idle_companions(kept, existed)


def check_restore_target(url: str) -> None:
    """Refuse, reading only, a restore whose database could not be replaced (SQLite: read-only file,
    folder or address, or another program's file); a server's rights are pg_restore's to check.

    For the command line to call before anything opens the database: an engine's read-only
    connection to a WAL database leaves -wal/-shm files behind.
    """
    target = sqlite_file(url)
    if target is not None:
        _refuse_unwritable(url, target)
        _refuse_foreign_target(target)


def restore_database(url: str, backup: Path, now: datetime) -> Path:
    """Replace the database at `url` with `backup`. Returns where the replaced data was kept.

    SQLite: refused before anything is made when the database or its folder cannot be written or
    the file is another program's; a damaged database of ours can be replaced (its bytes are kept).
    """
    target = sqlite_file(url)
    check_backup(backup, postgres=target is None)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    if target is not None:
        kept = target.with_name(f"{target.stem}.before-restore-{stamp}{target.suffix}")
        _restore_sqlite(url, target, backup, kept)
        return kept
    kept = Path(tempfile.mkdtemp(prefix="makersupport-restore-")) / f"before-restore-{stamp}.dump"
    backup_database(url, kept)
    address, env = _libpq(url)
    try:
        subprocess.run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={address}",
                str(backup),
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=PG_TOOLS_TIMEOUT_S,
        )
    except subprocess.CalledProcessError as exc:
        raise BackupError(
            _("The restore failed and nothing was changed: {reason}").format(reason=exc.stderr.strip()[-500:])
        ) from exc
    return kept


def _schema_problems(names: set[str], revisions: tuple[str, ...]) -> list[str]:
    """What is missing, foreign or out of date in the schema (empty: the schema is this program's)."""
    problems = [
        _("Table {table} is not one of makeR Soporte's.").format(table=name)
        for name in sorted(names - our_tables())
        if not name.startswith("sqlite_")
    ]
    problems += [_("Table {table} is missing.").format(table=name) for name in sorted(our_tables() - names)]
    head = head_revision()
    if VERSION_TABLE in names and revisions != (head,):
        problems.append(
            _("The schema is at revision {found}; this version of the program expects {head}.").format(
                found=", ".join(revisions) or "—", head=head
            )
        )
    return problems


def check_database(url: str) -> list[str]:
    """A full check of the database at `url`: every problem found, as lines (empty: all is well).

    SQLite: `PRAGMA integrity_check` and `foreign_key_check` on a read-only connection (nothing is
    written, not even a -wal), then the schema. PostgreSQL: the schema, then every table of ours
    read to the end (the server checks each page it reads).
    """
    path = sqlite_file(url)
    if path is not None:
        problems = full_check_sqlite(path)
        if problems:
            return problems
        try:
            with open_read_only(path) as connection:
                names = set(table_names(connection))
                revisions: tuple[str, ...] = ()
                if VERSION_TABLE in names:
                    revisions = tuple(row[0] for row in connection.execute(f"SELECT version_num FROM {VERSION_TABLE}"))
        except sqlite3.Error as exc:
            return [str(exc)]
        return _schema_problems(names, revisions)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            names = set(inspect(connection).get_table_names())
            problems = _schema_problems(names, stored_revisions(connection) or ())
            for table in sorted(our_tables() & names):
                try:
                    connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                except DBAPIError as exc:
                    connection.rollback()
                    problems.append(_("Table {table} cannot be read: {reason}").format(table=table, reason=exc.orig))
            return problems
    except DBAPIError as exc:
        return [describe_database_error(exc)]
    finally:
        engine.dispose()


class DatabaseBackups:
    """The services' backup port for one database."""

    def __init__(self, url: str) -> None:
        self._url = url

    @property
    def embedded(self) -> bool:
        return sqlite_file(self._url) is not None

    def backup(self, out: Path) -> Path:
        return backup_database(self._url, out)

    def restore(self, backup: Path, now: datetime) -> Path:
        return restore_database(self._url, backup, now)

    def check(self) -> list[str]:
        return check_database(self._url)

    def check_restore_target(self) -> None:
        check_restore_target(self._url)
