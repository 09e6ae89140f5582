"""The demo's thirteen months of closed history (services/demo_history.py): enough for the reports'
charts to mean something, every timeline consistent with the SLA engine and the policy's rules, and
the live queue the demo showed before the history existed left exactly as it was."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop_app.bootstrap import Services, build_services
from desktop_app.domain.lifecycle import check_close_no_response
from desktop_app.domain.model import Severity, TicketStatus
from desktop_app.domain.permissions import SYSTEM
from desktop_app.domain.sla import StatusChange, add_counted_working_time, pauses_from_history
from desktop_app.services import demo_history
from desktop_app.services.clock import FixedClock
from desktop_app.services.dto import QueueFilter
from desktop_app.services.report_dto import ReportPeriod
from tests.conftest import DEMO_NOW, make_settings

YEAR = ReportPeriod(date(2025, 11, 1), date(2026, 10, 31))  # the twelve whole months before the demo's
CLOSED = ("closed", "closed_no_response", "out_of_scope")


def _utc(value: object) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _histories(services: Services) -> dict[int, tuple[tuple[object, ...], list[tuple[str, datetime, dict[str, str]]]]]:
    with services.engine.connect() as connection:
        tickets = {
            row[0]: row
            for row in connection.execute(
                text("SELECT id, received_at, plan_code, severity, status, closed_at FROM tickets")
            )
        }
        events: dict[int, list[tuple[str, datetime, dict[str, str]]]] = defaultdict(list)
        for ticket_id, kind, at, data in connection.execute(
            text("SELECT ticket_id, kind, at, data FROM ticket_events ORDER BY at, id")
        ):
            events[ticket_id].append((kind, _utc(at), json.loads(data or "{}")))
    return {key: (row, events[key]) for key, row in tickets.items()}


def test_the_demo_has_thirteen_months_of_closed_history(demo_services: Services) -> None:
    per_month: dict[str, int] = defaultdict(int)
    received = [(_utc(row[1]), row[4]) for row, _events in _histories(demo_services).values()]
    for moment, status in received:
        if status in CLOSED:
            per_month[moment.astimezone(DEMO_NOW.tzinfo).strftime("%Y-%m")] += 1
    oldest = min(moment for moment, _status in received)
    assert oldest <= DEMO_NOW - timedelta(days=390)
    months = [f"{y}-{m:02d}" for y, m in [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)]]
    assert all(per_month.get(month, 0) >= 15 for month in months), per_month


def test_R7_R11_first_responses_of_the_history_agree_with_the_sla_engine(demo_services: Services) -> None:
    """Each closed ticket's clocks replayed with domain.sla: a first response after the due time
    (pauses of R9 added) has the desk's breach escalation in that clock, and an on-time one has none."""
    policy = demo_services.policy.policy()
    calendar = demo_services.policy.calendar()
    judged = late = 0
    for row, events in _histories(demo_services).values():
        if row[4] not in CLOSED:
            continue
        response = policy.response_time(str(row[2]), Severity(row[3]))
        changes = [
            StatusChange(at, TicketStatus(d["to"]), d.get("reason", "")) for k, at, d in events if k == "status_change"
        ]
        starts = [_utc(row[1])] + [c.at for c in changes if c.reason == "reopened"]
        for index, start in enumerate(starts):
            end = starts[index + 1] if index + 1 < len(starts) else None
            within = [(k, at, d) for k, at, d in events if at >= start and (end is None or at < end)]
            first = next((at for k, at, d in within if k == "comment" and d.get("to_customer") == "yes"), None)
            if first is None:
                continue  # closed without a word (out of scope at once): not judged
            pauses = [p for p in pauses_from_history(changes, start) if p.end is not None and p.end <= first]
            due = add_counted_working_time(calendar, start, response, pauses)
            escalated = any(k == "escalation" and d.get("reason") == "breach" for k, _at, d in within)
            assert escalated == (first > due), (row[0], start, first, due)
            judged += 1
            late += first > due
    assert judged > 500 and 0.05 < late / judged < 0.2


def test_the_history_keeps_most_promises_with_two_rough_months(demo_services: Services) -> None:
    assert demo_services.reports is not None
    sla = demo_services.reports.sla(YEAR, actor=SYSTEM)
    assert sla.total.compliance is not None and 0.82 <= sla.total.compliance <= 0.95
    rough = [m.key for m in sla.by_month if m.compliance is not None and m.compliance < 0.8]
    assert 1 <= len(rough) <= 3, [(m.key, m.compliance) for m in sla.by_month]
    assert {p.key for p in sla.by_plan} >= {"premium", "profesional", "basico", "garantia"}
    assert sla.total.paused_hours > 0  # R9: waits for the customer's information


def test_R11_R12_R14_R16_the_history_has_escalations_no_response_closings_reopenings_and_visits(
    demo_services: Services,
) -> None:
    reports = demo_services.reports
    assert reports is not None
    work = reports.workload(YEAR, actor=SYSTEM)
    levels = {level.level: level.count for level in work.escalations}
    assert levels.get(2, 0) > 20 and levels.get(3, 0) > 0
    # Attempts and closings of one sequence may fall either side of the year's ends.
    assert work.closed_without_response > 10 and work.contact_attempts >= 2 * work.closed_without_response
    assert sum(week.reopened for week in work.weeks) > 5
    field = reports.field_work(YEAR, actor=SYSTEM)
    assert {group.key for group in field.by_city} == {"Barranquilla", "Bogotá", "Cali", "Medellín"}
    assert all(group.hours > 0 for group in field.by_city)
    assert field.long_visits and all(visit.hours > field.max_maintenance_hours for visit in field.long_visits)


def test_R12_each_close_without_response_followed_three_attempts_and_the_stated_wait(demo_services: Services) -> None:
    calendar = demo_services.policy.calendar()
    checked = 0
    with demo_services.uow_factory() as uow:
        for row, events in _histories(demo_services).values():
            stated = [d for k, _at, d in events if k == "contact_attempt" and d.get("wait_days")]
            if row[4] != "closed_no_response" or not stated:
                continue  # the history's closings (the live queue's older tickets do not state the wait)
            waited = max(at for k, at, d in events if k == "status_change" and d["to"] == "waiting_customer")
            attempts = uow.tickets.contact_attempts(row[0], waited)
            assert [a.number for a in attempts] == [1, 2, 3]
            days = {a.at.astimezone(calendar.tz).date() for a in attempts}
            assert len(days) == 3 and all(calendar.is_working_day(day) for day in days)
            check_close_no_response(calendar, TicketStatus.WAITING_CUSTOMER, attempts, _utc(row[5]))
            checked += 1
    assert checked > 10


@pytest.mark.parametrize("backend", ["sqlite"])  # the demo loader's planning, the same on either database
def test_the_history_leaves_the_live_queue_as_it_was(
    demo_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same demo without its history (the planner planning nothing) shows the same open queue:
    the same tickets, due times and SLA states, in the same order."""
    monkeypatch.setattr(demo_history.DemoHistory, "plan", lambda self, machines, coverage: [])
    bare = build_services(make_settings(tmp_path), clock=FixedClock(DEMO_NOW))
    try:
        bare.demo.load(DEMO_NOW)

        def queue(services: Services) -> list[tuple[object, ...]]:
            rows = services.tickets.list_queue(QueueFilter(), 0, 10_000).rows
            return [
                (r.entry.received_at, r.entry.customer_name, r.entry.severity, r.entry.status, r.entry.due_at, r.sla)
                for r in rows
            ]

        live = queue(demo_services)
        assert live and queue(bare) == live
    finally:
        bare.close()
