"""The workload counted by the database per local day (services/reports/workload.py with a fixed
offset from UTC) equals the workload counted moment by moment here, on SQLite and PostgreSQL: on
the demo data with extra events right at local midnights (either side), odd escalation levels and
status changes with and without a reason, for a year of months, a whole year and each filter."""

from __future__ import annotations

import importlib
import json
import random
from datetime import UTC, date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select

from desktop_app.bootstrap import Services
from desktop_app.domain.ids import CustomerId
from desktop_app.domain.model import EventKind, Role, Severity
from desktop_app.domain.permissions import Actor
from desktop_app.persistence.tables import TicketEventRecord, TicketRecord
from desktop_app.services.report_dto import ReportFilter, ReportPeriod, Workload
from tests.conftest import DEMO_NOW

ADMIN = Actor(None, Role.ADMIN, name="test")
# The package exports the report function under the module's name: the module itself.
workload_module = importlib.import_module("desktop_app.services.reports.workload")


def _both(services: Services, monkeypatch: pytest.MonkeyPatch, period: ReportPeriod, flt: ReportFilter) -> Workload:
    reports = services.reports
    assert reports is not None
    counted = reports.workload(period, flt, actor=ADMIN)
    with monkeypatch.context() as patched:
        patched.setattr(workload_module, "fixed_offset", lambda *_args: None)  # each moment read here
        read = reports.workload(period, flt, actor=ADMIN)
    assert isinstance(counted, Workload)
    assert counted == read, (period, flt)
    return counted


def test_R11_R12_workload_counted_by_the_database_equals_the_workload_counted_here(
    demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(16)
    now = DEMO_NOW
    with demo_services.engine.begin() as connection:
        tickets = connection.execute(select(TicketRecord.id, TicketRecord.received_at)).all()
        assert tickets
        events = [
            (EventKind.STATUS_CHANGE, {"from": "in_progress", "to": "closed"}),
            (EventKind.STATUS_CHANGE, {"from": "in_progress", "to": "closed_no_response"}),
            (EventKind.STATUS_CHANGE, {"from": "closed", "to": "in_progress", "reason": "reopened"}),
            (EventKind.STATUS_CHANGE, {"from": "new", "to": "waiting_customer", "reason": "info_requested"}),
            (EventKind.ESCALATION, {"from": "1", "level": "2", "reason": "breach"}),
            (EventKind.ESCALATION, {"from": "2", "level": "3"}),
            (EventKind.ESCALATION, {"from": "1", "level": "x"}),
            (EventKind.ESCALATION, {"from": "1"}),
            (EventKind.CONTACT_ATTEMPT, {"attempt": "1", "method": "phone", "wait_days": "2"}),
        ]
        rows = []
        for _ in range(300):
            ticket_id, received = rng.choice(tickets)
            received = received if received.tzinfo else received.replace(tzinfo=UTC)
            at = received + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
            if rng.random() < 0.4:  # right at a local midnight (05:00 UTC), either side
                at = at.replace(hour=5, minute=0, second=0, microsecond=0) - timedelta(microseconds=rng.choice([1, 0]))
            if at >= now:
                continue
            kind, data = rng.choice(events)
            text = json.dumps(data, sort_keys=True)
            rows.append({"ticket_id": ticket_id, "kind": kind.value, "at": at, "body": "", "data": text})
        connection.execute(insert(TicketEventRecord), rows)
    assert workload_module.fixed_offset(ZoneInfo("America/Bogota"), now - timedelta(days=400), now) == -300
    today = now.date()
    first = today.replace(day=1)
    seen = 0
    for _ in range(13):
        last = min(today, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        found = _both(demo_services, monkeypatch, ReportPeriod(first, last), ReportFilter())
        seen += found.contact_attempts + sum(week.closed + week.opened for week in found.weeks)
        first = (first - timedelta(days=1)).replace(day=1)
    assert seen > 0  # the months had something to count
    month = ReportPeriod(today.replace(day=1) - timedelta(days=31), today)
    _both(demo_services, monkeypatch, ReportPeriod(date(today.year, 1, 1), today), ReportFilter())
    for flt in (
        ReportFilter(city="Bogotá"),
        ReportFilter(plan="premium"),
        ReportFilter(severity=Severity.CRITICAL),
        ReportFilter(customer_id=CustomerId(_customer(demo_services))),
    ):
        _both(demo_services, monkeypatch, month, flt)


def _customer(services: Services) -> int:
    with services.engine.connect() as connection:
        customer = connection.scalar(select(TicketRecord.customer_id).order_by(TicketRecord.id))
    assert customer is not None
    return int(customer)
