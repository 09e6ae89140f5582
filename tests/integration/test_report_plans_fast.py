"""Plan use summed by the database (services/reports/plans.py) equals the billing code's own result
(domain.billing.bill_customer over every time entry), on SQLite and PostgreSQL: on the demo data,
and on the demo data with random advisory minutes (some not numbers, zero or negative, some at the
edge of a local day) and a contract bought on top of another one on the same machine."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select

from desktop_app.bootstrap import Services
from desktop_app.domain.model import EventKind, Role
from desktop_app.domain.permissions import Actor
from desktop_app.persistence.tables import ContractRecord, TicketEventRecord, TicketRecord, contract_machines
from desktop_app.services.report_dto import PlanUse, ReportFilter, ReportPeriod
from desktop_app.services.reports import plans as plans_module
from tests.conftest import DEMO_NOW

ADMIN = Actor(None, Role.ADMIN, name="test")


def _both(services: Services, monkeypatch: pytest.MonkeyPatch, period: ReportPeriod, flt: ReportFilter) -> None:
    reports = services.reports
    assert reports is not None
    today = DEMO_NOW.date()
    fast = reports.plans(period, flt, actor=ADMIN, today=today)
    with monkeypatch.context() as patched:
        # No fixed offset: every entry read and split between contracts by the billing code.
        patched.setattr(plans_module, "_fixed_offset", lambda *_args: None)
        billed = reports.plans(period, flt, actor=ADMIN, today=today)
    assert isinstance(fast, PlanUse)
    assert fast == billed, (period, flt)


def _months(services: Services, count: int) -> list[ReportPeriod]:
    today = DEMO_NOW.date()
    found = []
    first = today.replace(day=1)
    for _ in range(count):
        last = first - timedelta(days=1)
        found.append(ReportPeriod(first, min(today, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1))))
        first = last.replace(day=1)
    return found


def test_R6_R17_plan_use_summed_by_the_database_equals_the_billing_code_on_the_demo(
    demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    for period in _months(demo_services, 13):
        _both(demo_services, monkeypatch, period, ReportFilter())
    year = ReportPeriod(date(DEMO_NOW.year, 1, 1), DEMO_NOW.date())
    _both(demo_services, monkeypatch, year, ReportFilter())


def test_R6_R17_plan_use_summed_by_the_database_equals_the_billing_code_on_a_random_world(
    demo_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(15)
    now = DEMO_NOW
    with demo_services.engine.begin() as connection:
        tickets = connection.execute(select(TicketRecord.id, TicketRecord.received_at)).all()
        assert tickets
        values = ["15", "30", "45", "60", "90", "240", "0", "-15", "abc", "2.5", "0015", 30, 600]
        rows = []
        for _ in range(400):
            ticket_id, received = rng.choice(tickets)
            received = received if received.tzinfo else received.replace(tzinfo=UTC)
            at = received + timedelta(minutes=rng.randrange(0, 60 * 24 * 90))
            if rng.random() < 0.2:  # right at a local midnight (05:00 UTC), either side
                at = at.replace(hour=5, minute=0, second=0, microsecond=0) - timedelta(microseconds=rng.choice([1, 0]))
            if at >= now:
                continue
            data = json.dumps({"minutes": rng.choice(values), "to_customer": "yes"}, sort_keys=True)
            rows.append({"ticket_id": ticket_id, "kind": EventKind.COMMENT.value, "at": at, "body": "x", "data": data})
        connection.execute(insert(TicketEventRecord), rows)
        # A second contract on a machine already covered, overlapping the first (billing_contract picks).
        first = connection.execute(select(ContractRecord).order_by(ContractRecord.id)).first()
        assert first is not None
        machine = connection.scalar(
            select(contract_machines.c.machine_id).where(contract_machines.c.contract_id == first.id)
        )
        number = connection.scalar(select(func.count()).select_from(ContractRecord))
        extra = connection.execute(
            insert(ContractRecord).values(
                customer_id=first.customer_id,
                plan_code=first.plan_code,
                invoice_number=f"FE-random-{number}",
                valid_from=first.valid_from + timedelta(days=20),
                valid_to=first.valid_to + timedelta(days=200),
                price_before_iva=1,
                special=False,
                version=1,
            )
        ).inserted_primary_key
        connection.execute(insert(contract_machines).values(contract_id=extra[0], machine_id=machine))
    assert plans_module._fixed_offset(ZoneInfo("America/Bogota"), now - timedelta(days=400), now) is not None
    months = _months(demo_services, 13)
    for period in months:
        _both(demo_services, monkeypatch, period, ReportFilter())
    reports = demo_services.reports
    assert reports is not None
    some = reports.plans(months[1], ReportFilter(), actor=ADMIN, today=now.date())
    for use in some.contracts[:3]:
        _both(demo_services, monkeypatch, months[1], ReportFilter(customer_id=use.customer_id))
        _both(demo_services, monkeypatch, months[1], ReportFilter(plan=use.plan_code))
    start = datetime(now.year - 1, 1, 1).date()
    _both(demo_services, monkeypatch, ReportPeriod(start, now.date()), ReportFilter())
