"""R7, R9, R10, R14: the SLA of a ticket derived from its history."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.calendar import BusinessCalendar
from desktop_app.domain.explain import StepKind, explain_due
from desktop_app.domain.model import TicketStatus
from desktop_app.domain.policy import DEFAULT_POLICY
from desktop_app.domain.sla import (
    SlaFacts,
    SlaState,
    SlaTarget,
    StatusChange,
    add_counted_working_time,
    pauses_from_history,
    ticket_sla,
)
from desktop_app.holidays_co import ColombianHolidays

BOGOTA = ZoneInfo("America/Bogota")
CAL = BusinessCalendar("America/Bogota", DEFAULT_POLICY.working_hours, ColombianHolidays())
H = timedelta(hours=1)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BOGOTA)


def test_r7_received_on_a_saturday_night_counts_from_monday_morning() -> None:
    facts = SlaFacts(at(2026, 11, 28, 22, 0), 4 * H, TicketStatus.NEW)
    sla = ticket_sla(CAL, facts, at(2026, 11, 29, 10, 0))
    assert sla.due_at == at(2026, 11, 30, 12, 0)
    assert sla.status.state is SlaState.ON_TIME and sla.status.remaining == 4 * H


def test_r7_holy_week_2026() -> None:
    # Wednesday 1 April 2026 16:00 + 8 h: Thursday 2 and Friday 3 April are holidays.
    facts = SlaFacts(at(2026, 4, 1, 16, 0), 8 * H, TicketStatus.NEW)
    assert ticket_sla(CAL, facts, at(2026, 4, 1, 16, 0)).due_at == at(2026, 4, 6, 16, 0)


def test_r7_monday_moved_holiday() -> None:
    # Friday 9 Jan 2026 17:00 + 2 h: Monday 12 Jan is Reyes Magos (moved from 6 Jan).
    facts = SlaFacts(at(2026, 1, 9, 17, 0), 2 * H, TicketStatus.NEW)
    assert ticket_sla(CAL, facts, at(2026, 1, 9, 17, 0)).due_at == at(2026, 1, 13, 9, 0)


def test_r7_christmas_to_new_year() -> None:
    # Thu 24 Dec 2026 10:00 + 40 h (Garantía, Media): 25 Dec and 1 Jan are holidays.
    facts = SlaFacts(at(2026, 12, 24, 10, 0), 40 * H, TicketStatus.NEW)
    # 24 Dec: 6 h; 28–31 Dec: 32 h; 1 Jan holiday; weekend; Mon 4 Jan: 2 h → 10:00.
    assert ticket_sla(CAL, facts, at(2026, 12, 24, 10, 0)).due_at == at(2027, 1, 4, 10, 0)


def test_r9_waiting_on_customer_pauses_the_clock() -> None:
    received = at(2026, 12, 1, 9, 0)  # Tuesday; Premium Crítica: 2 h
    history = (
        StatusChange(at(2026, 12, 1, 9, 30), TicketStatus.WAITING_CUSTOMER),
        StatusChange(at(2026, 12, 1, 15, 0), TicketStatus.IN_PROGRESS),
    )
    facts = SlaFacts(received, 2 * H, TicketStatus.IN_PROGRESS, history)
    sla = ticket_sla(CAL, facts, at(2026, 12, 1, 15, 0))
    # 30 min counted before the pause; 1 h 30 min more from 15:00.
    assert sla.due_at == at(2026, 12, 1, 16, 30)
    assert sla.elapsed == timedelta(minutes=30)


def test_r9_a_ticket_waiting_now_is_paused_with_its_remaining_time_frozen() -> None:
    history = (StatusChange(at(2026, 12, 1, 10, 0), TicketStatus.WAITING_CUSTOMER),)
    facts = SlaFacts(at(2026, 12, 1, 9, 0), 2 * H, TicketStatus.WAITING_CUSTOMER, history)
    for later in (at(2026, 12, 1, 11, 0), at(2026, 12, 3, 17, 0)):
        sla = ticket_sla(CAL, facts, later)
        assert sla.status.state is SlaState.PAUSED and sla.due_at is None
        assert sla.status.remaining == H


def test_r9_a_pause_spanning_a_holiday() -> None:
    # Received Mon 7 Dec 2026 9:00 (8 h response); waiting from 10:00 Mon to Wed 9 Dec 11:00,
    # across the 8 Dec holiday. Counted: 1 h Monday, then from Wed 11:00: 1 h to 12:00, 4 h
    # afternoon, 2 h Thursday → Thu 10 Dec 10:00.
    history = (
        StatusChange(at(2026, 12, 7, 10, 0), TicketStatus.WAITING_CUSTOMER),
        StatusChange(at(2026, 12, 9, 11, 0), TicketStatus.IN_PROGRESS),
    )
    facts = SlaFacts(at(2026, 12, 7, 9, 0), 8 * H, TicketStatus.IN_PROGRESS, history)
    sla = ticket_sla(CAL, facts, at(2026, 12, 9, 11, 0))
    assert sla.due_at == at(2026, 12, 10, 10, 0)
    explanation = explain_due(CAL, facts.clock_started_at, sla.due_at, 8 * H, sla.pauses)
    kinds = {(step.day.day, step.kind) for step in explanation.steps}
    assert (8, StepKind.HOLIDAY) in kinds
    assert (7, StepKind.PAUSED) in kinds and (9, StepKind.PAUSED) in kinds
    assert explanation.counted == 8 * H


def test_r10_after_the_first_response_the_next_update_is_due() -> None:
    facts = SlaFacts(
        at(2026, 12, 1, 9, 0),
        4 * H,
        TicketStatus.IN_PROGRESS,
        first_responded_at=at(2026, 12, 1, 10, 0),
        last_agent_update_at=at(2026, 12, 2, 9, 0),
    )
    sla = ticket_sla(CAL, facts, at(2026, 12, 2, 9, 30))
    assert sla.target is SlaTarget.NEXT_UPDATE
    assert sla.due_at == at(2026, 12, 2, 15, 0)


def test_r14_reopen_starts_a_new_clock() -> None:
    reopened = at(2026, 12, 10, 14, 0)
    facts = SlaFacts(
        reopened,
        2 * H,
        TicketStatus.IN_PROGRESS,
        # The first response belongs to the previous life of the ticket: it does not count.
        first_responded_at=at(2026, 12, 1, 10, 0),
        last_agent_update_at=at(2026, 12, 2, 10, 0),
    )
    sla = ticket_sla(CAL, facts, reopened)
    assert sla.target is SlaTarget.FIRST_RESPONSE
    assert sla.due_at == at(2026, 12, 10, 16, 0)


def test_r7_breached_ticket_reports_working_time_overdue() -> None:
    facts = SlaFacts(at(2026, 12, 1, 9, 0), 2 * H, TicketStatus.NEW)
    sla = ticket_sla(CAL, facts, at(2026, 12, 2, 9, 0))
    assert sla.status.state is SlaState.BREACHED
    # Due 11:00; overdue 11:00–12:00, 14:00–18:00 and 8:00–9:00 next day = 6 h.
    assert sla.status.remaining == -6 * H
    assert sla.elapsed == 8 * H


def test_closed_tickets_have_nothing_due() -> None:
    facts = SlaFacts(at(2026, 12, 1, 9, 0), 2 * H, TicketStatus.CLOSED)
    sla = ticket_sla(CAL, facts, at(2026, 12, 9, 9, 0))
    assert sla.status.state is SlaState.MET and sla.due_at is None


def test_pauses_from_history_ignores_repeats_and_keeps_an_open_pause() -> None:
    history = [
        StatusChange(at(2026, 12, 1, 9, 0), TicketStatus.WAITING_CUSTOMER),
        StatusChange(at(2026, 12, 1, 9, 30), TicketStatus.WAITING_CUSTOMER),
        StatusChange(at(2026, 12, 1, 10, 0), TicketStatus.IN_PROGRESS),
        StatusChange(at(2026, 12, 1, 11, 0), TicketStatus.WAITING_CUSTOMER),
    ]
    pauses = pauses_from_history(history, at(2026, 12, 1, 8, 0))
    assert [(p.start.hour, p.end.hour if p.end else None) for p in pauses] == [(9, 10), (11, None)]


def test_explanation_of_a_plain_due_time() -> None:
    start, due = at(2026, 11, 27, 17, 0), at(2026, 11, 30, 9, 0)
    explanation = explain_due(CAL, start, due, 2 * H)
    assert [s.kind for s in explanation.steps] == [
        StepKind.COUNTED,
        StepKind.WEEKEND,
        StepKind.WEEKEND,
        StepKind.COUNTED,
    ]
    assert explanation.counted == 2 * H


@settings(max_examples=80, deadline=None)
@given(
    minutes=st.integers(30, 60 * 24 * 20),
    pause_start=st.integers(0, 60 * 24 * 10),
    pause_len=st.integers(1, 60 * 24 * 5),
    hours=st.integers(1, 80),
)
def test_r9_property_counted_time_to_the_due_time_is_the_response_time(
    minutes: int, pause_start: int, pause_len: int, hours: int
) -> None:
    from desktop_app.domain.sla import Interval, counted_working_time

    start = at(2026, 11, 2, 8, 0) + timedelta(minutes=minutes)
    pause = Interval(start + timedelta(minutes=pause_start), start + timedelta(minutes=pause_start + pause_len))
    due = add_counted_working_time(CAL, start, hours * H, [pause])
    assert counted_working_time(CAL, [pause], start, due, due) == hours * H
