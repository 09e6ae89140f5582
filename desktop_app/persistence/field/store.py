"""The field copy's own bookkeeping: its state row and its outbox of commands."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.domain.field_sync import PROVISIONAL_PREFIX, CommandKind, CommandState, FieldCommand, FieldCopyState
from desktop_app.persistence.field.codec import command_of, state_columns
from desktop_app.persistence.tables import FieldCopyRecord, FieldOutboxRecord


def field_copy_state(session: Session) -> FieldCopyState | None:
    record = session.get(FieldCopyRecord, 1)
    if record is None:
        return None
    skew = record.clock_skew_seconds
    return FieldCopyState(
        device_id=record.device_id,
        office_url=record.office_url,
        user_id=record.user_id,
        city=record.city,
        prepared_at=record.prepared_at,
        watermark=record.watermark,
        last_synced_at=record.last_synced_at,
        last_attempt_at=record.last_attempt_at,
        last_error=record.last_error,
        clock_skew=timedelta(seconds=skew) if skew is not None else None,
    )


def next_provisional_number(session: Session) -> str | None:
    """On a field copy, the next provisional ticket number (the office gives the real one when
    the ticket is synced); None on any other database."""
    record = session.get(FieldCopyRecord, 1)
    if record is None:
        return None
    number = record.next_provisional
    record.next_provisional = number + 1
    return f"{PROVISIONAL_PREFIX}{record.device_id[:4].upper()}-{number:04d}"


class SqlFieldStore:
    """Reads and updates a field copy's outbox and state, each call its own transaction."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def state(self) -> FieldCopyState | None:
        with self._session_factory() as session:
            return field_copy_state(session)

    def commands(self, *states: CommandState) -> list[FieldCommand]:
        """The outbox in the order the changes were made (all of it without `states`)."""
        query = select(FieldOutboxRecord).order_by(FieldOutboxRecord.seq)
        if states:
            query = query.where(FieldOutboxRecord.state.in_([state.value for state in states]))
        with self._session_factory() as session:
            return [command_of(row) for row in session.scalars(query)]

    def command(self, command_id: str) -> FieldCommand | None:
        with self._session_factory() as session:
            row = session.scalar(select(FieldOutboxRecord).where(FieldOutboxRecord.command_id == command_id))
            return command_of(row) if row is not None else None

    def command_that_took(self, local_ticket_id: int) -> str | None:
        """The id of the command that took this provisional ticket (its NEW_TICKET), or None."""
        query = select(FieldOutboxRecord.command_id, FieldOutboxRecord.result).where(
            FieldOutboxRecord.kind == CommandKind.NEW_TICKET.value
        )
        with self._session_factory() as session:
            for command_id, result in session.execute(query):
                if json.loads(result or "{}").get("local_ticket_id") == local_ticket_id:
                    return str(command_id)
        return None

    def counts(self) -> dict[CommandState, int]:
        with self._session_factory() as session:
            rows = session.execute(
                select(FieldOutboxRecord.state, func.count()).group_by(FieldOutboxRecord.state)
            ).all()
        return {CommandState(state): count for state, count in rows}

    def save(self, commands: Iterable[FieldCommand], *, settled_at: datetime | None = None) -> None:
        """Write the new state of these commands, together."""
        with self._session_factory() as session:
            for command in commands:
                values = state_columns(command)
                if settled_at is not None:
                    values["settled_at"] = settled_at
                session.execute(
                    update(FieldOutboxRecord).where(FieldOutboxRecord.command_id == command.command_id).values(values)
                )
            session.commit()

    def attempted(self, at: datetime, error: str) -> None:
        self._update(last_attempt_at=at, last_error=error)

    def synced(self, at: datetime, watermark: int, skew: timedelta | None) -> None:
        self._update(
            last_attempt_at=at,
            last_synced_at=at,
            last_error="",
            watermark=watermark,
            clock_skew_seconds=int(skew.total_seconds()) if skew is not None else None,
        )

    def _update(self, **values: object) -> None:
        with self._session_factory() as session:
            session.execute(update(FieldCopyRecord).where(FieldCopyRecord.id == 1).values(**values))
            session.commit()
