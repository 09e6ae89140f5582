"""Attachments' bytes in the shared database (issue 16), so every workstation and field laptop of
a team reads the same files.

`DatabaseBlobStore` keeps a file's bytes in `attachment_blobs` / `attachment_chunks` (migration
0014), cut into chunks of a fixed size (1 MiB). Each chunk is written in a short transaction of
its own and never changed afterwards (a second write of the same chunk is ignored), so an upload
cut half-way (the network, the connection killed) resumes with the chunks that did not arrive.
`finish` reads the chunks back and marks the blob complete only when they make up exactly the
file its SHA-256 names; only complete blobs are ever read. The chunks of a blob are all of the
store's chunk size: a store with another size that meets a half-uploaded blob finds a mismatch at
`finish`, which deletes the chunks, and `upload` sends the file once more.

`SharedAttachmentStore` is the AttachmentStore port on a team database: the local
content-addressed folder is a cache in front of the database's copy (see its docstring for what
happens when the database cannot be reached).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.errors import DatabaseUnavailableError, UserFacingError
from desktop_app.i18n import _
from desktop_app.persistence.attachment_store import FileAttachmentStore
from desktop_app.persistence.migrate import describe_database_error
from desktop_app.persistence.tables import (
    AttachmentBlobRecord,
    AttachmentChunkRecord,
    AttachmentRecord,
    MailInboxRecord,
    MailOutboxRecord,
)

log = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 1 << 20  # 1 MiB: a few hundred ms on a slow field connection, so a cut loses little

Progress = Callable[[int, int], None]
"""progress(done, total): bytes of the file in the database so far, and the file's size."""


class BlobMismatchError(UserFacingError):
    """The chunks in the database do not make up the file their SHA-256 names; they were deleted."""


class IncompleteBlobError(UserFacingError):
    """`finish` was asked of a blob whose chunks have not all arrived (nothing was deleted)."""


def _reach(exc: DBAPIError) -> DatabaseUnavailableError:
    return DatabaseUnavailableError(describe_database_error(exc), detail=str(exc))


