"""Field work offline (issue 16), the rules: which of a laptop's changes apply at the office as
they are, which become a conflict a person settles, and which moment an offline change counts at.

A field laptop keeps an outbox of commands, each the change a service made on the laptop (a
comment, a visit, a status change…). Syncing replays them through the office's own services; before
a command that edits fields is replayed, `decide` compares three versions of those fields:

- base: their values when the laptop last had the ticket (what the technician saw),
- mine: the values the technician set offline,
- office: their values at the office now.

Additive work (comments, contact attempts, visits, attachments, time) always applies: nothing it
replaces can be lost. A field edit applies when the office left every edited field as the base had
it; a field both sides set to the same value is no conflict; anything else is a conflict, shown to
the technician with the three versions side by side, never settled silently. What the office's
rules refuse on replay (a closed ticket, a lapsed contract, a role removed) is a conflict too, with
the office's reason (`refused`).

Time (SLA honesty): an offline change keeps the moment it happened on the laptop, for the timeline
and the response clock, but never later than the sync that brought it nor earlier than the field
copy it was made on; a laptop clock that differs from the office's by more than `MAX_CLOCK_SKEW`
is told to the technician (`clock_skew`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

MAX_CLOCK_SKEW = timedelta(minutes=5)  # "a few minutes": more and the technician is told
PROVISIONAL_PREFIX = "PROV-"  # a ticket taken on a field copy, until the office numbers it
EDIT_FIELDS = ("description", "severity", "agent_id", "channel")  # what a field edit may set
# A field of decide() → the ticket column (and audit log field) that holds it, where named apart.
TICKET_COLUMN = {"agent_id": "assigned_agent_id"}

Values = Mapping[str, str | None]


class CommandKind(StrEnum):
    """What a field command does; the first five only add to a ticket's history."""

    COMMENT = "comment"
    CONTACT_ATTEMPT = "contact_attempt"
    VISIT = "visit"
    ATTACHMENT = "attachment"
    TIME = "time"
    NEW_TICKET = "new_ticket"  # the office gives it its number
    STATUS = "status"  # a status change (R4, R12, R13, R14)
    EDIT = "edit"  # fields of a ticket (severity, assignee, description…)


ADDITIVE = frozenset(
    {CommandKind.COMMENT, CommandKind.CONTACT_ATTEMPT, CommandKind.VISIT, CommandKind.ATTACHMENT, CommandKind.TIME}
)


class Verdict(StrEnum):
    APPLY = "apply"  # replay it through the office's services
    ALREADY = "already"  # the office already holds every value it sets: nothing to replay
    CONFLICT = "conflict"  # a person chooses (Resolution)


@dataclass(frozen=True)
class FieldClash:
    """One field both sides changed differently since the base."""

    field: str
    base: str | None
    mine: str | None
    office: str | None


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    clashes: tuple[FieldClash, ...] = ()
    refused: str = ""  # the office's reason, when its rules refused the command on replay

    @property
    def is_conflict(self) -> bool:
        return self.verdict is Verdict.CONFLICT


def decide(kind: CommandKind, base: Values, mine: Values, office: Values) -> Decision:
    """The fate of one command before it is replayed (see the module's doc). `mine` names the
    fields the command sets; `base` and `office` hold (at least) those fields."""
    if kind in ADDITIVE or kind is CommandKind.NEW_TICKET:
        return Decision(Verdict.APPLY)
    clashes = []
    changed = False
    for field, value in sorted(mine.items()):
        now = office.get(field)
        if now == value:
            continue  # the office already has it (set there too, or never changed here)
        changed = True
        if now != base.get(field):
            clashes.append(FieldClash(field, base.get(field), value, now))
    if clashes:
        return Decision(Verdict.CONFLICT, tuple(clashes))
    return Decision(Verdict.APPLY if changed else Verdict.ALREADY)


