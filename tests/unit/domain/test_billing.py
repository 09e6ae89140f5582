"""R6/R16/R17: what a plan used, and what is billed, to the peso."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from desktop_app.domain.billing import LineKind, TimeEntry, VisitEntry, balance, billing_lines, totals

BOGOTA = ZoneInfo("America/Bogota")
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=BOGOTA)


def _visit(day: int, hours: float, *, maintenance: bool = True, travel: int = 0) -> VisitEntry:
    start = T0 + timedelta(days=day)
    return VisitEntry(start, start + timedelta(hours=hours), f"SOP-2026-{day:05d}", "MK-M3-1", maintenance, travel)


def test_r6_the_balance_counts_recorded_minutes_and_maintenance_visits() -> None:
    time = [TimeEntry(T0, "SOP-1", 90), TimeEntry(T0, "SOP-2", 45)]
    visits = [_visit(1, 3), _visit(2, 1, maintenance=False)]
    used = balance(time, visits, included_hours=2, included_maintenances=4)
    assert (used.advisory_minutes_used, used.advisory_minutes_included) == (135, 120)
    assert (used.maintenances_used, used.maintenances_included) == (1, 4)
    assert used.extra_advisory_minutes == 15


def test_r17_extra_hours_are_billed_by_the_started_quarter_hour_at_the_plan_rate() -> None:
    time = [TimeEntry(T0, "SOP-1", 60 * 20), TimeEntry(T0 + timedelta(days=3), "SOP-2", 61)]
    [line] = billing_lines(time, [], 20, 4, 150_000, date(2027, 11, 30))
    assert line.kind is LineKind.EXTRA_HOURS and line.quantity_minutes == 75  # 61 min → 1 h 15 min
    assert line.amount == 187_500 and line.reference == "SOP-1, SOP-2"
    assert line.day == date(2026, 12, 4)


def test_r16_r17_travel_expenses_and_maintenances_beyond_the_plan_are_billed() -> None:
    visits = [_visit(1, 3.5, travel=180_000), _visit(2, 2), _visit(3, 4.5, travel=250_000)]
    lines = billing_lines([], visits, 0, 2, 160_000, date(2027, 11, 30))
    kinds = [(line.kind, line.amount) for line in lines]
    assert kinds == [
        (LineKind.TRAVEL, 180_000),
        (LineKind.OUT_OF_PLAN, 720_000),  # the third maintenance: 4 h 30 min at 160.000
        (LineKind.TRAVEL, 250_000),
    ]
    assert totals(lines) == totals(lines)  # deterministic
    summed = totals(lines)
    assert (summed.before_iva, summed.iva, summed.total) == (1_150_000, 218_500, 1_368_500)


def test_r17_iva_is_rounded_half_up_to_the_peso() -> None:
    [line] = billing_lines([TimeEntry(T0, "SOP-1", 15)], [], 0, 0, 150_002, date(2027, 1, 1))
    assert line.amount == 37_501  # 150.002 / 4 = 37.500,5 → 37.501
    assert totals([line]).iva == 7_125  # 37.501 × 19 % = 7.125,19


def test_r17_nothing_used_nothing_billed() -> None:
    assert billing_lines([], [_visit(1, 2)], 20, 4, 150_000, date(2027, 1, 1)) == []
