"""Commands written in the transaction of the change they describe.

On a field copy, a change made through the services is also written as a command in the outbox
(`recording`); at the office, a replayed command is written in the applied-commands table
(`applying`). Either way the row goes in the very transaction that commits the change, so the
change and its record exist together or not at all: a laptop never holds a change it will not
replay, and the office never applies a command twice (the second insert of the same command id
fails and takes the whole transaction with it).

The journal listens to the desk's session factory. The command being recorded or applied is held
per thread, and written by the first commit on that thread that wrote something; a service that
only reads leaves it for the commit that writes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.domain.field_sync import TICKET_COLUMN, FieldCommand
from desktop_app.errors import AlreadyAppliedError
from desktop_app.persistence.field.codec import command_row
from desktop_app.persistence.tables import AppliedCommandRecord, AuditRecord, FieldOutboxRecord, TicketRecord

_WROTE = "makersupport.journal.wrote"
_NEW_TICKETS = "makersupport.journal.new_tickets"


@dataclass
class _Recording:
    commands: Sequence[FieldCommand]
    written: bool = False
    new_ticket: tuple[int, str] | None = None


@dataclass
class _Applying:
    command: FieldCommand
    device_id: str
    user_id: int | None
    at: datetime
    settled: dict[str, object] | None = None  # a person's settlement, for the audit log (R18)
    written: bool = False
    result: dict[str, object] = field(default_factory=dict)


class CommandJournal:
    def __init__(self) -> None:
        self._local = threading.local()
        self._factory: sessionmaker[Session] | None = None

    def install(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        event.listen(factory, "after_flush", self._after_flush)
        # Before the change log's own step, so that the change counter's row (change_log.stamp)
        # is locked as late as possible: the other writers wait on it.
        event.listen(factory, "before_commit", self._before_commit, insert=True)

    # -- what the services' callers wrap a change in ------------------------------------------------

    @contextmanager
    def recording(self, commands: Sequence[FieldCommand]) -> Iterator[_Recording]:
        """Write `commands` to the field outbox with the change made inside the block."""
        yield from self._holding(_Recording(commands))

    @contextmanager
    def applying(
        self,
        command: FieldCommand,
        *,
        device_id: str,
        user_id: int | None,
        at: datetime,
        settled: dict[str, object] | None = None,
    ) -> Iterator[_Applying]:
        """Mark `command` applied at the office with the change made inside the block.

        Raises:
            AlreadyAppliedError: another sync applied it meanwhile (nothing was applied twice).
        """
        try:
            yield from self._holding(_Applying(command, device_id, user_id, at, settled))
        except IntegrityError:
            if self._factory is not None:
                with self._factory() as session:
                    if applied_result(session, command.command_id) is not None:
                        raise AlreadyAppliedError(command.command_id) from None
            raise

    def _holding(self, held: Any) -> Iterator[Any]:
        if getattr(self._local, "held", None) is not None:
            raise RuntimeError("a command is already being journaled on this thread")
        self._local.held = held
        try:
            yield held
        finally:
            self._local.held = None

    # -- the session events -------------------------------------------------------------------------

    def _after_flush(self, session: Session, _context: Any) -> None:
        if getattr(self._local, "held", None) is None:
            return
        if session.new or session.dirty or session.deleted:
            session.info[_WROTE] = True
        for record in session.new:
            if isinstance(record, TicketRecord):
                session.info[_NEW_TICKETS] = (record.id, record.number)

    def _before_commit(self, session: Session) -> None:
        held = getattr(self._local, "held", None)
        if held is None or held.written:
            return
        session.flush()
        if not session.info.pop(_WROTE, False):
            return  # a commit that wrote nothing: the change is still to come
        new_ticket = session.info.pop(_NEW_TICKETS, None)
        if isinstance(held, _Recording):
            held.new_ticket = new_ticket
            local = {"local_ticket_id": new_ticket[0]} if new_ticket else {}
            commands = [_with_values_left(session, command) for command in held.commands]
            session.execute(insert(FieldOutboxRecord), [command_row(c, result=local) for c in commands])
        else:
            if new_ticket:
                held.result = {"ticket_id": new_ticket[0], "number": new_ticket[1]}
            write_applied(session, held.command, held.device_id, held.user_id, held.at, "applied", held.result)
            if held.settled is not None:
                write_settlement(session, held.command, held.user_id, held.at, held.settled)
        held.written = True


def _with_values_left(session: Session, command: FieldCommand) -> FieldCommand:
    """The command with `mine` holding what the change left in the ticket's fields (flushed)."""
    if not command.mine or command.ticket.local is None:
        return command
    record = session.get(TicketRecord, command.ticket.local)
    if record is None:
        return command
    values = {}
    for name in command.mine:
        value = getattr(record, TICKET_COLUMN.get(name, name))
        values[name] = None if value is None else str(value)
    return replace(command, mine=values)


def write_applied(
    session: Session,
    command: FieldCommand,
    device_id: str,
    user_id: int | None,
    at: datetime,
    outcome: str,
    result: dict[str, object],
) -> None:
    session.add(
        AppliedCommandRecord(
            command_id=command.command_id,
            device_id=device_id,
            device_seq=command.seq,
            user_id=user_id,
            kind=command.kind.value,
            outcome=outcome,
            applied_at=at,
            result=json.dumps(result),
        )
    )
    session.flush()


def write_settlement(
    session: Session, command: FieldCommand, user_id: int | None, at: datetime, settled: dict[str, object]
) -> None:
    """R18: the office's audit log says a field conflict was settled, how, and by whom."""
    ticket = command.ticket.office
    session.add(
        AuditRecord(
            at=at,
            actor_id=user_id,
            entity="ticket",
            entity_id=str(ticket) if ticket is not None else command.command_id,
            action="field_conflict",
            changes=json.dumps(settled, ensure_ascii=False),
        )
    )


def applied_result(session: Session, command_id: str) -> tuple[str, dict[str, object]] | None:
    """(outcome, result) of a command the office already holds, or None."""
    row = session.execute(
        select(AppliedCommandRecord.outcome, AppliedCommandRecord.result).where(
            AppliedCommandRecord.command_id == command_id
        )
    ).first()
    if row is None:
        return None
    return row.outcome, json.loads(row.result or "{}")


def applied_results(session: Session, command_ids: Sequence[str]) -> dict[str, tuple[str, dict[str, object]]]:
    """applied_result for many commands in one query (those the office holds)."""
    rows = session.execute(
        select(AppliedCommandRecord.command_id, AppliedCommandRecord.outcome, AppliedCommandRecord.result).where(
            AppliedCommandRecord.command_id.in_(list(command_ids))
        )
    ).all()
    return {row.command_id: (row.outcome, json.loads(row.result or "{}")) for row in rows}
