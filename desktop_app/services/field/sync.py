"""Syncing a field copy with the office: files up, the outbox replayed, the office's changes down.

1. Files first: every file a pending command carries goes up to the office's database by its
   SHA-256, in chunks, so a cut upload resumes where it stopped.
2. Push: each pending command, in the order it was made, is replayed through the office's own
   TicketService as the technician (the office's record of their role, not the laptop's), one
   transaction each, and marked applied in that same transaction (persistence/field/journal.py):
   a command whose answer was lost on the way back is found applied the next time and not replayed.
   Before a field edit or a status change is replayed, domain.field_sync.decide compares the
   fields the technician saw, set and the office holds now; a clash, or a change the office's
   rules refuse, goes to the conflict list for a person. Additive work always applies.
3. Pull: everything that changed at the office since the last sync (its change sequence), and
   every ticket the laptop touched, replace the field copy's rows; provisional tickets give way to
   the numbered ones.

A lost connection stops the sync where it is; nothing is lost and the next sync goes on from there.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from desktop_app.domain.field_sync import (
    ADDITIVE,
    TICKET_COLUMN,
    CommandKind,
    CommandState,
    Decision,
    FieldCommand,
    FieldCopyState,
    Resolution,
    Verdict,
    clock_skew,
    counted_at,
    decide,
    refused,
    resolved_values,
)
from desktop_app.domain.ids import TicketId
from desktop_app.domain.permissions import Actor
from desktop_app.errors import DatabaseUnavailableError, SyncStoppedError, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.field.commands import decode, file_hashes, ticket_values
from desktop_app.services.field.ports import CommandJournal, FieldStore
from desktop_app.services.ports import AttachmentStore, Clock

if TYPE_CHECKING:  # services.tickets imports this package's decorator
    from desktop_app.services.tickets import TicketService


class Office(Protocol):
    """The office's database, open for one sync (bootstrap.open_office)."""

    @property
    def tickets(self) -> TicketService:
        """The office's ticket service, its clock set per command (`at`)."""
        ...

    @property
    def journal(self) -> CommandJournal: ...

    def at(self, moment: datetime) -> None:
        """Replay what follows as if it happened at `moment`."""
        ...

    def now(self) -> datetime:
        """The office database's clock."""
        ...

    def actor(self, user_id: int) -> Actor | None:
        """The person as the office knows them now; None when removed or deactivated."""
        ...

    def applied(self, command_id: str) -> tuple[str, Mapping[str, Any]] | None: ...

    def applied_among(self, command_ids: Sequence[str]) -> Mapping[str, tuple[str, Mapping[str, Any]]]:
        """Those of `command_ids` the office already holds, in one question."""
        ...

    def drop(
        self, command: FieldCommand, *, device_id: str, user_id: int, at: datetime, settled: dict[str, object]
    ) -> None:
        """Record that a person took the office's version over this command (R18)."""
        ...

    def upload(self, sha256: str, path: Path) -> int:
        """Send the file's missing chunks; returns the bytes sent."""
        ...

    def pull(self, state: FieldCopyState, *, touched: set[int], provisional: set[int]) -> tuple[Mapping[str, int], int]:
        """Bring the office's changes into the field copy; (rows by kind, new watermark)."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SyncProgress:
    stage: str  # "files", "push", "pull"
    done: int
    total: int


@dataclass
class SyncReport:
    applied: int = 0
    already: int = 0  # found applied at the office (a replay after a lost answer)
    conflicts: int = 0
    dropped: int = 0
    files: int = 0
    bytes_sent: int = 0
    pulled: dict[str, int] = field(default_factory=dict)
    clock_skew: timedelta | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class FieldStatus:
    state: FieldCopyState
    pending: int
    conflicts: int


Progress = Callable[[SyncProgress], None]


class FieldSyncService:
    def __init__(
        self,
        store: FieldStore,
        attachments: AttachmentStore,
        clock: Clock,
        connect: Callable[[FieldCopyState], AbstractContextManager[Office]],
        *,
        keep_password: Callable[[str, str, bool], bool],
        after_pull: Callable[[], object] = lambda: None,
        save_every: int = 50,
    ) -> None:
        """keep_password: takes the office server's password typed for `connect` (url, password,
        remember in the keyring) and says whether the keyring took it.
        after_pull: what must be read again once the office's changes are in (the policy).
        save_every: how many replayed commands' outcomes the laptop writes down together (a crash
        before they are written loses nothing: the next sync finds those commands applied)."""
        self._store = store
        self._keep_password = keep_password
        self._after_pull = after_pull
        self._save_every = save_every
        self._attachments = attachments
        self._clock = clock
        self._connect = connect

    # -- what the window and the command line show -------------------------------------------------

    def status(self) -> FieldStatus:
        state = self._require_state()
        counts = self._store.counts()
        return FieldStatus(state, counts.get(CommandState.PENDING, 0), counts.get(CommandState.CONFLICT, 0))

    def conflicts(self) -> list[FieldCommand]:
        return self._store.commands(CommandState.CONFLICT)

    def outbox(self) -> list[FieldCommand]:
        return self._store.commands()

    def export_outbox(self, path: Path, *, overwrite: bool = False) -> int:
        """Write every command (any state) to a JSON file; returns how many. Never overwrites an
        existing file unless told to, and never leaves half a file."""
        if path.exists() and not overwrite:
            raise UserFacingError(_("{path} already exists; choose another name.").format(path=path))
        commands = self._store.commands()
        state = self._require_state()
        document = {
            "device_id": state.device_id,
            "user_id": state.user_id,
            "exported_at": self._clock.now().isoformat(),
            "commands": [_exported(command) for command in commands],
        }
        try:
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".outbox-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(document, handle, ensure_ascii=False, indent=2)
            os.replace(temp, path)
        except OSError as exc:
            raise UserFacingError(
                _("The outbox could not be written to {path}: {reason}").format(path=path, reason=exc.strerror)
            ) from exc
        return len(commands)

    def office_reachable(self) -> bool:
        """Whether the office's database answers now (for "Sin conexión" and the automatic sync)."""
        state = self._require_state()
        try:
            with self._connect(state) as office:
                office.now()
        except DatabaseUnavailableError:
            return False
        return True

    def use_office_password(self, password: str, *, remember: bool) -> bool:
        """The office server's password, typed by the technician, for this sync and the next ones
        (the office refused the one known, or none was known); kept in the OS keyring too when
        `remember` and there is one. Returns whether it went to the keyring."""
        state = self._require_state()
        if not password:
            raise UserFacingError(_("Type the password of the office's server."))
        return self._keep_password(state.office_url, password, remember)

    # -- a person settles a conflict --------------------------------------------------------------

    def settle(self, command_id: str, resolution: Resolution, chosen: Mapping[str, str | None] | None = None) -> None:
        """Queue the person's choice; the next sync carries it to the office (and records there
        who settled it and how). MERGE takes a value per clashing field, among those shown."""
        command = self._store.command(command_id)
        if command is None or command.state is not CommandState.CONFLICT:
            raise UserFacingError(_("This conflict is no longer waiting for a decision."))
        decision = command.decision or Decision(Verdict.CONFLICT)
        if resolution is Resolution.MERGE:
            if decision.refused or command.kind is not CommandKind.EDIT:
                raise UserFacingError(_("Only a field edit can be merged: keep yours or take the office's."))
            try:
                values = resolved_values(resolution, decision.clashes, chosen)
            except ValueError as exc:
                raise UserFacingError(_("Choose one of the values shown for every field.")) from exc
            command = _with_values(command, values)
        settled = replace(command, state=CommandState.PENDING, settled_how=resolution.value)
        self._store.save([settled], settled_at=self._clock.now())

    # -- the sync -----------------------------------------------------------------------------------

    def sync(self, progress: Progress | None = None, stop: Callable[[], bool] | None = None) -> SyncReport:
        """Push, then pull (see the module's doc).

        stop: asked after each file and each command; when it says True the sync ends there
            (the outcomes so far are written down first).

        Raises:
            DatabaseUnavailableError: the office could not be reached or the connection was lost;
                what was done before stays done, and the next sync goes on from there.
            SyncStoppedError: `stop` said so; likewise nothing is lost.
        """
        started = time.perf_counter()
        state = self._require_state()
        report = SyncReport()
        told = progress or (lambda _p: None)

        def tell(step: SyncProgress) -> None:
            told(step)
            if stop is not None and stop():
                raise SyncStoppedError(
                    _("Sync stopped: what was sent is at the office; the rest goes with the next sync.")
                )

        try:
            with self._connect(state) as office:
                office_now = office.now()
                report.clock_skew = clock_skew(self._clock.now(), office_now)
                pending = self._store.commands(CommandState.PENDING)
                self._send_files(office, pending, report, tell)
                touched, provisional = self._push(office, state, pending, office_now, report, tell)
                tell(SyncProgress("pull", 0, 1))  # the last moment to stop: a pull is not cut
                pulled, watermark = office.pull(state, touched=touched, provisional=provisional)
                report.pulled = dict(pulled)
                told(SyncProgress("pull", 1, 1))  # done: nothing left to stop
                self._store.synced(office.now(), watermark, report.clock_skew)
                self._after_pull()
        except DatabaseUnavailableError as exc:
            self._store.attempted(self._clock.now(), exc.message)
            raise
        report.seconds = time.perf_counter() - started
        return report

    def _send_files(self, office: Office, pending: list[FieldCommand], report: SyncReport, tell: Progress) -> None:
        hashes = sorted({sha for command in pending for sha in file_hashes(command.payload)})
        for done, sha in enumerate(hashes, start=1):
            report.bytes_sent += office.upload(sha, self._attachments.path_for(sha))
            report.files += 1
            tell(SyncProgress("files", done, len(hashes)))

    def _push(
        self,
        office: Office,
        state: FieldCopyState,
        pending: list[FieldCommand],
        office_now: datetime,
        report: SyncReport,
        tell: Progress,
    ) -> tuple[set[int], set[int]]:
        """Replay the pending commands; returns the local ids of the tickets they touched and of
        the provisional tickets the office has now numbered (or a person dropped)."""
        touched: set[int] = set()
        provisional: set[int] = set()
        known = office.applied_among([command.command_id for command in pending])
        actor = office.actor(state.user_id)  # as the office knows them now, once per sync
        unsaved: list[FieldCommand] = []
        try:
            for done, command in enumerate(pending, start=1):
                outcome = self._replay(office, state, command, office_now, known.get(command.command_id), actor)
                unsaved.append(outcome)
                if len(unsaved) >= self._save_every:
                    batch, unsaved = unsaved, []  # written once: a failed write is not tried again below
                    self._store.save(batch)
                if outcome.state is CommandState.CONFLICT:
                    report.conflicts += 1
                elif outcome.state is CommandState.DROPPED:
                    report.dropped += 1
                elif outcome.result.get("already"):
                    report.already += 1
                else:
                    report.applied += 1
                if command.ticket.local is not None and command.ticket.office is not None:
                    touched.add(command.ticket.local)
                if command.kind is CommandKind.NEW_TICKET and outcome.state is not CommandState.CONFLICT:
                    local = command.result.get("local_ticket_id")
                    if isinstance(local, int):
                        provisional.add(local)
                tell(SyncProgress("push", done, len(pending)))
        finally:
            if unsaved:  # also when the connection was lost: what was decided is kept
                self._store.save(unsaved)
        return touched, provisional

    def _replay(
        self,
        office: Office,
        state: FieldCopyState,
        command: FieldCommand,
        office_now: datetime,
        prior: tuple[str, Mapping[str, Any]] | None,
        actor: Actor | None,
    ) -> FieldCommand:
        """The command's fate at the office, as it is to be stored on the laptop; `prior`: the
        office's record of it, when it was applied before."""
        if prior is not None:
            outcome, result = prior
            done = CommandState.DROPPED if outcome == "dropped" else CommandState.DONE
            return replace(command, state=done, decision=None, result={**command.result, **result, "already": True})
        at = counted_at(command.happened_at, command.copied_at, office_now)
        settled = _settlement(command) if command.settled_how else None
        if command.settled_how == Resolution.TAKE_OFFICE.value:
            office.drop(command, device_id=state.device_id, user_id=state.user_id, at=office_now, settled=settled or {})
            return replace(command, state=CommandState.DROPPED)
        if actor is None:
            return _conflict(command, refused(_("Your user was removed or deactivated at the office.")))
        ticket_id = self._office_ticket(office, command)
        if command.kind is not CommandKind.NEW_TICKET and ticket_id is None:
            return _conflict(command, refused(_("The new ticket this change belongs to is not at the office yet.")))
        try:
            if command.kind not in ADDITIVE and command.kind is not CommandKind.NEW_TICKET and not settled:
                assert ticket_id is not None
                office_values = ticket_values(office.tickets.get_ticket(TicketId(ticket_id)), tuple(command.mine))
                decision = decide(command.kind, command.base, command.mine, office_values)
                if decision.is_conflict:
                    return _conflict(command, decision)
                if decision.verdict is Verdict.ALREADY:  # the office holds those values: nothing to apply
                    return replace(
                        command, state=CommandState.DONE, decision=None, result={**command.result, "already": True}
                    )
            office.at(at)
            arguments = decode(command.method, command.payload, self._attachments)
            if ticket_id is not None:
                arguments["ticket_id"] = ticket_id
            with office.journal.applying(
                command, device_id=state.device_id, user_id=state.user_id, at=office_now, settled=settled
            ) as applying:
                getattr(office.tickets, command.method)(**arguments, actor=actor)
            return replace(
                command, state=CommandState.DONE, decision=None, result={**command.result, **applying.result}
            )
        except DatabaseUnavailableError:
            raise
        except UserFacingError as exc:
            return _conflict(command, refused(exc.message))

    def _office_ticket(self, office: Office, command: FieldCommand) -> int | None:
        if command.ticket.office is not None:
            return command.ticket.office
        if command.ticket.new is None:
            return None
        taken = office.applied(command.ticket.new)
        if taken is None:
            return None
        ticket_id = taken[1].get("ticket_id")
        return ticket_id if isinstance(ticket_id, int) else None

    def _require_state(self) -> FieldCopyState:
        state = self._store.state()
        if state is None:
            raise UserFacingError(_("This database is not a field copy: prepare one from the office first."))
        return state


