"""R7, R9, R10: due time and SLA state of a ticket."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from desktop_app.domain.calendar import BusinessCalendar
from desktop_app.domain.ids import PlanCode
from desktop_app.domain.model import Severity
from desktop_app.domain.policy import DEFAULT_POLICY
from desktop_app.domain.sla import SlaState, first_response_due, sla_status

BOGOTA = ZoneInfo("America/Bogota")
CAL = BusinessCalendar("America/Bogota", DEFAULT_POLICY.working_hours, frozenset())
RECEIVED = datetime(2026, 12, 1, 9, 10, tzinfo=BOGOTA)  # Tuesday
TWO_HOURS = timedelta(hours=2)


def test_r7_scenario_1_premium_critical_due_at_11_10() -> None:
    response = DEFAULT_POLICY.response_time(PlanCode("premium"), Severity.CRITICAL)
    assert response == TWO_HOURS
    assert first_response_due(CAL, RECEIVED, response) == datetime(2026, 12, 1, 11, 10, tzinfo=BOGOTA)


def test_r7_on_time_then_at_risk_then_breached() -> None:
    due = first_response_due(CAL, RECEIVED, TWO_HOURS)
    on_time = sla_status(CAL, due_at=due, response_time=TWO_HOURS, now=RECEIVED + timedelta(minutes=30))
    at_risk = sla_status(CAL, due_at=due, response_time=TWO_HOURS, now=due - timedelta(minutes=29))
    breached = sla_status(CAL, due_at=due, response_time=TWO_HOURS, now=due + timedelta(minutes=1))
    assert on_time.state is SlaState.ON_TIME and on_time.remaining == timedelta(minutes=90)
    assert at_risk.state is SlaState.AT_RISK
    assert breached.state is SlaState.BREACHED and breached.remaining == -timedelta(minutes=1)


def test_r7_at_risk_threshold_is_a_quarter_of_the_response_time() -> None:
    due = first_response_due(CAL, RECEIVED, TWO_HOURS)
    exactly_quarter = sla_status(CAL, due_at=due, response_time=TWO_HOURS, now=due - timedelta(minutes=30))
    assert exactly_quarter.state is SlaState.ON_TIME
    just_under = sla_status(CAL, due_at=due, response_time=TWO_HOURS, now=due - timedelta(minutes=29, seconds=59))
    assert just_under.state is SlaState.AT_RISK


def test_r7_remaining_counts_working_time_over_lunch() -> None:
    due = datetime(2026, 12, 1, 15, 0, tzinfo=BOGOTA)
    status = sla_status(
        CAL, due_at=due, response_time=timedelta(hours=4), now=datetime(2026, 12, 1, 11, 0, tzinfo=BOGOTA)
    )
    assert status.remaining == timedelta(hours=2)


def test_r9_waiting_on_customer_is_paused() -> None:
    due = first_response_due(CAL, RECEIVED, TWO_HOURS)
    paused = sla_status(CAL, due_at=due, response_time=TWO_HOURS, now=due + timedelta(hours=5), paused=True)
    assert paused.state is SlaState.PAUSED


def test_r10_answered_ticket_has_nothing_due() -> None:
    status = sla_status(CAL, due_at=None, response_time=TWO_HOURS, now=RECEIVED)
    assert status.state is SlaState.MET and status.remaining is None


def test_r7_default_matrix_matches_policy_md() -> None:
    expected = {
        "premium": (2, 4, 8, 16),
        "profesional": (4, 8, 16, 24),
        "basico": (8, 16, 24, 40),
        "garantia": (16, 24, 40, 80),
    }
    for plan, hours in expected.items():
        got = tuple(DEFAULT_POLICY.response_hours[(PlanCode(plan), s)] for s in DEFAULT_POLICY.severities)
        assert got == hours, plan
    assert [p.rank for p in DEFAULT_POLICY.plans] == [1, 2, 3, 4]
    assert DEFAULT_POLICY.severity_rank(Severity.CRITICAL) == 1
    assert DEFAULT_POLICY.severity_rank(Severity.LOW) == 4