class DatabaseBlobStore:
    """Attachments' bytes in the database, in chunks. Every method opens its own short sessions.

    Args:
        session_factory: sessions on the shared database.
        chunk_size: bytes per chunk (the same for every client of a database; tests use small ones).

    Every method raises DatabaseUnavailableError (with a message for the user) when the database
    cannot be reached or refuses the write.
    """

    def __init__(self, session_factory: sessionmaker[Session], *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        self._session_factory = session_factory
        self.chunk_size = chunk_size

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        try:
            with self._session_factory() as session, session.begin():
                yield session
        except DBAPIError as exc:
            raise _reach(exc) from exc

    def chunk_count(self, size: int) -> int:
        """How many chunks a file of `size` bytes is cut into (0 for an empty file)."""
        return -(-size // self.chunk_size)

    def _chunk_length(self, size: int, number: int) -> int:
        return min(self.chunk_size, size - number * self.chunk_size)

    # -- reading -------------------------------------------------------------------------------

    def is_complete(self, sha256: str) -> bool:
        """The whole file is in the database, checked against its SHA-256."""
        with self._transaction() as session:
            return bool(
                session.scalar(select(AttachmentBlobRecord.complete).where(AttachmentBlobRecord.sha256 == sha256))
            )

    def missing_chunks(self, sha256: str, size: int) -> list[int]:
        """The numbers of the chunks still to send of a file of `size` bytes, in order."""
        with self._transaction() as session:
            present = set(
                session.scalars(
                    select(AttachmentChunkRecord.number).where(
                        AttachmentChunkRecord.sha256 == sha256,
                        AttachmentChunkRecord.number < self.chunk_count(size),
                    )
                )
            )
        return [number for number in range(self.chunk_count(size)) if number not in present]

    def read_into(self, sha256: str, target: IO[bytes]) -> bool:
        """Write a complete blob's bytes to `target`, a chunk at a time, checking its SHA-256.

        Returns:
            False when the database has no complete copy (nothing was written).

        Raises:
            BlobMismatchError: the stored chunks no longer make up the file (someone changed them):
                they are deleted and the blob is marked incomplete, so a workstation that has the
                file can send it again; what was written to `target` must be thrown away.
        """
        with self._transaction() as session:
            size = session.scalar(
                select(AttachmentBlobRecord.size).where(
                    AttachmentBlobRecord.sha256 == sha256, AttachmentBlobRecord.complete.is_(True)
                )
            )
            if size is None:
                return False
            # One chunk per query: a large file never sits in memory whole.
            digest, length = hashlib.sha256(), 0
            for number in range(self.chunk_count(size)):
                data = session.scalar(
                    select(AttachmentChunkRecord.data).where(
                        AttachmentChunkRecord.sha256 == sha256, AttachmentChunkRecord.number == number
                    )
                )
                if data is None:
                    break
                data = bytes(data)
                digest.update(data)
                length += len(data)
                target.write(data)
        if length != size or digest.hexdigest() != sha256:
            self._discard(sha256)
            log.error("attachment %s: the database's copy is damaged; its chunks were deleted", sha256)
            raise BlobMismatchError(
                _(
                    "The team database's copy of the file {sha} was damaged and has been deleted; "
                    "it must be sent again from a computer that has the file (makersupport attachments upload)."
                ).format(sha=sha256[:12])
            )
        return True

    def read(self, sha256: str) -> bytes | None:
        """A complete blob's bytes (checked against its SHA-256), or None when there is none.

        Raises:
            BlobMismatchError: as read_into.
        """
        buffer = io.BytesIO()
        return buffer.getvalue() if self.read_into(sha256, buffer) else None

    def missing_referenced(self) -> list[str]:
        """The files tickets' attachments and stored mails name that the database has no complete copy of."""
        complete = select(AttachmentBlobRecord.sha256).where(AttachmentBlobRecord.complete.is_(True))
        wanted = (
            select(AttachmentRecord.sha256.label("sha256"))
            .union(select(MailOutboxRecord.raw_sha256), select(MailInboxRecord.raw_sha256))
            .subquery()
        )
        with self._transaction() as session:
            return sorted(
                session.scalars(select(wanted.c.sha256).where(wanted.c.sha256 != "", wanted.c.sha256.not_in(complete)))
            )

    # -- writing -------------------------------------------------------------------------------

    def _insert_ignoring_duplicates(self, session: Session, table: Any, values: dict[str, object]) -> None:
        # The dialects' INSERT … ON CONFLICT DO NOTHING, imported here: a SQLite desk never loads
        # the PostgreSQL dialect (tests/integration/test_startup_imports.py).
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            session.execute(pg_insert(table).values(values).on_conflict_do_nothing())
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            session.execute(sqlite_insert(table).values(values).on_conflict_do_nothing())
        else:  # pragma: no cover - the desk runs on SQLite and PostgreSQL only
            keys = [column for column in table.primary_key.columns]
            exists = select(func.count()).select_from(table).where(*(c == values[c.name] for c in keys))
            if not session.scalar(exists):
                session.execute(insert(table).values(values))

    def _start(self, session: Session, sha256: str, size: int) -> None:
        """The blob's row, made when missing. A half-sent blob recorded with another size (only a
        wrong client can say so) starts again with this one; a complete one proves the caller wrong."""
        self._insert_ignoring_duplicates(
            session,
            AttachmentBlobRecord.__table__,
            {"sha256": sha256, "size": size, "complete": False, "added_at": datetime.now(UTC)},
        )
        row = session.execute(
            select(AttachmentBlobRecord.size, AttachmentBlobRecord.complete).where(
                AttachmentBlobRecord.sha256 == sha256
            )
        ).one()
        if row.size == size:
            return
        if row.complete:
            raise ValueError(f"{sha256} is stored complete with {row.size} bytes, not {size}")
        session.execute(delete(AttachmentChunkRecord).where(AttachmentChunkRecord.sha256 == sha256))
        session.execute(update(AttachmentBlobRecord).where(AttachmentBlobRecord.sha256 == sha256).values(size=size))

    def start(self, sha256: str, size: int) -> None:
        """Record that a file of `size` bytes is being sent (put_chunk does it too). Idempotent."""
        with self._transaction() as session:
            self._start(session, sha256, size)

    def _begin_upload(self, sha256: str, size: int) -> list[int] | None:
        """None when the blob is complete; otherwise its row (made when missing) and the chunks it
        lacks. One transaction: a file the database already has costs one query."""
        with self._transaction() as session:
            row = session.execute(
                select(AttachmentBlobRecord.size, AttachmentBlobRecord.complete).where(
                    AttachmentBlobRecord.sha256 == sha256
                )
            ).one_or_none()
            if row is not None and row.complete:
                return None
            if row is None or row.size != size:
                self._start(session, sha256, size)
            present = set(
                session.scalars(
                    select(AttachmentChunkRecord.number).where(
                        AttachmentChunkRecord.sha256 == sha256,
                        AttachmentChunkRecord.number < self.chunk_count(size),
                    )
                )
            )
        return [number for number in range(self.chunk_count(size)) if number not in present]

    def put_chunk(self, sha256: str, size: int, number: int, data: bytes) -> None:
        """Store chunk `number` of the file `sha256` of `size` bytes, in a transaction of its own.

        Idempotent: a chunk already there is left as it is. The blob's row is made when missing.

        Raises:
            ValueError: `number` or the length of `data` does not fit a file of `size` bytes.
        """
        if not 0 <= number < self.chunk_count(size) or len(data) != self._chunk_length(size, number):
            raise ValueError(f"chunk {number} of {len(data)} bytes does not fit a file of {size} bytes")
        with self._transaction() as session:
            self._start(session, sha256, size)
            self._insert_ignoring_duplicates(
                session, AttachmentChunkRecord.__table__, {"sha256": sha256, "number": number, "data": bytes(data)}
            )

    def finish(self, sha256: str) -> None:
        """Read the chunks back and mark the blob complete if they make up exactly its file.

        Raises:
            IncompleteBlobError: no such blob, or chunks still missing (nothing deleted: send them).
            BlobMismatchError: the chunks do not make up the file (wrong length or SHA-256): they
                were deleted, so the next upload sends the whole file again.
        """
        with self._transaction() as session:
            blob = session.execute(
                select(AttachmentBlobRecord.size, AttachmentBlobRecord.complete).where(
                    AttachmentBlobRecord.sha256 == sha256
                )
            ).one_or_none()
            if blob is None:
                raise IncompleteBlobError(_("No part of the file {sha} has been sent.").format(sha=sha256[:12]))
            if blob.complete:
                return
            count = self.chunk_count(blob.size)
            digest, length = hashlib.sha256(), 0
            for number in range(count):  # one chunk per query: a large file never sits in memory whole
                data = session.scalar(
                    select(AttachmentChunkRecord.data).where(
                        AttachmentChunkRecord.sha256 == sha256, AttachmentChunkRecord.number == number
                    )
                )
                if data is None:
                    present = session.scalar(
                        select(func.count()).where(
                            AttachmentChunkRecord.sha256 == sha256, AttachmentChunkRecord.number < count
                        )
                    )
                    raise IncompleteBlobError(
                        _("{missing} of the {count} parts of the file {sha} have not arrived yet.").format(
                            missing=count - (present or 0), count=count, sha=sha256[:12]
                        )
                    )
                digest.update(data)
                length += len(data)
            if length == blob.size and digest.hexdigest() == sha256:
                session.execute(
                    delete(AttachmentChunkRecord).where(
                        AttachmentChunkRecord.sha256 == sha256, AttachmentChunkRecord.number >= count
                    )
                )
                session.execute(
                    update(AttachmentBlobRecord).where(AttachmentBlobRecord.sha256 == sha256).values(complete=True)
                )
                return
        self._discard(sha256)
        raise BlobMismatchError(
            _("The parts of the file {sha} that arrived do not make up the file; they were deleted.").format(
                sha=sha256[:12]
            )
        )

    def _discard(self, sha256: str) -> None:
        with self._transaction() as session:
            session.execute(delete(AttachmentChunkRecord).where(AttachmentChunkRecord.sha256 == sha256))
            session.execute(
                update(AttachmentBlobRecord).where(AttachmentBlobRecord.sha256 == sha256).values(complete=False)
            )

    def upload(self, sha256: str, source: Path | bytes, progress: Progress | None = None) -> int:
        """Send the file `source` (a path or the bytes) as the blob `sha256`: only the chunks the
        database lacks, then `finish`. An upload cut half-way is resumed by calling this again.

        Returns:
            The bytes sent (0 when the database already had the whole file).

        Raises:
            ValueError: `source` is not the file `sha256` names (checked before anything is sent).
            DatabaseUnavailableError: the database could not be reached; what arrived stays there.
            BlobMismatchError: the chunks did not make up the file twice in a row.
        """
        size, digest = _measure(source)
        if digest != sha256:
            raise ValueError(f"the file given is not {sha256} but {digest}")
        sent = 0
        for attempt in (1, 2):
            missing = self._begin_upload(sha256, size)
            if missing is None:  # the database has it all
                if progress is not None:
                    progress(size, size)
                return sent
            done = size - sum(self._chunk_length(size, number) for number in missing)
            if progress is not None:
                progress(done, size)
            with _opened(source) as read_at:
                for number in missing:
                    data = read_at(number * self.chunk_size, self._chunk_length(size, number))
                    with self._transaction() as session:  # the blob's row exists (_begin_upload)
                        self._insert_ignoring_duplicates(
                            session,
                            AttachmentChunkRecord.__table__,
                            {"sha256": sha256, "number": number, "data": data},
                        )
                    sent += len(data)
                    done += len(data)
                    if progress is not None:
                        progress(done, size)
            try:
                self.finish(sha256)
                return sent
            except BlobMismatchError:
                if attempt == 2:
                    raise
                log.warning("attachment %s: the database's chunks did not make up the file; sending it again", sha256)
        raise AssertionError("unreachable")


def _measure(source: Path | bytes) -> tuple[int, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        return len(source), hashlib.sha256(source).hexdigest()
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return source.stat().st_size, digest.hexdigest()


@contextmanager
def _opened(source: Path | bytes) -> Iterator[Callable[[int, int], bytes]]:
    """read_at(offset, length) over the bytes or the file."""
    if isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source)
        yield lambda offset, length: bytes(view[offset : offset + length])
        return
    with source.open("rb") as handle:

        def read_at(offset: int, length: int) -> bytes:
            handle.seek(offset)
            return handle.read(length)

        yield read_at


def _for_file(progress: Callable[[str, int, int], None] | None, sha256: str) -> Progress | None:
    if progress is None:
        return None
    report = progress
    return lambda done, total: report(sha256, done, total)


@dataclass(frozen=True)
class UploadSummary:
    """What `SharedAttachmentStore.upload_local` did."""

    uploaded: int  # files sent (whole or their missing part)
    bytes_sent: int
    still_missing: tuple[str, ...]  # files the database lacks and this computer does not have (or has damaged)


class SharedAttachmentStore:
    """The AttachmentStore port on a team database: the database holds every file, and this
    computer's content-addressed folder is a cache of it.

    put() writes the file to the local folder and then sends it to the database, and returns only
    once the database has the whole file. So the rule is: an attachment row that is committed
    always has its bytes complete in the database, for every workstation to open.

    When the database cannot be reached, put() raises DatabaseUnavailableError. Every caller calls
    put() inside the unit of work of the change that records the file, before committing, so the
    change is refused whole (no attachment row, no timeline entry) with the message for the user,
    and the person can try again. The bytes stay in the local folder, which is harmless (files are
    named by content, and a file no row names is never shown) and lets the next attempt, or
    `makersupport attachments upload`, send only what is missing.

    path_for() returns the local path; when the file is not there yet, it first copies a complete
    copy from the database into the folder (written beside it, checked against its SHA-256, then
    renamed into place). When the database has no complete copy, or cannot be reached, the path is
    returned all the same, with no file at it: the window shows the attachment without its
    preview, as it does for a file removed by hand.
    """

    def __init__(self, local: FileAttachmentStore, blobs: DatabaseBlobStore) -> None:
        self.local = local
        self.blobs = blobs

    def put(self, content: bytes) -> str:
        """Store the bytes here and in the database; returns their SHA-256. Idempotent.

        Raises:
            DatabaseUnavailableError: the database could not take the file (the caller's change
                must not be committed; its unit of work rolls back when this propagates).
        """
        sha256 = self.local.put(content)
        try:
            self.blobs.upload(sha256, content)
        except DatabaseUnavailableError as exc:
            raise DatabaseUnavailableError(
                _("The file could not be sent to the team database, so nothing was saved: {reason}").format(
                    reason=exc.message
                ),
                detail=exc.detail,
            ) from exc
        return sha256

    def path_for(self, sha256: str) -> Path:
        target = self.local.path_for(sha256)
        if not target.exists():
            try:
                self._fetch(sha256, target)
            except UserFacingError as exc:  # the database is unreachable, or its copy was damaged
                log.warning("attachment %s could not be fetched from the database: %s", sha256, exc.message)
        return target

    def _fetch(self, sha256: str, target: Path) -> bool:
        """Copy the database's complete copy to `target`, atomically. False when there is none."""
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                found = self.blobs.read_into(sha256, handle)
                handle.flush()
                os.fsync(handle.fileno())
            if found:
                os.replace(temp_name, target)
                return True
        finally:
            Path(temp_name).unlink(missing_ok=True)
        return False

    def upload_local(self, progress: Callable[[str, int, int], None] | None = None) -> UploadSummary:
        """Send the files the database lacks that this computer has: attachments and mails added
        on this workstation before the team database kept files (or whose upload was cut).

        Args:
            progress: progress(sha256, done, total) as each file goes up.
        """
        uploaded, sent, still_missing = 0, 0, []
        for sha256 in self.blobs.missing_referenced():
            path = self.local.path_for(sha256)
            if not path.is_file():
                still_missing.append(sha256)
                continue
            try:
                sent += self.blobs.upload(sha256, path, _for_file(progress, sha256))
            except ValueError:  # the local file was changed or damaged: it is not the file any more
                log.error("attachment %s: the local file %s does not match its name; not sent", sha256, path)
                still_missing.append(sha256)
                continue
            uploaded += 1
        return UploadSummary(uploaded, sent, tuple(still_missing))