def refused(reason: str) -> Decision:
    """A command the office's rules refused on replay: a conflict with the office's words."""
    return Decision(Verdict.CONFLICT, refused=reason)


class Resolution(StrEnum):
    KEEP_MINE = "keep_mine"  # my values, applied on the office's current version
    TAKE_OFFICE = "take_office"  # the command is dropped
    MERGE = "merge"  # a value per field, chosen by the person


def resolved_values(resolution: Resolution, clashes: tuple[FieldClash, ...], chosen: Values | None = None) -> Values:
    """The values to apply to the clashing fields when a person settles a conflict ({} when
    nothing is to be applied). MERGE needs a choice for every clashing field, each one of the
    values shown (base, mine or office): a merge never invents a value nobody saw."""
    if resolution is Resolution.TAKE_OFFICE:
        return {}
    if resolution is Resolution.KEEP_MINE:
        return {clash.field: clash.mine for clash in clashes}
    picked = chosen or {}
    result: dict[str, str | None] = {}
    for clash in clashes:
        if clash.field not in picked:
            raise ValueError(f"no value chosen for {clash.field}")
        value = picked[clash.field]
        if value not in (clash.base, clash.mine, clash.office):
            raise ValueError(f"{clash.field}: {value!r} is none of the values shown")
        result[clash.field] = value
    return {field: value for field, value in result.items() if value != _office(clashes, field)}


def _office(clashes: tuple[FieldClash, ...], field: str) -> str | None:
    return next(clash.office for clash in clashes if clash.field == field)


# -- time --------------------------------------------------------------------------------------------


def clock_skew(laptop_now: datetime, office_now: datetime) -> timedelta | None:
    """How far the laptop's clock is from the office's (positive: the laptop is ahead), or None
    when within MAX_CLOCK_SKEW."""
    skew = laptop_now - office_now
    return skew if abs(skew) > MAX_CLOCK_SKEW else None


def counted_at(happened_at: datetime, copied_at: datetime, synced_at: datetime) -> datetime:
    """The moment an offline change counts at (timeline and response clock): when it happened on
    the laptop, but not before the field copy it was made on nor after the sync that brought it."""
    return max(copied_at, min(happened_at, synced_at))


# -- the commands ------------------------------------------------------------------------------------


class CommandState(StrEnum):
    PENDING = "pending"  # waiting to be replayed at the office
    CONFLICT = "conflict"  # waiting for a person (Resolution)
    DONE = "done"  # applied at the office (or found there already)
    DROPPED = "dropped"  # a person took the office's version instead


@dataclass(frozen=True)
class TicketRef:
    """Which ticket a command acts on: one the office numbered (`office`), or one taken offline,
    named by the command that took it (`new`); `local` is its id in the field copy."""

    office: int | None = None
    new: str | None = None
    local: int | None = None
    number: str | None = None  # as the technician saw it (provisional for a new one)


@dataclass(frozen=True)
class FieldCommand:
    """One change made on a field copy, as the call that replays it at the office."""

    command_id: str
    kind: CommandKind
    method: str  # the TicketService method that made it
    ticket: TicketRef
    payload: Mapping[str, object]  # the call's arguments, as JSON values
    happened_at: datetime
    copied_at: datetime  # when the field copy it was made on last had the office's data
    base: Values = dataclasses.field(default_factory=dict)
    mine: Values = dataclasses.field(default_factory=dict)
    seq: int = 0
    state: CommandState = CommandState.PENDING
    decision: Decision | None = None  # why it waits for a person
    result: Mapping[str, object] = dataclasses.field(default_factory=dict)
    settled_how: str = ""  # a Resolution, once a person settled it


@dataclass(frozen=True)
class FieldCopyState:
    """Where a field copy came from and how far it has synced."""

    device_id: str
    office_url: str  # without a password
    user_id: int
    city: str
    prepared_at: datetime
    watermark: int
    last_synced_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str
    clock_skew: timedelta | None
