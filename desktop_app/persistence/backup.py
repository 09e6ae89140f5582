"""Backup and restore of the desk's database.

SQLite: the online backup API (a consistent copy while the app runs). PostgreSQL: pg_dump and
pg_restore in custom format. A backup never overwrites a file; a restore refuses anything that
is not a backup of this program, and first keeps a copy of what it replaces.
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

from sqlalchemy.engine import URL, make_url

from desktop_app.errors import UserFacingError
from desktop_app.i18n import _
from desktop_app.persistence.db import sqlite_file
from desktop_app.persistence.migrate import alembic_config

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


def _sqlite_copy(source: Path, destination: Path) -> None:
    """The online backup API: a consistent copy, even while others write (WAL)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(destination)) as dst:
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
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(_("{path} is damaged; it cannot be restored.").format(path=path))
            revisions = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(_("{path} is not a makeR Soporte backup.").format(path=path)) from exc
    if not revisions or not revisions <= _known_revisions():
        raise BackupError(_("{path} is not a backup of this version of makeR Soporte.").format(path=path))


def restore_database(url: str, backup: Path, now: datetime) -> Path:
    """Replace the database at `url` with `backup`. Returns where the replaced data was kept."""
    target = sqlite_file(url)
    check_backup(backup, postgres=target is None)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    if target is not None:
        kept = target.with_name(f"{target.stem}.before-restore-{stamp}{target.suffix}")
        backup_database(url, kept)
        _sqlite_copy(backup, target)
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
