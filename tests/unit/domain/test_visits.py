"""R16: on-site visits only in the four cities, complete, and flagged when a maintenance runs long."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop_app.domain.visits import VisitError, VisitProblem, check_visit, is_long_maintenance, visit_problems

BOGOTA = ZoneInfo("America/Bogota")
START = datetime(2026, 12, 1, 9, 0, tzinfo=BOGOTA)
NOW = datetime(2026, 12, 1, 18, 0, tzinfo=BOGOTA)


def _problems(**changes: object) -> tuple[VisitProblem, ...]:
    fields: dict[str, object] = {
        "city": "Cali",
        "started_at": START,
        "ended_at": START + timedelta(hours=3),
        "work_done": "Calibración del eje Z",
        "travel_expenses": 0,
        "now": NOW,
    }
    fields.update(changes)
    return visit_problems(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("city", ["Barranquilla", "Bogotá", "Cali", "Medellín"])
def test_r16_visits_happen_in_the_four_cities(city: str) -> None:
    assert _problems(city=city) == ()


@pytest.mark.parametrize("city", ["Pereira", "Bogota", "", "medellín"])
def test_r16_any_other_city_is_refused(city: str) -> None:
    assert _problems(city=city) == (VisitProblem.CITY,)


def test_r16_a_visit_ends_after_it_starts_and_is_not_in_the_future() -> None:
    assert _problems(ended_at=START) == (VisitProblem.END_BEFORE_START,)
    assert _problems(ended_at=NOW + timedelta(minutes=1)) == (VisitProblem.IN_THE_FUTURE,)
    assert _problems(ended_at=START + timedelta(hours=17), now=START + timedelta(days=1)) == (VisitProblem.TOO_LONG,)


def test_r16_every_problem_is_named_at_once() -> None:
    with pytest.raises(VisitError) as error:
        check_visit(city="Tunja", started_at=START, ended_at=START, work_done=" ", travel_expenses=-1, now=NOW)
    assert error.value.problems == (
        VisitProblem.CITY,
        VisitProblem.END_BEFORE_START,
        VisitProblem.NO_WORK_DONE,
        VisitProblem.NEGATIVE_EXPENSES,
    )


@pytest.mark.parametrize(
    ("maintenance", "hours", "flagged"),
    [(True, 4, False), (True, 4.01, True), (True, 4.5, True), (False, 6, False), (True, 3.5, False)],
)
def test_r16_a_maintenance_longer_than_the_maximum_is_flagged(maintenance: bool, hours: float, flagged: bool) -> None:
    assert is_long_maintenance(maintenance, START, START + timedelta(hours=hours), 4) is flagged
