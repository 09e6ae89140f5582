"""Report benchmark (issue 15): 100,000 tickets with full histories, then the reports' figures.

    python bench/report_bench.py [--tickets N] [--keep PATH] [--pg]

Builds a database (an SQLite file; with --pg also a temporary PostgreSQL server, tests/pg_server.py)
holding twelve months of tickets, each with its history as the services write it: the reception,
status changes (waits on the customer, closings, reopenings), comments to the customer (first
responses and updates), contact attempts, escalations, and on-site visits. Then times, on the
service layer (Desk.reports):

- the monthly SLA report (goal < 1 s),
- the Informes page: SLA, workload, field work and plans for the month, read as the window reads
  them (goal < 2 s): side by side on two threads (the window's reading pool, app.py), and one
  after another,
- a customer's year (the data of the customer PDF; the PDF itself is timed by R15c),
- the same monthly SLA report computed naively (every ticket read alone and replayed through the
  queue's engine), in the same run, with the ratio and a check that both give the same figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select

from desktop_app import i18n
from desktop_app.bootstrap import Services, build_services
from desktop_app.config import Settings
from desktop_app.domain.ids import CustomerId, ModelCode, PlanCode
from desktop_app.domain.model import (
    Contract,
    Customer,
    CustomerKind,
    EventKind,
    Machine,
    ProductModel,
    Role,
    Severity,
    Technology,
    TicketStatus,
    User,
)
from desktop_app.domain.permissions import Actor
from desktop_app.domain.sla import first_response_due
from desktop_app.persistence.tables import TicketEventRecord, TicketRecord, VisitRecord
from desktop_app.services.clock import FixedClock
from desktop_app.services.report_dto import ReportPeriod

BOGOTA = ZoneInfo("America/Bogota")
NOW = datetime(2026, 12, 1, 11, 30, tzinfo=BOGOTA)  # Tuesday 1 December 2026
MONTH = ReportPeriod(date(2026, 11, 1), date(2026, 11, 30))
CITIES = ("Barranquilla", "Bogotá", "Cali", "Medellín")
PLANS = ("premium", "profesional", "basico", "garantia")
CUSTOMERS = 600
REPEAT = 5
BATCH = 20_000
READERS = 2  # the Informes page's reading pool (desktop_app.ui.tasks.READERS, on SQLite as on PostgreSQL)


CPU: list[float] = []  # the CPU time of the last _timed runs (this process: Python and SQLite)


def _timed(fn: Callable[[], object], repeat: int = REPEAT) -> tuple[float, float]:
    """(median, best) wall time of `fn` over `repeat` runs; their median CPU time goes to CPU[0].

    The machine may be shared: the CPU time this process spent says what the wall time would
    be on an idle machine (PostgreSQL's own work is not in it)."""
    runs, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        runs.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU[:] = [statistics.median(cpu)]
    return statistics.median(runs), min(runs)


def _cpu() -> str:
    return f"(CPU {CPU[0] * 1000:.0f} ms)"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms"


def _data(**values: str) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True)


def _catalogue(services: Services) -> tuple[list[tuple[int, int, str]], list[int], list[int], int]:
    """Users, customers, one machine each, contracts: (machine, customer, city), agents, technicians, admin."""
    rng = random.Random(11)
    machines: list[tuple[int, int, str]] = []
    agents: list[int] = []
    technicians: list[int] = []
    with services.uow_factory() as uow:
        cat = uow.catalog
        cat.add_model(ProductModel(ModelCode("M3"), "makeR M3", Technology.FDM))
        admin = cat.add_user(User("admin", "Administración", "admin@x.co", Role.ADMIN, "Barranquilla"))
        for n in range(8):
            user = cat.add_user(User(f"agente{n}", f"Agente {n}", f"a{n}@x.co", Role.AGENT, CITIES[n % 4]))
            agents.append(int(user.id))  # type: ignore[arg-type]
        for n in range(6):
            user = cat.add_user(User(f"tecnico{n}", f"Técnico {n}", f"t{n}@x.co", Role.TECHNICIAN, CITIES[n % 4]))
            technicians.append(int(user.id))  # type: ignore[arg-type]
        for n in range(CUSTOMERS):
            city = CITIES[n % 4]
            customer = cat.add_customer(
                Customer(f"Cliente {n:04d}", CustomerKind.COMPANY, city, f"800{n:06d}", f"c{n}@x.co", "1", True, True)
            )
            serial = f"MK-M3-{n:05d}"
            machine = cat.add_machine(
                Machine(
                    serial,
                    serial,
                    ModelCode("M3"),
                    customer.id,  # type: ignore[arg-type]
                    date(2025, 1, 1),
                    date(2027, 1, 1),
                    False,
                    date(2026, 6, 1),
                )
            )
            machines.append((int(machine.id), int(customer.id), city))  # type: ignore[arg-type]
            if n % 2 == 0:
                start = date(2025, 12, 1) + timedelta(days=rng.randrange(0, 120))
                uow.contracts.add(
                    Contract(
                        CustomerId(customer.id),  # type: ignore[arg-type]
                        PlanCode(PLANS[n % 3]),
                        f"FE-{n:05d}",
                        start,
                        start + timedelta(days=364),
                        2_000_000,
                        (machine.id,),  # type: ignore[arg-type]
                    )
                )
        uow.commit()
    return machines, agents, technicians, int(admin.id)  # type: ignore[arg-type]


