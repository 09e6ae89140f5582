"""R7: response times count working time only (Mon–Fri 08–12 and 14–18, America/Bogota, minus
Colombian holidays and closure days)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.business_time import add_working_time, working_time_between
from desktop_app.domain.calendar import BusinessCalendar, DaysOff
from desktop_app.domain.policy import DEFAULT_POLICY
from desktop_app.holidays_co import ColombianHolidays

BOGOTA = ZoneInfo("America/Bogota")
HOLIDAYS = ColombianHolidays()
CAL = BusinessCalendar("America/Bogota", DEFAULT_POLICY.working_hours, HOLIDAYS)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=BOGOTA)


def test_r7_inside_one_interval() -> None:
    # Scenario 1: Tuesday 09:10 + 2 working hours = 11:10 the same day.
    assert add_working_time(CAL, at(2026, 12, 1, 9, 10), timedelta(hours=2)) == at(2026, 12, 1, 11, 10)


def test_r7_skips_the_lunch_break() -> None:
    assert add_working_time(CAL, at(2026, 12, 1, 11, 0), timedelta(hours=2)) == at(2026, 12, 1, 15, 0)


def test_r7_ends_exactly_at_the_end_of_an_interval() -> None:
    assert add_working_time(CAL, at(2026, 12, 1, 10, 0), timedelta(hours=2)) == at(2026, 12, 1, 12, 0)


def test_r7_start_before_opening_counts_from_opening() -> None:
    assert add_working_time(CAL, at(2026, 12, 1, 6, 0), timedelta(hours=1)) == at(2026, 12, 1, 9, 0)


def test_r7_start_at_night_moves_to_the_next_morning() -> None:
    assert add_working_time(CAL, at(2026, 12, 1, 21, 0), timedelta(minutes=30)) == at(2026, 12, 2, 8, 30)


def test_r7_skips_the_weekend() -> None:
    # Friday 17:00 + 2 h: one hour on Friday, one on Monday.
    assert add_working_time(CAL, at(2026, 11, 27, 17, 0), timedelta(hours=2)) == at(2026, 11, 30, 9, 0)


def test_r7_scenario_4_profesional_alta_breaches_next_day() -> None:
    # Monday 15:00 + 8 working hours = Tuesday 15:00 (3 h Monday, 4 h Tuesday morning, 1 h after lunch).
    assert add_working_time(CAL, at(2026, 11, 23, 15, 0), timedelta(hours=8)) == at(2026, 11, 24, 15, 0)


def test_r7_skips_colombian_holidays() -> None:
    # Monday 7 Dec 2026 is not a holiday, Tuesday 8 Dec (Inmaculada Concepción) is.
    assert date(2026, 12, 8) in HOLIDAYS
    assert add_working_time(CAL, at(2026, 12, 7, 17, 0), timedelta(hours=2)) == at(2026, 12, 9, 9, 0)


def test_r7_emiliani_monday_holiday() -> None:
    # San José (19 March) falls on Thursday in 2026 and moves to Monday 23 March.
    assert date(2026, 3, 23) in HOLIDAYS and date(2026, 3, 19) not in HOLIDAYS
    assert add_working_time(CAL, at(2026, 3, 20, 17, 0), timedelta(hours=2)) == at(2026, 3, 24, 9, 0)


def test_r7_easter_based_holidays() -> None:
    # Easter 2026 is 5 April: Holy Thursday 2 April and Good Friday 3 April are holidays.
    assert date(2026, 4, 2) in HOLIDAYS and date(2026, 4, 3) in HOLIDAYS
    assert add_working_time(CAL, at(2026, 4, 1, 17, 30), timedelta(hours=1)) == at(2026, 4, 6, 8, 30)


def test_r7_across_the_year_end() -> None:
    # Thu 31 Dec 2026 17:00 + 2 h: one hour on the 31st; Friday 1 Jan 2027 is a holiday and then
    # comes the weekend, so the second hour is Monday 4 Jan.
    assert add_working_time(CAL, at(2026, 12, 31, 17, 0), timedelta(hours=2)) == at(2027, 1, 4, 9, 0)


def test_r7_closure_days_added_by_an_administrator() -> None:
    closed = CAL.with_days_off([date(2026, 12, 2)])
    assert add_working_time(closed, at(2026, 12, 1, 17, 0), timedelta(hours=2)) == at(2026, 12, 3, 9, 0)


def test_r7_holidays_of_1984_and_2100_are_known() -> None:
    assert date(1984, 1, 1) in HOLIDAYS
    assert date(2100, 7, 20) in HOLIDAYS  # Independence Day


def test_r7_exact_to_the_second() -> None:
    start = at(2026, 12, 1, 9, 10, 17)
    end = add_working_time(CAL, start, timedelta(hours=5, seconds=43))
    # 09:10:17 → 12:00 is 2 h 49 min 43 s; the other 2 h 11 min run from 14:00.
    assert end == at(2026, 12, 1, 16, 11, 0)
    assert working_time_between(CAL, start, end) == timedelta(hours=5, seconds=43)


def test_r7_between_is_zero_outside_working_hours() -> None:
    assert working_time_between(CAL, at(2026, 11, 28, 9), at(2026, 11, 29, 17)) == timedelta(0)


def test_r7_between_is_negative_when_reversed() -> None:
    a, b = at(2026, 12, 1, 9), at(2026, 12, 1, 10)
    assert working_time_between(CAL, b, a) == -timedelta(hours=1)


def test_r7_zero_duration_returns_the_start() -> None:
    start = at(2026, 11, 28, 23, 0)
    assert add_working_time(CAL, start, timedelta(0)) == start


def test_r7_refuses_naive_datetimes_and_negative_durations() -> None:
    with pytest.raises(ValueError):
        add_working_time(CAL, datetime(2026, 12, 1, 9), timedelta(hours=1))
    with pytest.raises(ValueError):
        add_working_time(CAL, at(2026, 12, 1, 9), timedelta(hours=-1))


def test_r7_calendar_refuses_an_empty_week_and_overlaps() -> None:
    from datetime import time

    with pytest.raises(ValueError):
        BusinessCalendar("America/Bogota", {})
    with pytest.raises(ValueError):
        BusinessCalendar("America/Bogota", {0: ((time(8), time(12)), (time(11), time(13)))})


def test_r7_utc_inputs_are_read_in_bogota_time() -> None:
    from datetime import UTC

    start = datetime(2026, 12, 1, 14, 10, tzinfo=UTC)  # 09:10 in Bogotá
    assert add_working_time(CAL, start, timedelta(hours=2)) == at(2026, 12, 1, 11, 10)


def test_days_off_union() -> None:
    days = DaysOff(frozenset({date(2026, 1, 2)}), HOLIDAYS)
    assert date(2026, 1, 2) in days and date(2026, 1, 1) in days and date(2026, 1, 5) not in days


# -- properties ---------------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=BOGOTA)
)
durations = st.integers(min_value=0, max_value=200 * 3600).map(lambda s: timedelta(seconds=s))


@settings(max_examples=200, deadline=None)
@given(start=moments, duration=durations)
def test_r7_property_between_inverts_add(start: datetime, duration: timedelta) -> None:
    assert working_time_between(CAL, start, add_working_time(CAL, start, duration)) == duration


@settings(max_examples=200, deadline=None)
@given(start=moments, first=durations, second=durations)
def test_r7_property_additivity(start: datetime, first: timedelta, second: timedelta) -> None:
    stepwise = add_working_time(CAL, add_working_time(CAL, start, first), second)
    assert stepwise == add_working_time(CAL, start, first + second)


@settings(max_examples=200, deadline=None)
@given(start=moments, first=durations, second=durations)
def test_r7_property_monotonic(start: datetime, first: timedelta, second: timedelta) -> None:
    small, large = sorted((first, second))
    assert add_working_time(CAL, start, small) <= add_working_time(CAL, start, large)


@settings(max_examples=200, deadline=None)
@given(a=moments, b=moments, c=moments)
def test_r7_property_between_is_additive_over_splits(a: datetime, b: datetime, c: datetime) -> None:
    assert working_time_between(CAL, a, b) + working_time_between(CAL, b, c) == working_time_between(CAL, a, c)


@settings(max_examples=200, deadline=None)
@given(a=moments, b=moments)
def test_r7_property_add_of_between_lands_at_or_before_b(a: datetime, b: datetime) -> None:
    if b < a:
        a, b = b, a
    landed = add_working_time(CAL, a, working_time_between(CAL, a, b))
    assert landed <= b
    assert working_time_between(CAL, landed, b) == timedelta(0)


def _naive_between(calendar: BusinessCalendar, a: datetime, b: datetime) -> timedelta:
    """Reference: walk every day and every interval."""
    total = timedelta(0)
    day = a.astimezone(BOGOTA).date()
    while day <= b.astimezone(BOGOTA).date():
        for start, end in calendar.intervals_on(day):
            overlap = min(end, b) - max(start, a)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total


long_moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(tzinfo=BOGOTA)
)


@settings(max_examples=60, deadline=None)
@given(a=long_moments, days=st.integers(min_value=0, max_value=1500), seconds=st.integers(0, 86_399))
def test_r7_property_long_spans_equal_the_day_by_day_walk(a: datetime, days: int, seconds: int) -> None:
    b = a + timedelta(days=days, seconds=seconds)
    calendar = BusinessCalendar("America/Bogota", DEFAULT_POLICY.working_hours, ColombianHolidays())
    assert working_time_between(calendar, a, b) == _naive_between(calendar, a, b)
    # The running totals are shared: asking again, further back, must still agree.
    earlier = a - timedelta(days=900)
    assert working_time_between(calendar, earlier, b) == _naive_between(calendar, earlier, b)


def test_r7_a_full_working_week_is_40_hours() -> None:
    assert working_time_between(CAL, at(2026, 11, 23), at(2026, 11, 30)) == timedelta(hours=40)
    # The week of 7 Dec 2026 has the 8 Dec holiday: 32 hours.
    assert working_time_between(CAL, at(2026, 12, 7), at(2026, 12, 14)) == timedelta(hours=32)


def _naive_add(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """Reference: walk interval by interval, day by day."""
    if duration == timedelta(0):
        return start
    remaining, cursor = duration, start.astimezone(BOGOTA)
    day = cursor.date()
    while True:
        for a, b in calendar.intervals_on(day):
            if b <= cursor:
                continue
            begin = max(a, cursor)
            if remaining <= b - begin:
                return begin + remaining
            remaining -= b - begin
        day += timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(
    start=long_moments,
    duration=st.integers(min_value=0, max_value=3000 * 3600 * 10**6).map(lambda us: timedelta(microseconds=us)),
)
def test_r7_property_add_equals_the_interval_walk(start: datetime, duration: timedelta) -> None:
    calendar = BusinessCalendar("America/Bogota", DEFAULT_POLICY.working_hours, ColombianHolidays())
    assert add_working_time(calendar, start, duration) == _naive_add(calendar, start, duration)
