"""Ticket lifecycle (R4, R12, R13, R14): which status changes are allowed, contact attempts, closing.

Refusals are raised as LifecycleError with a code; the UI turns the code into words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from desktop_app.domain.calendar import BusinessCalendar
from desktop_app.domain.ids import UserId
from desktop_app.domain.model import TicketStatus
from desktop_app.domain.policy import MAX_WAIT_DAYS, MIN_WAIT_DAYS
from desktop_app.domain.sla import StatusChange

MAX_CONTACT_ATTEMPTS = 3
CLOSED_STATUSES = frozenset({TicketStatus.CLOSED, TicketStatus.CLOSED_NO_RESPONSE, TicketStatus.OUT_OF_SCOPE})

_ALLOWED: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.NEW: frozenset(
        {
            TicketStatus.IN_PROGRESS,
            TicketStatus.WAITING_CUSTOMER,
            TicketStatus.CLOSED,
            TicketStatus.OUT_OF_SCOPE,
        }
    ),
    TicketStatus.IN_PROGRESS: frozenset(
        {TicketStatus.WAITING_CUSTOMER, TicketStatus.CLOSED, TicketStatus.OUT_OF_SCOPE}
    ),
    TicketStatus.WAITING_CUSTOMER: frozenset(
        {
            TicketStatus.IN_PROGRESS,
            TicketStatus.CLOSED,
            TicketStatus.CLOSED_NO_RESPONSE,
            TicketStatus.OUT_OF_SCOPE,
        }
    ),
    # Reopening (R14) is the only way out of a closed status.
    TicketStatus.CLOSED: frozenset({TicketStatus.IN_PROGRESS}),
    TicketStatus.CLOSED_NO_RESPONSE: frozenset({TicketStatus.IN_PROGRESS}),
    TicketStatus.OUT_OF_SCOPE: frozenset({TicketStatus.IN_PROGRESS}),
}


class Refusal(StrEnum):
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    NOT_WAITING = "not_waiting"  # contact attempts are made while waiting on the customer
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    SAME_DAY_ATTEMPT = "same_day_attempt"  # R12: distinct business days
    NOT_A_WORKING_DAY = "not_a_working_day"
    ATTEMPT_BEFORE_PREVIOUS = "attempt_before_previous"
    NOT_ENOUGH_ATTEMPTS = "not_enough_attempts"
    WAIT_NOT_OVER = "wait_not_over"
    NOT_CLOSED = "not_closed"
    REASON_REQUIRED = "reason_required"
    BAD_WAIT = "bad_wait"  # R12: the stated wait is MIN_WAIT_DAYS to MAX_WAIT_DAYS working days


class LifecycleError(Exception):
    def __init__(self, refusal: Refusal, *, until: datetime | None = None) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.until = until  # for WAIT_NOT_OVER: when closing becomes possible


@dataclass(frozen=True)
class ContactAttempt:
    at: datetime
    number: int
    wait_days: int  # the wait before closing that the agent told the customer


def check_transition(current: TicketStatus, target: TicketStatus) -> None:
    if target not in _ALLOWED[current]:
        raise LifecycleError(Refusal.TRANSITION_NOT_ALLOWED)


def add_working_days(calendar: BusinessCalendar, moment: datetime, days: int) -> datetime:
    """The same local time on the `days`-th working day after `moment`'s day."""
    local = moment.astimezone(calendar.tz)
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return datetime.combine(day, local.timetz())


def check_stated_wait(days: int) -> None:
    """R12: the wait before closing that the agent states to the customer; at least one working
    day, so the third attempt never closes the ticket at once."""
    if not MIN_WAIT_DAYS <= days <= MAX_WAIT_DAYS:
        raise LifecycleError(Refusal.BAD_WAIT)


