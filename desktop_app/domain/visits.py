"""On-site visits (R16): where they may happen, what each must record, and when a maintenance
visit ran too long.

A visit is checked as a whole and every problem is named at once, so the technician fixes the
form in one pass instead of meeting the problems one at a time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from desktop_app.domain.model import ONSITE_CITIES

# A visit longer than this is certainly a typing mistake (a day and a night at one printer).
MAX_VISIT_LENGTH = timedelta(hours=16)


class VisitProblem(StrEnum):
    CITY = "city"  # not one of the four on-site cities
    END_BEFORE_START = "end_before_start"
    TOO_LONG = "too_long"
    IN_THE_FUTURE = "in_the_future"
    NO_WORK_DONE = "no_work_done"
    NEGATIVE_EXPENSES = "negative_expenses"


class VisitError(ValueError):
    def __init__(self, problems: tuple[VisitProblem, ...]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


def visit_problems(
    *,
    city: str,
    started_at: datetime,
    ended_at: datetime,
    work_done: str,
    travel_expenses: int,
    now: datetime,
) -> tuple[VisitProblem, ...]:
    problems: list[VisitProblem] = []
    if city not in ONSITE_CITIES:
        problems.append(VisitProblem.CITY)
    if ended_at <= started_at:
        problems.append(VisitProblem.END_BEFORE_START)
    elif ended_at - started_at > MAX_VISIT_LENGTH:
        problems.append(VisitProblem.TOO_LONG)
    if ended_at > now:
        problems.append(VisitProblem.IN_THE_FUTURE)
    if not work_done.strip():
        problems.append(VisitProblem.NO_WORK_DONE)
    if travel_expenses < 0:
        problems.append(VisitProblem.NEGATIVE_EXPENSES)
    return tuple(problems)


def check_visit(
    *, city: str, started_at: datetime, ended_at: datetime, work_done: str, travel_expenses: int, now: datetime
) -> None:
    """Raises VisitError naming every problem of the visit."""
    problems = visit_problems(
        city=city,
        started_at=started_at,
        ended_at=ended_at,
        work_done=work_done,
        travel_expenses=travel_expenses,
        now=now,
    )
    if problems:
        raise VisitError(problems)


def is_long_maintenance(maintenance: bool, started_at: datetime, ended_at: datetime, max_hours: int) -> bool:
    """R16: a maintenance lasts at most max_hours (4 by default); a longer one is flagged for review."""
    return maintenance and ended_at - started_at > timedelta(hours=max_hours)
