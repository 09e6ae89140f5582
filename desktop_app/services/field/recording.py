"""The field copy's recorder: each change made through TicketService is also written, in the same
transaction, as the command that replays it at the office (services/field/recorded.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from desktop_app.domain.field_sync import (
    EDIT_FIELDS,
    PROVISIONAL_PREFIX,
    CommandKind,
    FieldCommand,
    TicketRef,
)
from desktop_app.services.field.commands import RECORDED, encode, ticket_values
from desktop_app.services.field.ports import CommandJournal, FieldStore
from desktop_app.services.ports import AttachmentStore, Clock

if TYPE_CHECKING:
    from desktop_app.services.tickets import TicketService

R = TypeVar("R")


class FieldRecorder:
    def __init__(
        self,
        tickets: TicketService,
        journal: CommandJournal,
        store: FieldStore,
        attachments: AttachmentStore,
        clock: Clock,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._tickets = tickets
        self._journal = journal
        self._store = store
        self._attachments = attachments
        self._clock = clock
        self._new_id = new_id

    def record(self, method: str, arguments: dict[str, Any], call: Callable[[], R]) -> R:
        recorded = RECORDED[method]
        payload = encode(method, arguments, self._attachments)
        ticket_id = arguments.get("ticket_id")
        command_id = self._new_id()
        if ticket_id is None:  # a ticket taken offline: the office numbers it when it arrives
            ref = TicketRef(new=command_id)
            base: dict[str, str | None] = {}
        else:
            before = self._tickets.get_ticket(ticket_id)
            ref = self._ref(before.id, before.number)
            base = ticket_values(before)
        fields = recorded.fields(payload)
        command = FieldCommand(
            command_id=command_id,
            kind=recorded.kind,
            method=method,
            ticket=ref,
            payload=payload,
            happened_at=self._clock.now(),
            copied_at=self._copied_at(),
            base={name: base.get(name) for name in fields},
            mine=dict.fromkeys(fields),  # the journal writes the values the change left
        )
        commands = [command]
        if method == "update_ticket":
            commands = self._split_update(command, payload)
        with self._journal.recording(commands):
            return call()

    def _split_update(self, command: FieldCommand, payload: dict[str, Any]) -> list[FieldCommand]:
        """A ticket page's save can edit fields and add a comment at once; the comment is additive
        (it always applies), the edit may clash: two commands, so a clash never holds a comment."""
        changes = dict(payload["changes"])
        comment = {"comment": changes["comment"], "minutes_spent": changes["minutes_spent"]}
        has_comment = bool(changes["comment"].strip()) or bool(changes["minutes_spent"])
        edits = {k: changes[k] for k in EDIT_FIELDS}
        commands = []
        if command.mine:
            only_edits = {**changes, "comment": "", "minutes_spent": 0, **edits}
            commands.append(replace(command, payload={"changes": only_edits}))
        if has_comment:
            blank = dict.fromkeys(EDIT_FIELDS)
            commands.append(
                replace(
                    command,
                    command_id=self._new_id() if command.mine else command.command_id,
                    kind=CommandKind.COMMENT,
                    payload={"changes": {**changes, **blank, **comment}},
                    base={},
                    mine={},
                )
            )
        return commands or [command]

    def _copied_at(self) -> datetime:
        state = self._store.state()
        assert state is not None, "a recorder on a database that is not a field copy"
        return state.last_synced_at or state.prepared_at

    def _ref(self, ticket_id: int, number: str) -> TicketRef:
        if not number.startswith(PROVISIONAL_PREFIX):
            return TicketRef(office=ticket_id, local=ticket_id, number=number)
        taken = self._store.command_that_took(ticket_id)
        if taken is not None:
            return TicketRef(new=taken, local=ticket_id, number=number)
        raise LookupError(f"no command took the provisional ticket {number}")
