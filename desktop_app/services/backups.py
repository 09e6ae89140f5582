"""Backups: on demand (administrator), and automatically once a day for the embedded database;
and the full check of the database (`makersupport db check`)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.errors import PermissionDeniedError
from desktop_app.files import check_target
from desktop_app.i18n import _
from desktop_app.services.ports import Clock, UnitOfWorkFactory

AUTOMATIC_EVERY = timedelta(hours=24)
AUTOMATIC_KEEP = 7
_PREFIX = "makersupport-auto-"
_STAMP = "%Y%m%d-%H%M%S"


class DatabaseBackup(Protocol):
    @property
    def embedded(self) -> bool: ...

    def backup(self, out: Path) -> Path: ...

    def restore(self, backup: Path, now: datetime) -> Path: ...

    def check(self) -> list[str]:
        """Every problem a full check finds, one line each (empty: all is well). Writes nothing."""
        ...

    def check_restore_target(self) -> None:
        """Raise a UserFacingError when a restore could not replace the database. Writes nothing."""
        ...


@dataclass(frozen=True)
class DatabaseCheck:
    """The result of a full check: ok, or the problems found (one line each, as the database says them)."""

    ok: bool
    problems: tuple[str, ...]


class BackupService:
    def __init__(
        self, backups: DatabaseBackup, folder: Path, clock: Clock, uow_factory: UnitOfWorkFactory | None = None
    ) -> None:
        self._backups = backups
        self._folder = folder
        self._clock = clock
        self._uow_factory = uow_factory  # where backups and restores made by a person are audited

    def _audit(self, actor: Actor, action: str, changes: dict[str, tuple[str, str]]) -> None:
        if self._uow_factory is None:
            return
        with self._uow_factory() as uow:
            uow.audit.record(AuditEntry(self._clock.now(), actor.user_id, "database", "", action, changes))
            uow.commit()

    def backup_now(self, actor: Actor, out: Path) -> Path:
        if not allows(actor, Permission.BACKUP):
            raise PermissionDeniedError(_("Only an administrator can make or restore backups."))
        # A name too long or a folder not writable, said before the copy starts (the backup itself
        # refuses an existing file, with its own wording).
        check_target(out, replace=True)
        made = self._backups.backup(out)
        self._audit(actor, "backup", {"file": ("", str(made))})
        return made

    def restore(self, actor: Actor, backup: Path) -> Path:
        if not allows(actor, Permission.BACKUP):
            raise PermissionDeniedError(_("Only an administrator can make or restore backups."))
        kept = self._backups.restore(backup, self._clock.now())
        # Recorded in the restored database, so it says who brought it back and from which file. The
        # restore itself is done by now; a backup too old to hold the audit log only misses that line.
        with contextlib.suppress(Exception):  # any database error: the finished restore is not a failure
            self._audit(actor, "restore", {"file": ("", str(backup)), "kept": ("", str(kept))})
        return kept

    def check_restore_target(self) -> None:
        """Refuse up front a restore that could not replace the database (read-only file, folder or
        address; another program's file), before the database is opened for anything else.

        Raises:
            BackupError (a UserFacingError): with the reason; nothing was made or changed.
        """
        self._backups.check_restore_target()

    def automatic(self) -> list[Path]:
        """The automatic backups, newest first."""
        if not self._folder.is_dir():
            return []
        return sorted(self._folder.glob(f"{_PREFIX}*.sqlite3"), reverse=True)

    def newest_automatic(self) -> Path | None:
        """The automatic backup to restore when the database is damaged (None: there is none)."""
        try:
            return next(iter(self.automatic()), None)
        except OSError:  # the folder cannot be read: say there is none rather than fail the message
            return None

    def check_database(self) -> DatabaseCheck:
        """A full check of the database, for `makersupport db check`; nothing is written.

        SQLite: `PRAGMA integrity_check` and `foreign_key_check`, then the schema (our tables, at this
        program's revision). PostgreSQL: the schema, then every table read to the end. No sign-in:
        it only reads.
        """
        problems = tuple(self._backups.check())
        return DatabaseCheck(ok=not problems, problems=problems)

    @staticmethod
    def _made_at(path: Path, now: datetime) -> datetime:
        """When an automatic backup was made, from its name (written in the desk's clock)."""
        stamp = path.stem.removeprefix(_PREFIX)
        try:
            return datetime.strptime(stamp, _STAMP).replace(tzinfo=now.tzinfo)
        except ValueError:
            return datetime.fromtimestamp(path.stat().st_mtime, now.tzinfo)

    def run_if_due(self) -> Path | None:
        """Back up the embedded database when the last automatic backup is a day old; keep a week."""
        if not self._backups.embedded:
            return None  # a team server is backed up by its own schedule (pg_dump), not by each laptop
        now = self._clock.now()
        existing = self.automatic()
        if existing and now - self._made_at(existing[0], now) < AUTOMATIC_EVERY:
            return None
        self._folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # copies of the password hashes
        made = self._backups.backup(self._folder / f"{_PREFIX}{now.strftime(_STAMP)}.sqlite3")
        for old in self.automatic()[AUTOMATIC_KEEP:]:
            old.unlink(missing_ok=True)
        return made
