"""What the field sync needs from the databases (persistence/field/ implements it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, Protocol

from desktop_app.domain.field_sync import CommandState, FieldCommand, FieldCopyState


class CommandJournal(Protocol):
    def recording(self, commands: Sequence[FieldCommand]) -> AbstractContextManager[Any]:
        """Within the block, the first commit that writes also writes `commands` to the outbox."""
        ...

    def applying(
        self,
        command: FieldCommand,
        *,
        device_id: str,
        user_id: int | None,
        at: datetime,
        settled: dict[str, object] | None = None,
    ) -> AbstractContextManager[Any]:
        """Within the block, the first commit that writes also marks `command` applied; the
        yielded object's `result` says which ticket a new ticket became, `written` whether it was."""
        ...


class FieldStore(Protocol):
    def state(self) -> FieldCopyState | None: ...

    def commands(self, *states: CommandState) -> list[FieldCommand]: ...

    def command(self, command_id: str) -> FieldCommand | None: ...

    def command_that_took(self, local_ticket_id: int) -> str | None:
        """The NEW_TICKET command that took this provisional ticket on the copy."""
        ...

    def counts(self) -> Mapping[CommandState, int]: ...

    def save(self, commands: Sequence[FieldCommand], *, settled_at: datetime | None = None) -> None: ...

    def attempted(self, at: datetime, error: str) -> None: ...

    def synced(self, at: datetime, watermark: int, skew: timedelta | None) -> None: ...
