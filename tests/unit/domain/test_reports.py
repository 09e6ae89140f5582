"""Report figures (issue 15, domain.reports): one ticket's verdicts by hand (R7 with a holiday, R9
pause, R10 updates, R14 reopening), the fast working-time clock against the queue's engine on
random moments and random histories, and the statistics (no division by zero)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.business_time import add_working_time, working_time_between
from desktop_app.domain.calendar import BusinessCalendar
from desktop_app.domain.model import TicketStatus
from desktop_app.domain.policy import DEFAULT_POLICY
from desktop_app.domain.reports import (
    AGE_BUCKETS,
    REOPENED,
    Outcome,
    ReportTicket,
    WorkingClock,
    age_bucket,
    clock_starts,
    hours,
    judge_ticket,
    local_day,
    median,
    month_key,
    months_between,
    paused_between,
    pauses_until,
    percentile,
    ratio,
    replay_ticket,
    status_at,
    week_label,
    week_start,
    weeks_between,
)
from desktop_app.domain.sla import Interval, StatusChange
from desktop_app.holidays_co import ColombianHolidays

BOGOTA = ZoneInfo("America/Bogota")
CAL = BusinessCalendar("America/Bogota", DEFAULT_POLICY.working_hours, ColombianHolidays())
CLOCK = WorkingClock(CAL)
H = timedelta(hours=1)
NOW = datetime(2026, 12, 1, 9, 10, tzinfo=BOGOTA)
WAIT, WORK, CLOSED = TicketStatus.WAITING_CUSTOMER, TicketStatus.IN_PROGRESS, TicketStatus.CLOSED


def at(m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(2026, m, d, hh, mm, tzinfo=BOGOTA)


def ticket(received: datetime, response: timedelta, status: TicketStatus = CLOSED, **facts: object) -> ReportTicket:
    return ReportTicket(1, received, response, status, **facts)  # type: ignore[arg-type]


# -- one ticket by hand ----------------------------------------------------------------------------


def test_R7_first_response_across_a_colombian_holiday_is_met() -> None:
    # Friday 13 Nov 16:00 + 4 h: 2 h on Friday, Monday 16 is a holiday, 2 h on Tuesday → 10:00.
    t = ticket(at(11, 13, 16), 4 * H, responses=(at(11, 17, 9, 30),), changes=(StatusChange(at(11, 17, 12), CLOSED),))
    (clock,) = judge_ticket(CLOCK, t, NOW).clocks
    assert clock.due_at == at(11, 17, 10) and clock.outcome is Outcome.MET
    assert clock.response_working == 3.5 * H and clock.responded


def test_R7_first_response_after_the_due_time_is_missed() -> None:
    t = ticket(at(11, 4, 8), 4 * H, responses=(at(11, 5, 9),))
    (clock,) = judge_ticket(CLOCK, t, NOW).clocks
    assert clock.due_at == at(11, 4, 12) and clock.outcome is Outcome.MISSED and clock.response_working == 9 * H


def test_R9_pause_waiting_on_the_customer_moves_the_due_time() -> None:
    # Monday 9 Nov 08:00 + 24 h; waiting Mon 10:00 → Wed 10:00 (16 working hours) → due Fri 13 18:00.
    changes = (StatusChange(at(11, 9, 10), WAIT), StatusChange(at(11, 11, 10), WORK))
    t = ticket(at(11, 9, 8), 24 * H, WORK, changes=changes, responses=(at(11, 13, 17),))
    verdict = judge_ticket(CLOCK, t, NOW)
    assert verdict.clocks[0].due_at == at(11, 13, 18) and verdict.clocks[0].outcome is Outcome.MET
    assert verdict.clocks[0].response_working == 23 * H
    assert paused_between(CLOCK, verdict.pauses, at(11, 1), at(12, 1)) == 16 * H


def test_R9_pause_going_on_now_keeps_the_first_response_pending() -> None:
    t = ticket(at(11, 30, 8), 2 * H, WAIT, changes=(StatusChange(at(11, 30, 9), WAIT),))
    (clock,) = judge_ticket(CLOCK, t, NOW).clocks  # 1 h counted, then waiting since
    assert clock.outcome is Outcome.PENDING and clock.due_at > NOW


def test_R9_pause_that_began_after_the_breach_does_not_save_it() -> None:
    t = ticket(at(11, 30, 8), 2 * H, WAIT, changes=(StatusChange(at(11, 30, 15), WAIT),))
    (clock,) = judge_ticket(CLOCK, t, NOW).clocks
    assert clock.outcome is Outcome.MISSED and clock.due_at == at(11, 30, 10)


def test_R10_updates_kept_and_missed() -> None:
    # Answered Tue 17 09:30 (4 h promise → 15:30); updated 11:00 (kept) → next due 17:00; no word
    # since, still open on 1 December → missed at 17:00.
    t = ticket(at(11, 17, 8), 4 * H, WORK, responses=(at(11, 17, 9, 30), at(11, 17, 11)))
    updates = judge_ticket(CLOCK, t, NOW).updates
    assert [(u.outcome, u.due_at) for u in updates] == [
        (Outcome.MET, at(11, 17, 15, 30)),
        (Outcome.MISSED, at(11, 17, 17)),
    ]
    assert updates[0].decided_at == at(11, 17, 11) and updates[1].decided_at == at(11, 17, 17)


def test_R10_closing_before_the_next_update_is_due_owes_nothing_but_closing_after_misses_it() -> None:
    early = ticket(at(11, 17, 8), 4 * H, responses=(at(11, 17, 9),), changes=(StatusChange(at(11, 17, 10), CLOSED),))
    late = ticket(at(11, 17, 8), 4 * H, responses=(at(11, 17, 9),), changes=(StatusChange(at(11, 18, 10), CLOSED),))
    assert judge_ticket(CLOCK, early, NOW).updates == ()
    assert [u.outcome for u in judge_ticket(CLOCK, late, NOW).updates] == [Outcome.MISSED]


def test_R14_reopening_starts_a_new_clock_judged_apart() -> None:
    changes = (
        StatusChange(at(11, 17, 10), CLOSED),
        StatusChange(at(11, 19, 8), WORK, REOPENED),
    )
    t = ticket(
        at(11, 17, 8),
        16 * H,
        WORK,
        changes=changes,
        responses=(at(11, 17, 9),),
        first_responded_at=at(11, 23, 8, 30),  # the engine's record of the second clock
        clock_started_at=at(11, 19, 8),
    )
    first, second = judge_ticket(CLOCK, t, NOW).clocks
    assert (first.outcome, first.response_working) == (Outcome.MET, 1 * H)
    assert second.started_at == at(11, 19, 8) and second.due_at == at(11, 20, 18)
    assert (second.outcome, second.response_working) == (Outcome.MISSED, 16.5 * H)


def test_R13_a_clock_closed_without_a_word_is_judged_only_when_it_closed_late() -> None:
    on_time = ticket(at(11, 17, 8), 4 * H, changes=(StatusChange(at(11, 17, 9), CLOSED),))
    late = ticket(at(11, 17, 8), 4 * H, closed_at=at(11, 18, 9))  # no history: the row's closing
    assert judge_ticket(CLOCK, on_time, NOW).clocks[0].outcome is Outcome.CLOSED
    (clock,) = judge_ticket(CLOCK, late, NOW).clocks
    assert (clock.outcome, clock.responded, clock.answered_at) == (Outcome.MISSED, False, at(11, 18, 9))


def test_R7_unanswered_clock_is_pending_until_due_then_missed() -> None:
    t = ticket(at(11, 30, 15), 16 * H, TicketStatus.NEW)
    assert judge_ticket(CLOCK, t, NOW).clocks[0].outcome is Outcome.PENDING
    assert judge_ticket(CLOCK, t, at(12, 2, 15, 1)).clocks[0].outcome is Outcome.MISSED  # due Wed 2 Dec 15:00


def test_clock_starts_take_the_row_clock_even_without_its_event() -> None:
    t = ticket(at(11, 3, 8), H, WORK, clock_started_at=at(11, 5, 8))
    assert clock_starts(t) == (at(11, 3, 8), at(11, 5, 8))


def test_pauses_until_close_the_open_wait_at_the_moment() -> None:
    pauses = (Interval(at(11, 3, 9), at(11, 3, 10)), Interval(at(11, 3, 11), None), Interval(at(11, 3, 15), None))
    assert pauses_until(pauses, at(11, 3, 12)) == (
        Interval(at(11, 3, 9), at(11, 3, 10)),
        Interval(at(11, 3, 11), at(11, 3, 12)),
    )


def test_status_at_reads_the_history() -> None:
    t = ticket(at(11, 3, 8), H, changes=(StatusChange(at(11, 3, 9), WAIT), StatusChange(at(11, 4, 9), CLOSED)))
    assert status_at(t, at(11, 2)) is None
    assert status_at(t, at(11, 3, 8, 30)) is TicketStatus.NEW
    assert status_at(t, at(11, 3, 12)) is WAIT
    assert status_at(t, at(11, 5)) is CLOSED


# -- the fast clock against the engine ---------------------------------------------------------------

moments = st.datetimes(min_value=datetime(1999, 6, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=BOGOTA)
)
spans = st.integers(min_value=0, max_value=120 * 3600 * 1_000_000)


@settings(max_examples=300, deadline=None)
@given(a=moments, b=moments, working=spans)
def test_R7_working_clock_agrees_with_business_time(a: datetime, b: datetime, working: int) -> None:
    assert timedelta(microseconds=CLOCK.at(b) - CLOCK.at(a)) == working_time_between(CAL, a, b)
    assert CLOCK.moment(a, working) == add_working_time(CAL, a, timedelta(microseconds=working))


@pytest.mark.parametrize("hours_", [400, 2_000])
def test_R7_working_clock_far_ahead_bisects_like_the_engine(hours_: int) -> None:
    start = at(11, 30, 15, 17)
    assert CLOCK.moment(start, hours_ * 3600 * 1_000_000) == add_working_time(CAL, start, hours_ * H)


def test_R7_working_clock_reads_utc_and_ends_at_the_interval_end() -> None:
    assert CLOCK.moment(datetime(2026, 12, 1, 15, 0, tzinfo=UTC), 2 * 3600 * 1_000_000) == at(12, 1, 12)


@st.composite
def histories(draw: st.DrawFn) -> tuple[ReportTicket, datetime]:
    """A random ticket: waits, answers, closings and reopenings in time order, and a 'now'."""
    received = draw(st.datetimes(min_value=datetime(2026, 10, 1), max_value=datetime(2026, 12, 20))).replace(
        tzinfo=BOGOTA
    )
    steps = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=60 * 60 * 40),
                st.sampled_from(["wait", "resume", "answer", "close", "reopen"]),
            ),
            max_size=10,
        )
    )
    moment, status = received, TicketStatus.NEW
    changes: list[StatusChange] = []
    responses: list[datetime] = []
    clock_start = received
    for seconds, step in steps:
        moment += timedelta(seconds=seconds)
        if step == "wait" and status.is_open and status is not WAIT:
            changes.append(StatusChange(moment, WAIT))
            status = WAIT
        elif step == "resume" and status is WAIT:
            changes.append(StatusChange(moment, WORK))
            status = WORK
        elif step == "answer" and status.is_open:
            responses.append(moment)
        elif step == "close" and status.is_open:
            changes.append(StatusChange(moment, CLOSED))
            status = CLOSED
        elif step == "reopen" and not status.is_open:
            changes.append(StatusChange(moment, WORK, REOPENED))
            status, clock_start = WORK, moment
    first = next((t for t in responses if t >= clock_start), None)
    response = timedelta(hours=draw(st.sampled_from([2, 4, 8, 16, 24, 40, 80])))
    now = moment + timedelta(seconds=draw(st.integers(min_value=0, max_value=60 * 60 * 80)))
    t = ReportTicket(
        1,
        received,
        response,
        status,
        tuple(changes),
        tuple(responses),
        first,
        clock_start,
        changes[-1].at if not status.is_open and changes else None,
    )
    return t, now


@settings(max_examples=400, deadline=None)
@given(case=histories())
def test_R7_R9_R10_R14_fast_verdict_agrees_with_the_engine_replay(case: tuple[ReportTicket, datetime]) -> None:
    t, now = case
    assert judge_ticket(CLOCK, t, now) == replay_ticket(CLOCK, t, now)


# -- statistics and buckets ------------------------------------------------------------------------


def test_ratio_and_percentiles_never_divide_by_zero() -> None:
    assert ratio(0, 0) is None and ratio(3, 4) == 0.75
    assert median([]) is None and percentile([], 0.9) is None
    assert median([5.0]) == 5.0
    assert median([1.0, 1.5, 3.5, 9.0, 16.5, 23.0]) == 6.25
    assert percentile([1.0, 1.5, 3.5, 9.0, 16.5, 23.0], 0.9) == pytest.approx(19.75)
    with pytest.raises(ValueError):
        percentile([1.0], 1.5)
    assert hours(90 * timedelta(minutes=1)) == 1.5


def test_months_weeks_and_age_buckets() -> None:
    assert month_key(date(2026, 3, 9)) == "2026-03"
    assert months_between(date(2025, 11, 20), date(2026, 2, 1)) == ("2025-11", "2025-12", "2026-01", "2026-02")
    assert week_start(date(2026, 11, 19)) == date(2026, 11, 16)
    assert week_label(date(2026, 11, 16)) == "2026-W47"
    assert week_label(date(2026, 12, 28)) == "2026-W53"
    assert weeks_between(date(2026, 11, 1), date(2026, 11, 30))[0] == date(2026, 10, 26)
    assert len(weeks_between(date(2026, 11, 1), date(2026, 11, 30))) == 6
    assert local_day(datetime(2026, 12, 1, 3, 0, tzinfo=UTC), BOGOTA) == date(2026, 11, 30)
    labels = [AGE_BUCKETS[age_bucket(days)][0] for days in (0, 1, 2, 3, 4, 7, 8, 14, 15, 30, 31, 400, -1)]
    assert labels == ["0–1", "0–1", "2–3", "2–3", "4–7", "4–7", "8–14", "8–14", "15–30", "15–30", ">30", ">30", "0–1"]
