"""Named locks shared by every process on one database (the `JobLock` port), so a periodic job
runs in one place at a time: a `makersupport worker` and any number of open windows.

PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of its own,
keyed by a stable 64-bit hash of the job's name. SQLite: an OS lock (fcntl on POSIX, msvcrt on
Windows) on a small file beside the database. Either way the operating system or the server
frees the lock when its holder dies, so a crashed worker never leaves a job locked.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from desktop_app.errors import UserFacingError
from desktop_app.i18n import _
from desktop_app.persistence.db import sqlite_file
from desktop_app.services.ports import JobLock

_KEY_PREFIX = b"makersupport.job:"


def advisory_key(name: str) -> int:
    """The job's PostgreSQL advisory lock key: the same signed 64-bit number in every process
    (Python's hash() changes per process, so a digest is used)."""
    digest = hashlib.blake2b(_KEY_PREFIX + name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class PostgresJobLock:
    """Session-level advisory locks, each on a connection of its own held for the job's length.

    The connection runs in autocommit, so a long job never leaves an open transaction behind;
    the job's own work goes through its own units of work.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def hold(self, name: str) -> Iterator[bool]:
        key = advisory_key(name)
        with self._engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            held = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
            try:
                yield held
            finally:
                if held:
                    # Unlocked before the connection goes back to the pool, where it stays open.
                    # A connection lost meanwhile took its session's lock with it: nothing to undo.
                    with contextlib.suppress(DBAPIError):
                        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


def lock_file_path(database: Path, name: str) -> Path:
    """The lock file of job `name` beside the database file."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    return database.with_name(f"{database.name}.{safe}.lock")


class FileJobLock:
    """An exclusive, non-blocking OS lock on a file beside the SQLite database.

    Every process and every open file handle competes for it, so two threads of one process
    (two engines on the same file) exclude each other too. The file stays; only its lock comes
    and goes (deleting it would let two holders lock two different files).
    """

    def __init__(self, database: Path) -> None:
        self._database = database

    @contextmanager
    def hold(self, name: str) -> Iterator[bool]:
        path = lock_file_path(self._database, name)
        try:
            handle = open(path, "a+b")  # noqa: SIM115 - closed below, after the lock is freed
        except OSError as exc:
            raise UserFacingError(
                _("Cannot create the lock file {path}: {reason}").format(path=path, reason=exc.strerror)
            ) from exc
        try:
            held = _try_lock(handle)
            try:
                yield held
            finally:
                if held:
                    _unlock(handle)
        finally:
            handle.close()


if sys.platform == "win32":
    import msvcrt

    def _try_lock(handle: IO[bytes]) -> bool:
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # one byte is enough: all holders lock byte 0
        except OSError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class LocalJobLock:
    """Locks for one process only: for a database no other process can open (in-memory SQLite)."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, name: str) -> Iterator[bool]:
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        held = lock.acquire(blocking=False)
        try:
            yield held
        finally:
            if held:
                lock.release()


def job_lock_for(engine: Engine, db_url: str) -> JobLock:
    """The lock that spans every process able to open this database."""
    if engine.dialect.name == "postgresql":
        return PostgresJobLock(engine)
    database = sqlite_file(db_url)
    if database is not None:
        return FileJobLock(database)
    return LocalJobLock()  # in-memory SQLite: no other process can see this database
