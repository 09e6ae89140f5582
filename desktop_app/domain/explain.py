""" "Why this due time": the working intervals counted, and what was skipped (R7, R9).

The ticket view and `makersupport sla` show this, so an agent can answer a client's "why is it
due on Tuesday?" line by line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from desktop_app.domain.calendar import BusinessCalendar
from desktop_app.domain.sla import Interval


class StepKind(StrEnum):
    COUNTED = "counted"  # working time that counts towards the response time
    PAUSED = "paused"  # working time spent waiting on the customer (R9)
    WEEKEND = "weekend"  # a day without working hours
    HOLIDAY = "holiday"  # a public holiday or a closure day


@dataclass(frozen=True)
class ExplanationStep:
    kind: StepKind
    start: datetime
    end: datetime
    day: date

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Explanation:
    started_at: datetime
    due_at: datetime
    response_time: timedelta
    steps: tuple[ExplanationStep, ...]

    @property
    def counted(self) -> timedelta:
        return sum((s.duration for s in self.steps if s.kind is StepKind.COUNTED), timedelta(0))


def _split_by_pauses(
    start: datetime, end: datetime, pauses: Sequence[Interval], now: datetime
) -> list[tuple[StepKind, datetime, datetime]]:
    pieces: list[tuple[StepKind, datetime, datetime]] = []
    cursor = start
    for pause in sorted(pauses, key=lambda p: p.start):
        p_start, p_end = max(pause.start, start), min(pause.end or now, end)
        if p_end <= p_start or p_end <= cursor:
            continue
        if p_start > cursor:
            pieces.append((StepKind.COUNTED, cursor, p_start))
        pieces.append((StepKind.PAUSED, max(p_start, cursor), p_end))
        cursor = p_end
    if cursor < end:
        pieces.append((StepKind.COUNTED, cursor, end))
    return pieces


def explain_due(
    calendar: BusinessCalendar,
    started_at: datetime,
    due_at: datetime,
    response_time: timedelta,
    pauses: Sequence[Interval] = (),
    *,
    now: datetime | None = None,
) -> Explanation:
    """The steps from `started_at` to `due_at`, day by day (at most a few weeks for a due time)."""
    tz = calendar.tz
    start_local, due_local = started_at.astimezone(tz), due_at.astimezone(tz)
    moment = now or due_at
    steps: list[ExplanationStep] = []
    day = start_local.date()
    while day <= due_local.date():
        intervals = calendar.intervals_on(day)
        if not intervals:
            kind = StepKind.WEEKEND if not calendar.weekly_hours.get(day.weekday()) else StepKind.HOLIDAY
            whole_day = datetime.combine(day, datetime.min.time(), tz)
            steps.append(ExplanationStep(kind, whole_day, whole_day + timedelta(days=1), day))
        for interval_start, interval_end in intervals:
            begin, end = max(interval_start, start_local), min(interval_end, due_local)
            if end <= begin:
                continue
            for kind, a, b in _split_by_pauses(begin, end, pauses, moment):
                steps.append(ExplanationStep(kind, a, b, day))
        day += timedelta(days=1)
    return Explanation(started_at, due_at, response_time, tuple(steps))