def build(settings: Settings, count: int) -> None:
    """The catalogue through the repositories, then `count` tickets with their histories in bulk."""
    services = build_services(settings, clock=FixedClock(NOW))
    machines, agents, technicians, admin = _catalogue(services)
    policy, calendar = services.policy.policy(), services.policy.calendar()
    version = services.policy.version()
    rng = random.Random(7)
    severities = list(Severity)
    tickets: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    visits: list[dict[str, Any]] = []
    seen_visits: set[tuple[int, datetime]] = set()
    with services.engine.begin() as connection:
        next_id = (connection.scalar(select(func.max(TicketRecord.id))) or 0) + 1

        def event(ticket_id: int, kind: EventKind, at: datetime, author: int | None, **data: str) -> None:
            events.append(
                {
                    "ticket_id": ticket_id,
                    "kind": kind.value,
                    "at": at,
                    "author_id": author,
                    "body": "",
                    "data": _data(**data),
                }
            )

        def flush(final: bool = False) -> None:
            if tickets and (final or len(tickets) >= BATCH):
                connection.execute(insert(TicketRecord), tickets)
                connection.execute(insert(TicketEventRecord), events)
                if visits:
                    connection.execute(insert(VisitRecord), visits)
                tickets.clear(), events.clear(), visits.clear()

        for n in range(count):
            ticket_id = next_id + n
            machine_id, customer_id, city = rng.choice(machines)
            plan, severity = PlanCode(rng.choice(PLANS)), rng.choice(severities)
            agent = rng.choice(agents)
            received = NOW - timedelta(minutes=rng.randrange(30, 60 * 24 * 365))
            response = policy.response_time(plan, severity)
            event(ticket_id, EventKind.CREATED, received, agent, channel="email")
            status = TicketStatus.NEW
            cursor = received
            # R9: a third of the tickets wait on the customer once, some from intake (R2).
            if rng.random() < 0.33:
                wait_start = received if rng.random() < 0.2 else received + timedelta(minutes=rng.randrange(10, 600))
                wait_end = wait_start + timedelta(minutes=rng.randrange(60, 60 * 96))
                event(
                    ticket_id,
                    EventKind.STATUS_CHANGE,
                    wait_start,
                    agent,
                    **{"from": "new", "to": "waiting_customer", "reason": "info_requested"},
                )
                for attempt in range(rng.randrange(0, 3)):
                    at = wait_start + (wait_end - wait_start) * (attempt + 1) / 4
                    event(
                        ticket_id,
                        EventKind.CONTACT_ATTEMPT,
                        at,
                        agent,
                        attempt=str(attempt + 1),
                        method="phone",
                        wait_days="2",
                    )
                if wait_end < NOW:
                    event(
                        ticket_id,
                        EventKind.STATUS_CHANGE,
                        wait_end,
                        agent,
                        **{"from": "waiting_customer", "to": "in_progress"},
                    )
                    status, cursor = TicketStatus.IN_PROGRESS, wait_end
                else:
                    status, cursor = TicketStatus.WAITING_CUSTOMER, wait_end
            first = None
            if status is not TicketStatus.WAITING_CUSTOMER:
                first = cursor + timedelta(minutes=rng.randrange(5, 60 * 40))
                if first > NOW:
                    first = None
            last_update = first
            closed_at = None
            clock_start = received
            reopens = 0
            level = 1
            if first is not None:
                event(ticket_id, EventKind.COMMENT, first, agent, to_customer="yes")
                if status is TicketStatus.NEW:
                    event(ticket_id, EventKind.STATUS_CHANGE, first, agent, **{"from": "new", "to": "in_progress"})
                status = TicketStatus.IN_PROGRESS
                for _update in range(rng.randrange(0, 4)):
                    at = last_update + timedelta(minutes=rng.randrange(30, 60 * 30))  # type: ignore[operator]
                    if at > NOW:
                        break
                    event(
                        ticket_id,
                        EventKind.COMMENT,
                        at,
                        agent,
                        to_customer="yes",
                        minutes=str(rng.choice((15, 30, 60))),
                    )
                    last_update = at
                if first - received > response * 2 and rng.random() < 0.5:  # R11: escalated at the breach
                    level = rng.choice((2, 2, 3))
                    event(
                        ticket_id,
                        EventKind.ESCALATION,
                        received + response * 2,
                        None,
                        level=str(level),
                        reason="breach",
                        **{"from": "1"},
                    )
                close_at = last_update + timedelta(minutes=rng.randrange(10, 60 * 48))  # type: ignore[operator]
                if close_at < NOW - timedelta(days=2) or (close_at < NOW and rng.random() < 0.5):
                    target = rng.choices(
                        (TicketStatus.CLOSED, TicketStatus.CLOSED_NO_RESPONSE, TicketStatus.OUT_OF_SCOPE), (90, 6, 4)
                    )[0]
                    event(
                        ticket_id,
                        EventKind.STATUS_CHANGE,
                        close_at,
                        agent,
                        **{"from": "in_progress", "to": target.value},
                    )
                    status, closed_at = target, close_at
                    # R14: one in twenty closed tickets is reopened with a new clock.
                    reopen_at = close_at + timedelta(minutes=rng.randrange(60, 60 * 24 * 10))
                    if rng.random() < 0.05 and reopen_at < NOW:
                        event(
                            ticket_id,
                            EventKind.STATUS_CHANGE,
                            reopen_at,
                            None,
                            **{"from": target.value, "to": "in_progress", "reason": "reopened"},
                        )
                        status, closed_at, clock_start, reopens, level = TicketStatus.IN_PROGRESS, None, reopen_at, 1, 1
                        again = reopen_at + timedelta(minutes=rng.randrange(5, 60 * 30))
                        if again < NOW:
                            event(ticket_id, EventKind.COMMENT, again, agent, to_customer="yes")
                            first = last_update = again
                            close_again = again + timedelta(minutes=rng.randrange(30, 60 * 24))
                            if close_again < NOW:
                                event(
                                    ticket_id,
                                    EventKind.STATUS_CHANGE,
                                    close_again,
                                    agent,
                                    **{"from": "in_progress", "to": "closed"},
                                )
                                status, closed_at = TicketStatus.CLOSED, close_again
                        else:
                            first = last_update = None
            # R16: one ticket in eight gets a visit.
            if rng.random() < 0.125:
                start = received + timedelta(hours=rng.randrange(2, 72))
                start = start.replace(minute=0, second=0, microsecond=0)
                if start < NOW - timedelta(hours=8) and (machine_id, start) not in seen_visits:
                    seen_visits.add((machine_id, start))
                    maintenance = rng.random() < 0.3
                    visits.append(
                        {
                            "ticket_id": ticket_id,
                            "machine_id": machine_id,
                            "technician_id": rng.choice(technicians),
                            "city": city,
                            "started_at": start,
                            "ended_at": start + timedelta(minutes=rng.randrange(45, 60 * 6)),
                            "work_done": "Revisión en sitio.",
                            "parts": "",
                            "travel_expenses": rng.choice((0, 0, 120_000, 250_000)),
                            "maintenance": maintenance,
                            "version": 1,
                        }
                    )
            open_now = status.is_open
            tickets.append(
                {
                    "id": ticket_id,
                    "number": f"BEN-{n:07d}",
                    "machine_id": machine_id,
                    "customer_id": customer_id,
                    "plan_code": plan,
                    "severity": severity.value,
                    "channel": "email",
                    "description": f"Caso de prueba {n}: la impresora falla al imprimir.",
                    "status": status.value,
                    "assigned_agent_id": agent,
                    "received_at": received,
                    "first_response_due_at": first_response_due(calendar, received, response),
                    "due_at": None,  # the queue's column; the reports never read it
                    "clock_started_at": clock_start,
                    "first_responded_at": first if first is not None and first >= clock_start else None,
                    "last_agent_update_at": last_update,
                    "closed_at": closed_at if not open_now else None,
                    "reopen_count": reopens,
                    "escalation_level": level,
                    "plan_rank": policy.plan(plan).rank,
                    "severity_rank": policy.severity_rank(severity),
                    "search_text": f"ben-{n:07d}",
                    "policy_version_id": version,
                    "version": 1,
                }
            )
            flush()
        flush(final=True)
    if services.engine.dialect.name == "postgresql":
        # A server gathers a table's statistics after a bulk load on its own (autovacuum's
        # ANALYZE, within a minute); without them it plans the report's reads for an empty table.
        # Measured as an office would see it, so: once now rather than after a wait. (SQLite keeps
        # no statistics unless asked, and the app never asks: its plans are measured as they are.)
        with services.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    services.close()
    del admin


