"""The field copy and the office's database side by side, for one sync or one preparation."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.domain.field_sync import FieldCommand, FieldCopyState
from desktop_app.errors import DatabaseUnavailableError, PasswordRefusedError
from desktop_app.i18n import _
from desktop_app.persistence.db import keyring_name, make_engine, make_session_factory
from desktop_app.persistence.field import copying
from desktop_app.persistence.field.change_log import changes_since
from desktop_app.persistence.field.journal import applied_result, applied_results, write_applied, write_settlement
from desktop_app.persistence.migrate import describe_database_error, is_at_head, is_password_refusal, upgrade_to_head

EnsureLocal = Callable[[str], object]  # make a file's bytes present in the laptop's store

# Files fetched side by side. Each costs a few round trips to the office (a transaction, its size,
# its chunks), so over a field connection the waiting, not the bytes, is what takes long; four stay
# within the office engine's pool of five connections while a fifth holds the copy's snapshot.
FETCHERS = 4


def fetch_all(ensure_local: EnsureLocal, hashes: Iterable[str]) -> None:
    """ensure_local(sha) for every file, FETCHERS at a time; the first error is raised (after the
    fetches already running end; the others are not started)."""
    wanted = sorted(hashes)
    if len(wanted) < 2:
        for sha in wanted:
            ensure_local(sha)
        return
    pool = ThreadPoolExecutor(FETCHERS, thread_name_prefix="field-files")
    try:
        for _done in pool.map(ensure_local, wanted):
            pass
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def lost(exc: DBAPIError) -> DatabaseUnavailableError:
    return DatabaseUnavailableError(
        _("The connection with the office was lost: {reason}").format(reason=describe_database_error(exc)),
        detail=str(exc),
    )


def probe_office(engine: Engine) -> None:
    """Raises DatabaseUnavailableError unless the office's database answers with this program's
    schema (a sync through other rules or tables could lose work)."""
    try:
        at_head = is_at_head(engine)
    except DBAPIError as exc:
        if is_password_refusal(exc):
            login = keyring_name(engine.url.render_as_string(hide_password=True))
            raise PasswordRefusedError(
                _("The office's server asks for the password of {login}.").format(login=login), detail=str(exc)
            ) from exc
        raise DatabaseUnavailableError(
            _("The office's database cannot be reached: {reason}").format(reason=describe_database_error(exc)),
            detail=str(exc),
        ) from exc
    if not at_head:
        raise DatabaseUnavailableError(
            _("The office's database belongs to another version of makeR Soporte: update both to the same version.")
        )


class OfficeLink:
    def __init__(
        self,
        office: sessionmaker[Session],
        field: sessionmaker[Session],
        ensure_local: EnsureLocal,
        upload: Callable[[str, Path], int],
    ) -> None:
        self._office = office
        self._field = field
        self._ensure_local = ensure_local
        self._upload = upload

    def now(self) -> datetime:
        try:
            with self._office() as session:
                value = session.scalar(select(func.current_timestamp()))
        except DBAPIError as exc:
            raise lost(exc) from exc
        if isinstance(value, str):  # SQLite: "YYYY-MM-DD HH:MM:SS", in UTC
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def applied(self, command_id: str) -> tuple[str, Mapping[str, Any]] | None:
        try:
            with self._office() as session:
                return applied_result(session, command_id)
        except DBAPIError as exc:
            raise lost(exc) from exc

    def applied_among(self, command_ids: Sequence[str]) -> dict[str, tuple[str, Mapping[str, Any]]]:
        found: dict[str, tuple[str, Mapping[str, Any]]] = {}
        try:
            with self._office() as session:
                for start in range(0, len(command_ids), 500):
                    found.update(applied_results(session, command_ids[start : start + 500]))
        except DBAPIError as exc:
            raise lost(exc) from exc
        return found

    def drop(
        self, command: FieldCommand, *, device_id: str, user_id: int, at: datetime, settled: dict[str, object]
    ) -> None:
        try:
            with self._office() as session:
                write_applied(session, command, device_id, user_id, at, "dropped", {})
                write_settlement(session, command, user_id, at, settled)
                session.commit()
        except DBAPIError as exc:
            raise lost(exc) from exc

    def upload(self, sha256: str, path: Path) -> int:
        try:
            return self._upload(sha256, path)
        except DBAPIError as exc:
            raise lost(exc) from exc

    def pull(
        self, state: FieldCopyState, *, touched: set[int], provisional: set[int], now: datetime
    ) -> tuple[dict[str, int], int]:
        scope = copying.FieldScope(state.user_id, state.city, now)
        try:
            with self._office() as office, self._field() as field:
                changed, watermark = changes_since(office, state.watermark)
                report = copying.refresh(
                    office,
                    field,
                    scope,
                    changed,
                    touched_tickets=touched,
                    provisional_tickets=provisional,
                    watermark=watermark,
                )
                fetch_all(self._ensure_local, report.attachments)
                field.commit()
        except OperationalError as exc:
            raise lost(exc) from exc
        return {**report.written, **{f"-{k}": v for k, v in report.removed.items()}}, watermark


def prepare_copy(
    office: sessionmaker[Session],
    target: Path,
    scope: copying.FieldScope,
    *,
    device_id: str,
    office_url: str,
    ensure_local: EnsureLocal,
) -> copying.CopyReport:
    """Write a new field copy at `target` (which must not exist): a fresh SQLite file filled
    beside it and renamed into place, so a failure never leaves half a copy."""
    if target.exists():
        raise DatabaseUnavailableError(_("{path} already exists; choose another file.").format(path=target))
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".field-", suffix=".sqlite3")
    os.close(fd)
    temp = Path(temp_name)
    temp.unlink()
    engine = make_engine(f"sqlite:///{temp}")
    try:
        upgrade_to_head(engine)
        field = make_session_factory(engine)
        with office() as source, field() as copy:
            if source.get_bind().dialect.name == "postgresql":  # one snapshot for the whole copy
                source.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            report = copying.prepare(source, copy, scope, device_id=device_id, office_url=office_url, now=scope.now)
            fetch_all(ensure_local, report.attachments)
            copy.commit()
        engine.dispose()
        os.replace(temp, target)
    except BaseException:
        engine.dispose()
        for leftover in (temp, temp.with_name(temp.name + "-wal"), temp.with_name(temp.name + "-shm")):
            leftover.unlink(missing_ok=True)
        raise
    return report
