"""The working-time calendar (R7): weekly hours in a time zone, minus holidays and closure days.

Holidays arrive as data (an adapter builds them from the `holidays` package), so the domain stays pure.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from desktop_app.domain.policy import WeeklyHours

_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class BusinessCalendar:
    """Args:
    timezone: IANA name, e.g. "America/Bogota".
    weekly_hours: working intervals per weekday (Monday=0), each (start, end) with start < end.
    non_working_days: public holidays and closure days, as local dates. Any container works, so an
        adapter can compute holidays lazily for whatever years a question touches.
    """

    timezone: str
    weekly_hours: WeeklyHours
    non_working_days: Container[date] = frozenset()

    def __post_init__(self) -> None:
        if not any(self.weekly_hours.get(day) for day in range(7)):
            raise ValueError("a calendar needs at least one working interval in the week")
        for intervals in self.weekly_hours.values():
            previous_end = time.min
            for start, end in intervals:
                if not start < end or start < previous_end:
                    raise ValueError("working intervals must be ordered and must not overlap")
                previous_end = end

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        return day not in self.non_working_days and bool(self.weekly_hours.get(day.weekday()))

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of one local day, as aware datetimes (empty on a day off)."""
        if not self.is_working_day(day):
            return []
        tz = self.tz
        return [
            (datetime.combine(day, start, tz), datetime.combine(day, end, tz))
            for start, end in self.weekly_hours[day.weekday()]
        ]

    def full_day_microseconds(self, day: date) -> int:
        """Working time of one whole local day, in microseconds (0 on a day off)."""
        if not self.is_working_day(day):
            return 0
        return sum(
            (datetime.combine(day, end) - datetime.combine(day, start)) // _MICROSECOND
            for start, end in self.weekly_hours[day.weekday()]
        )

    def microseconds_in_days(self, first: date, stop: date) -> int:
        """Working time of the whole days first, first+1 … stop-1, in microseconds (0 when stop <= first).

        Answered from running totals built once per calendar, so a span of years costs the same
        as a span of days: the queue recomputes hundreds of countdowns a minute.
        """
        if stop <= first:
            return 0
        return self._running_totals.between(first, stop)

    def first_day_reaching(self, first: date, microseconds: int) -> tuple[date, int]:
        """The day on which `microseconds` of working time, counted from the start of `first`, run
        out, and how much of it is left for that day. Whole days are skipped by bisection."""
        return self._running_totals.day_reaching(first, microseconds)

    @cached_property
    def _running_totals(self) -> _RunningTotals:
        return _RunningTotals(self)

    def with_days_off(self, days: Iterable[date]) -> BusinessCalendar:
        return BusinessCalendar(self.timezone, self.weekly_hours, DaysOff(self.non_working_days, frozenset(days)))


class DaysOff(Container[date]):
    """The union of several sets of days off (public holidays, company closures…)."""

    def __init__(self, *sources: Container[date]) -> None:
        self._sources = sources

    def __contains__(self, day: object) -> bool:
        return any(day in source for source in self._sources)


class _RunningTotals:
    """totals[i] = working microseconds of the days start … start+i-1; grown on demand both ways."""

    _MARGIN = timedelta(days=31)

    def __init__(self, calendar: BusinessCalendar) -> None:
        self._calendar = calendar
        self._start: date | None = None
        self._totals: list[int] = [0]
        # One calendar serves the window's countdowns, the database worker and the report readers
        # at once: growing the totals (which may start them over earlier) must not be seen half done.
        self._lock = threading.Lock()

    def _cover(self, first: date, stop: date) -> None:
        if self._start is None or first < self._start:
            new_start = first - self._MARGIN
            old_end = self._end() if self._start is not None else new_start
            self._start = new_start
            self._totals = [0]
            self._extend_to(max(old_end, stop))
        elif stop > self._end():
            self._extend_to(stop + self._MARGIN)

    def _end(self) -> date:
        assert self._start is not None
        return self._start + timedelta(days=len(self._totals) - 1)

    def _extend_to(self, stop: date) -> None:
        day = self._end()
        running = self._totals[-1]
        while day < stop:
            running += self._calendar.full_day_microseconds(day)
            self._totals.append(running)
            day += timedelta(days=1)

    def day_reaching(self, first: date, amount: int) -> tuple[date, int]:
        with self._lock:
            self._cover(first, first + timedelta(days=1))
            assert self._start is not None
            base_index = (first - self._start).days
            target = self._totals[base_index] + amount
            # Grow until the totals pass the target (a calendar has working time every week).
            while self._totals[-1] < target:
                self._extend_to(self._end() + self._MARGIN + timedelta(days=len(self._totals) // 2))
            index = bisect_left(self._totals, target, lo=base_index + 1)
            # totals[index] >= target: the time runs out during day index - 1.
            day = self._start + timedelta(days=index - 1)
            return day, target - self._totals[index - 1]

    def between(self, first: date, stop: date) -> int:
        with self._lock:
            self._cover(first, stop)
            assert self._start is not None
            return self._totals[(stop - self._start).days] - self._totals[(first - self._start).days]