def run(settings: Settings, label: str, naive: bool) -> None:
    services = build_services(settings, clock=FixedClock(NOW))
    reports = services.reports
    assert reports is not None
    admin = Actor(None, Role.ADMIN, name="bench")
    with services.engine.connect() as connection:
        tickets = connection.scalar(select(func.count()).select_from(TicketRecord))
        events = connection.scalar(select(func.count()).select_from(TicketEventRecord))
        visits = connection.scalar(select(func.count()).select_from(VisitRecord))
        busiest = connection.execute(
            select(TicketRecord.customer_id, func.count())
            .group_by(TicketRecord.customer_id)
            .order_by(func.count().desc())
        ).first()
    print(f"[{label}] {tickets:,} tickets, {events:,} timeline events, {visits:,} visits")
    monthly = reports.sla(MONTH, actor=admin)
    total = monthly.total
    print(
        f"[{label}] November: {total.tickets:,} tickets judged, first responses {total.first_met:,} met / "
        f"{total.first_missed:,} missed / {total.first_pending:,} pending, updates {total.updates_met:,} met / "
        f"{total.updates_missed:,} missed, median {total.median_first_response_hours:.2f} h, "
        f"p90 {total.p90_first_response_hours:.2f} h"
    )
    sla_median, best = _timed(lambda: reports.sla(MONTH, actor=admin))
    print(f"[{label}] monthly SLA report        {_ms(sla_median)} median, {_ms(best)} best {_cpu()}  goal < 1 s")

    calls = (
        lambda: reports.sla(MONTH, actor=admin),
        lambda: reports.workload(MONTH, actor=admin),
        lambda: reports.field_work(MONTH, actor=admin),
        lambda: reports.plans(MONTH, actor=admin),
    )

    def one_after_another() -> None:
        for call in calls:
            call()

    pool = READERS  # as app.py sizes the window's reading pool
    readers = ThreadPoolExecutor(pool)

    def page() -> None:
        """As the Informes page reads them: side by side on the task runner's reading pool."""
        for future in [readers.submit(call) for call in calls]:
            future.result()

    for name, fn in (
        ("workload", lambda: reports.workload(MONTH, actor=admin)),
        ("field work", lambda: reports.field_work(MONTH, actor=admin)),
        ("plans", lambda: reports.plans(MONTH, actor=admin)),
    ):
        median, best = _timed(fn, 3)
        print(f"[{label}]   {name:24}{_ms(median)} median {_cpu()}")
    median, best = _timed(one_after_another, 3)
    print(f"[{label}]   the 4 one after another {_ms(median)} median, {_ms(best)} best {_cpu()}")
    median, best = _timed(page, 3)
    print(
        f"[{label}] Informes page (4 reports, {pool} reading) {_ms(median)} median, {_ms(best)} best {_cpu()}"
        "  goal < 2 s"
    )
    readers.shutdown()
    assert busiest is not None
    year = ReportPeriod.year(NOW.date())
    customer = CustomerId(busiest[0])
    median, best = _timed(lambda: reports.customer_report(customer, year, actor=admin), 3)
    data = reports.customer_report(customer, year, actor=admin)
    print(
        f"[{label}] customer's year (data)    {_ms(median)} median {_cpu()}  {len(data.tickets)} tickets, "
        f"{len(data.visits)} visits ({year.start} – {year.end})"
    )
    if naive:
        start, start_cpu = time.perf_counter(), time.process_time()
        slow = reports.sla_naive(MONTH, actor=admin)
        took, took_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        fast = reports.sla(MONTH, actor=admin)
        agree = "the same figures" if slow == fast else "DIFFERENT FIGURES"
        ratio = took / sla_median
        print(
            f"[{label}] naive monthly SLA report  {_ms(took)} (CPU {took_cpu * 1000:.0f} ms)   "
            f"{ratio:.0f}× the fast one's wall time; {agree}"
        )
    services.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build the SQLite database in this folder and keep it")
    parser.add_argument("--pg", action="store_true", help="also on a temporary PostgreSQL server")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive replay")
    args = parser.parse_args()
    i18n.install("es_CO")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="report-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    settings = Settings(db_url=f"sqlite:///{folder / 'bench.sqlite3'}", data_dir=folder)
    if not Path(settings.db_url.removeprefix("sqlite:///")).exists():
        start = time.perf_counter()
        build(settings, args.tickets)
        print(f"[sqlite] built {args.tickets:,} tickets in {time.perf_counter() - start:.1f} s: {settings.db_url}")
    run(settings, "sqlite", not args.no_naive)
    if args.pg:
        from tests.pg_server import TemporaryPostgres

        pg = TemporaryPostgres().start()
        try:
            name = pg.create_database()
            pg_settings = Settings(db_url=pg.url(name), data_dir=folder / "pg")
            start = time.perf_counter()
            build(pg_settings, args.tickets)
            print(f"[postgresql] built {args.tickets:,} tickets in {time.perf_counter() - start:.1f} s")
            run(pg_settings, "postgresql", not args.no_naive)
        finally:
            pg.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