def _conflict(command: FieldCommand, decision: Decision) -> FieldCommand:
    return replace(command, state=CommandState.CONFLICT, decision=decision, settled_how="")


def _settlement(command: FieldCommand) -> dict[str, object]:
    """What the office's audit log keeps of a settled conflict (R18), as its other entries do:
    [before, after] per field — the office's value, and what the settlement leaves — with how it
    was settled and, when the office's rules had refused the change, their reason."""
    decision = command.decision
    changes: dict[str, object] = {"field_resolution": ["", command.settled_how]}
    if decision is not None and decision.refused:
        changes["field_refusal"] = [decision.refused, ""]
    for clash in decision.clashes if decision else ():
        kept = clash.office if command.settled_how == Resolution.TAKE_OFFICE.value else command.mine.get(clash.field)
        changes[TICKET_COLUMN.get(clash.field, clash.field)] = [clash.office or "", kept or ""]
    return changes


def _with_values(command: FieldCommand, values: Mapping[str, str | None]) -> FieldCommand:
    """A field edit with the merged values instead of the clashing ones it set."""
    payload: dict[str, Any] = json.loads(json.dumps(command.payload))
    target = payload.get("changes", payload)
    mine = dict(command.mine)
    for clash in command.decision.clashes if command.decision else ():
        field = clash.field  # one of EDIT_FIELDS, named in the payload as in decide()
        if field in values:
            value = values[field]
            target[field] = int(value) if field == "agent_id" and value is not None else value
            mine[field] = value
        else:  # the office's value was chosen: this edit leaves the field alone
            target[field] = None
            mine.pop(field, None)
    return replace(command, payload=payload, mine=mine)


def _exported(command: FieldCommand) -> dict[str, Any]:
    return {
        "command_id": command.command_id,
        "seq": command.seq,
        "kind": command.kind.value,
        "method": command.method,
        "ticket": {k: v for k, v in vars(command.ticket).items() if v is not None},
        "payload": command.payload,
        "base": dict(command.base),
        "mine": dict(command.mine),
        "happened_at": command.happened_at.isoformat(),
        "state": command.state.value,
        "conflict": None
        if command.decision is None
        else {"refused": command.decision.refused, "clashes": [vars(c) for c in command.decision.clashes]},
        "result": dict(command.result),
    }
