"""SLA state of a ticket (R7, R9, R10, R14): what is due, when, and how much working time is left.

Everything is derived from facts that are stored anyway (when the clock started, the status
history, the last answers), so a due time can always be recomputed and explained. Time spent
waiting on the customer does not count (R9). After the first response, the promise becomes the
next update (R10). A reopened ticket starts a new clock (R14).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from desktop_app.domain.business_time import add_working_time, working_time_between
from desktop_app.domain.calendar import BusinessCalendar
from desktop_app.domain.model import TicketStatus

_ZERO = timedelta(0)


class SlaState(StrEnum):
    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"  # closed: nothing is due


class SlaTarget(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_UPDATE = "next_update"


@dataclass(frozen=True)
class SlaStatus:
    state: SlaState
    # Working time left until the due time; negative once breached; None when nothing is due.
    remaining: timedelta | None


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime | None  # None: still going on


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    to: TicketStatus
    reason: str = ""  # why, when the change says so (e.g. "images_requested" at intake, R2)


@dataclass(frozen=True)
class SlaFacts:
    """What the SLA of one ticket is computed from."""

    clock_started_at: datetime  # received, or reopened (R14)
    response_time: timedelta
    status: TicketStatus
    status_changes: tuple[StatusChange, ...] = ()
    first_responded_at: datetime | None = None
    last_agent_update_at: datetime | None = None


@dataclass(frozen=True)
class TicketSla:
    target: SlaTarget
    target_started_at: datetime
    due_at: datetime | None  # None while paused or closed
    status: SlaStatus
    # Working time counted towards the current target so far (pauses excluded): escalation uses it.
    elapsed: timedelta
    pauses: tuple[Interval, ...]


def first_response_due(calendar: BusinessCalendar, received_at: datetime, response_time: timedelta) -> datetime:
    return add_working_time(calendar, received_at, response_time)


def pauses_from_history(changes: Sequence[StatusChange], since: datetime) -> tuple[Interval, ...]:
    """The periods spent waiting on the customer after `since`, from the status history (R9)."""
    pauses: list[Interval] = []
    started: datetime | None = None
    for change in sorted(changes, key=lambda c: c.at):
        if change.to is TicketStatus.WAITING_CUSTOMER and started is None:
            started = change.at
        elif change.to is not TicketStatus.WAITING_CUSTOMER and started is not None:
            if change.at > since:
                pauses.append(Interval(max(started, since), change.at))
            started = None
    if started is not None:
        pauses.append(Interval(max(started, since), None))
    return tuple(pauses)


def _paused_working_time(
    calendar: BusinessCalendar, pauses: Sequence[Interval], a: datetime, b: datetime, now: datetime
) -> timedelta:
    total = _ZERO
    for pause in pauses:
        start = max(pause.start, a)
        end = min(pause.end or now, b)
        if end > start:
            total += working_time_between(calendar, start, end)
    return total


def counted_working_time(
    calendar: BusinessCalendar, pauses: Sequence[Interval], a: datetime, b: datetime, now: datetime
) -> timedelta:
    """Working time from a to b that counts: pauses taken out. Negative when b is before a."""
    if b < a:
        return -counted_working_time(calendar, pauses, b, a, now)
    return working_time_between(calendar, a, b) - _paused_working_time(calendar, pauses, a, b, now)


def add_counted_working_time(
    calendar: BusinessCalendar, start: datetime, duration: timedelta, pauses: Sequence[Interval]
) -> datetime:
    """When `duration` of counted working time has passed after `start`, skipping closed pauses.

    Each round lengthens the span by the pause time found inside it; the pauses are finite, so
    the rounds stop (usually after one or two).
    """
    extra = _ZERO
    while True:
        due = add_working_time(calendar, start, duration + extra)
        paused = _paused_working_time(calendar, pauses, start, due, due)
        if paused == extra:
            return due
        extra = paused


def ticket_sla(
    calendar: BusinessCalendar, facts: SlaFacts, now: datetime, *, at_risk_fraction: float = 0.25
) -> TicketSla:
    if facts.first_responded_at is not None and facts.first_responded_at >= facts.clock_started_at:
        target = SlaTarget.NEXT_UPDATE
        started = max(facts.last_agent_update_at or facts.first_responded_at, facts.first_responded_at)
    else:
        target = SlaTarget.FIRST_RESPONSE
        started = facts.clock_started_at
    pauses = pauses_from_history(facts.status_changes, started)
    if not facts.status.is_open:
        return TicketSla(target, started, None, SlaStatus(SlaState.MET, None), _ZERO, pauses)
    elapsed = counted_working_time(calendar, pauses, started, max(now, started), now)
    if facts.status is TicketStatus.WAITING_CUSTOMER:
        remaining = facts.response_time - elapsed
        return TicketSla(target, started, None, SlaStatus(SlaState.PAUSED, remaining), elapsed, pauses)
    closed_pauses = [p for p in pauses if p.end is not None]
    due = add_counted_working_time(calendar, started, facts.response_time, closed_pauses)
    if now >= due:
        state = SlaState.BREACHED
        remaining = -counted_working_time(calendar, pauses, due, now, now)
    else:
        remaining = counted_working_time(calendar, pauses, now, due, now)
        state = SlaState.AT_RISK if remaining < facts.response_time * at_risk_fraction else SlaState.ON_TIME
    return TicketSla(target, started, due, SlaStatus(state, remaining), elapsed, pauses)


def sla_status(
    calendar: BusinessCalendar,
    *,
    due_at: datetime | None,
    response_time: timedelta,
    now: datetime,
    paused: bool = False,
    at_risk_fraction: float = 0.25,
) -> SlaStatus:
    """The state of a stored due time at `now` (the queue's live countdown, without the history)."""
    if paused:
        remaining = None if due_at is None else working_time_between(calendar, now, due_at)
        return SlaStatus(SlaState.PAUSED, remaining)
    if due_at is None:
        return SlaStatus(SlaState.MET, None)
    remaining = working_time_between(calendar, now, due_at)
    if now >= due_at:
        return SlaStatus(SlaState.BREACHED, remaining)
    if remaining < response_time * at_risk_fraction:
        return SlaStatus(SlaState.AT_RISK, remaining)
    return SlaStatus(SlaState.ON_TIME, remaining)
