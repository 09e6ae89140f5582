"""R12 in the domain: the wait stated after the third contact attempt is at least one working day."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from desktop_app.domain.calendar import BusinessCalendar
from desktop_app.domain.lifecycle import (
    ContactAttempt,
    LifecycleError,
    Refusal,
    check_stated_wait,
    no_response_close_allowed_from,
)
from desktop_app.domain.policy import DEFAULT_POLICY, PolicyProblem, validate
from desktop_app.holidays_co import ColombianHolidays

BOGOTA = ZoneInfo("America/Bogota")
CAL = BusinessCalendar("America/Bogota", DEFAULT_POLICY.working_hours, ColombianHolidays())


@pytest.mark.parametrize("days", [0, -1, 31])
def test_R12_a_stated_wait_outside_one_to_thirty_working_days_is_refused(days: int) -> None:
    with pytest.raises(LifecycleError) as refused:
        check_stated_wait(days)
    assert refused.value.refusal is Refusal.BAD_WAIT
    check_stated_wait(1)
    check_stated_wait(30)


@pytest.mark.parametrize("days", [0, -1])
def test_R12_the_policy_validation_names_a_wait_under_one_working_day(days: int) -> None:
    issues = validate(replace(DEFAULT_POLICY, wait_after_third_attempt_days=days))
    assert [(i.problem, i.field) for i in issues] == [(PolicyProblem.BAD_WAIT, "wait_after_third_attempt_days")]
    assert validate(replace(DEFAULT_POLICY, wait_after_third_attempt_days=1)) == []


def test_R12_an_attempt_recorded_with_no_wait_still_waits_one_working_day() -> None:
    """Attempts logged before the wait was checked may say 0 days: closing still waits a working day."""
    attempts = [
        ContactAttempt(datetime(2026, 12, day, 10, 0, tzinfo=BOGOTA), n, 0) for n, day in enumerate((1, 2, 3), 1)
    ]
    assert no_response_close_allowed_from(CAL, attempts) == datetime(2026, 12, 4, 10, 0, tzinfo=BOGOTA)