def next_attempt_number(
    calendar: BusinessCalendar, status: TicketStatus, previous: Sequence[ContactAttempt], at: datetime
) -> int:
    """Check a new contact attempt at `at` (R12) and return its number (1, 2 or 3)."""
    if not accepts_contact_attempts(status):
        raise LifecycleError(Refusal.NOT_WAITING)
    if len(previous) >= MAX_CONTACT_ATTEMPTS:
        raise LifecycleError(Refusal.TOO_MANY_ATTEMPTS)
    local_day = at.astimezone(calendar.tz).date()
    if not calendar.is_working_day(local_day):
        raise LifecycleError(Refusal.NOT_A_WORKING_DAY)
    for attempt in previous:
        if attempt.at > at:
            raise LifecycleError(Refusal.ATTEMPT_BEFORE_PREVIOUS)
        if attempt.at.astimezone(calendar.tz).date() == local_day:
            raise LifecycleError(Refusal.SAME_DAY_ATTEMPT)
    return len(previous) + 1


def no_response_close_allowed_from(calendar: BusinessCalendar, attempts: Sequence[ContactAttempt]) -> datetime:
    """When "closed — no customer response" becomes possible: the stated wait after the third attempt."""
    if len(attempts) < MAX_CONTACT_ATTEMPTS:
        raise LifecycleError(Refusal.NOT_ENOUGH_ATTEMPTS)
    third = sorted(attempts, key=lambda a: a.at)[MAX_CONTACT_ATTEMPTS - 1]
    # An attempt logged before the wait was checked may say 0 days; it still waits one.
    return add_working_days(calendar, third.at, max(third.wait_days, MIN_WAIT_DAYS))


def check_close_no_response(
    calendar: BusinessCalendar, status: TicketStatus, attempts: Sequence[ContactAttempt], now: datetime
) -> None:
    check_transition(status, TicketStatus.CLOSED_NO_RESPONSE)
    allowed_from = no_response_close_allowed_from(calendar, attempts)
    if now < allowed_from:
        raise LifecycleError(Refusal.WAIT_NOT_OVER, until=allowed_from)


def closes_for_someone_else(closer: UserId | None, assigned: UserId | None) -> bool:
    """R13: the assigned agent closes a ticket. Anyone else who may work on it closes it for them,
    and says why. The desk itself (no person: the mail jobs) and a ticket with nobody assigned
    close without one."""
    return closer is not None and assigned is not None and closer != assigned


def check_reopen(status: TicketStatus) -> None:
    if status not in CLOSED_STATUSES:
        raise LifecycleError(Refusal.NOT_CLOSED)


def can_transition(current: TicketStatus, target: TicketStatus) -> bool:
    """For offering actions: the same rule as check_transition, as a yes/no."""
    return target in _ALLOWED[current]


def accepts_contact_attempts(status: TicketStatus) -> bool:
    """R12: attempts are made while the ticket waits on the customer."""
    return status is TicketStatus.WAITING_CUSTOMER


def waiting_since(changes: Sequence[StatusChange], clock_start: datetime) -> datetime:
    """R12: contact attempts count from the latest time the ticket started waiting on the customer
    (an earlier wait's attempts, or a previous life before reopening, do not count)."""
    since = clock_start
    for change in changes:
        if change.to is TicketStatus.WAITING_CUSTOMER and change.at >= since:
            since = change.at
    return since


def attempt_due(
    calendar: BusinessCalendar, status: TicketStatus, previous: Sequence[ContactAttempt], now: datetime
) -> int | None:
    """R12: the number of the contact attempt that may be made today, or None when none may (not
    waiting, all three made, not a working day, or one already made today). The reminder of it
    uses the very check that accepts the attempt."""
    try:
        return next_attempt_number(calendar, status, previous, now)
    except LifecycleError:
        return None


def may_close_without_response(
    calendar: BusinessCalendar, status: TicketStatus, attempts: Sequence[ContactAttempt], now: datetime
) -> datetime | None:
    """R12: since when the ticket may close as "closed — no customer response", if it may now."""
    try:
        check_close_no_response(calendar, status, attempts, now)
    except LifecycleError:
        return None
    return no_response_close_allowed_from(calendar, attempts)
