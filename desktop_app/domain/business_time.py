"""SLA arithmetic in working time, exact to the microsecond (R7).

Both functions walk the calendar one local day at a time. Response times are hours to a few weeks,
so the walk is short; no caching is needed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from desktop_app.domain.calendar import BusinessCalendar

_ZERO = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("business-time arithmetic needs timezone-aware datetimes")


def add_working_time(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """The moment at which `duration` of working time has elapsed after `start`.

    A zero duration returns `start` unchanged. The result is in the calendar's time zone; when the
    last working second ends an interval, the result is that interval's end (e.g. 12:00, not 14:00).
    The start day is walked interval by interval; whole days after it are skipped with the
    calendar's running totals, so an 80-hour response time costs no more than a 2-hour one.
    """
    _require_aware(start)
    if duration < _ZERO:
        raise ValueError("duration must not be negative")
    if duration == _ZERO:
        return start
    cursor = start.astimezone(calendar.tz)
    remaining = _walk_day(calendar, cursor.date(), cursor, duration)
    if isinstance(remaining, datetime):
        return remaining
    day, left = calendar.first_day_reaching(cursor.date() + timedelta(days=1), remaining // _MICROSECOND)
    day_start = datetime.combine(day, datetime.min.time(), calendar.tz)
    landed = _walk_day(calendar, day, day_start, timedelta(microseconds=left))
    assert isinstance(landed, datetime), "the running totals said the time runs out on this day"
    return landed


def _walk_day(calendar: BusinessCalendar, day: date, cursor: datetime, duration: timedelta) -> datetime | timedelta:
    """Spend `duration` from `cursor` within one day: the moment it runs out, or what is left."""
    remaining = duration
    for interval_start, interval_end in calendar.intervals_on(day):
        if interval_end <= cursor:
            continue
        begin = max(interval_start, cursor)
        available = interval_end - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    return remaining


def _within_day(calendar: BusinessCalendar, a_local: datetime, b_local: datetime) -> timedelta:
    """Working time between two moments of the same local day."""
    total = _ZERO
    for interval_start, interval_end in calendar.intervals_on(a_local.date()):
        begin = max(interval_start, a_local)
        end = min(interval_end, b_local)
        if end > begin:
            total += end - begin
    return total


def working_time_between(calendar: BusinessCalendar, a: datetime, b: datetime) -> timedelta:
    """Working time from `a` to `b`; negative when `b` is before `a`.

    The first and last days are measured interval by interval; the whole days between come from
    the calendar's running totals, so long spans (an old breach) cost no more than short ones.
    """
    _require_aware(a)
    _require_aware(b)
    if b < a:
        return -working_time_between(calendar, b, a)
    tz = calendar.tz
    a_local, b_local = a.astimezone(tz), b.astimezone(tz)
    first_day, last_day = a_local.date(), b_local.date()
    if first_day == last_day:
        return _within_day(calendar, a_local, b_local)
    end_of_first = datetime.combine(first_day + timedelta(days=1), datetime.min.time(), tz)
    start_of_last = datetime.combine(last_day, datetime.min.time(), tz)
    return (
        _within_day(calendar, a_local, end_of_first)
        + timedelta(microseconds=calendar.microseconds_in_days(first_day + timedelta(days=1), last_day))
        + _within_day(calendar, start_of_last, b_local)
    )
