"""First-response due time and SLA state of a ticket (R7, R9, R10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from desktop_app.domain.business_time import add_working_time, working_time_between
from desktop_app.domain.calendar import BusinessCalendar


class SlaState(StrEnum):
    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"  # answered; nothing is due


@dataclass(frozen=True)
class SlaStatus:
    state: SlaState
    # Working time left until the due time; negative once breached; None when nothing is due.
    remaining: timedelta | None


def first_response_due(
    calendar: BusinessCalendar, received_at: datetime, response_time: timedelta
) -> datetime:
    return add_working_time(calendar, received_at, response_time)


def sla_status(
    calendar: BusinessCalendar,
    *,
    due_at: datetime | None,
    response_time: timedelta,
    now: datetime,
    paused: bool = False,
    at_risk_fraction: float = 0.25,
) -> SlaStatus:
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
