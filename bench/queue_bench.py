"""Queue benchmark: 100,000 tickets in a SQLite file, then the figures the queue view depends on.

    python bench/queue_bench.py [--tickets N] [--keep PATH]

Prints: time to build the database, time to open the queue view's first page (service call and
the real QueueView widget), time to apply a text filter (service and widget), the count query,
and memory. Goals (issue 2): first page < 300 ms, filter < 150 ms on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select

from desktop_app import i18n
from desktop_app.bootstrap import build_services
from desktop_app.config import Settings
from desktop_app.domain.ids import PlanCode
from desktop_app.domain.model import Severity, TicketStatus
from desktop_app.domain.search import search_document
from desktop_app.domain.sla import first_response_due
from desktop_app.persistence.tables import CustomerRecord, MachineRecord, TicketRecord, UserRecord
from desktop_app.services.clock import FixedClock
from desktop_app.services.demo import PROBLEMS
from desktop_app.services.dto import QueueFilter

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
REPEAT = 7


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def _timed(fn, repeat: int = REPEAT) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(median, best) wall time of `fn` over `repeat` runs."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), min(runs)


def build(folder: Path, count: int) -> Settings:
    settings = Settings(db_url=f"sqlite:///{folder / 'bench.sqlite3'}", data_dir=folder)
    services = build_services(settings, clock=FixedClock(NOW))
    services.demo.load(NOW)
    policy, calendar = services.policy.policy(), services.policy.calendar()
    rng = random.Random(7)
    with services.engine.begin() as connection:
        machines = connection.execute(select(MachineRecord.id, MachineRecord.customer_id)).all()
        serials = dict(connection.execute(select(MachineRecord.id, MachineRecord.serial)).all())
        customers = dict(connection.execute(select(CustomerRecord.id, CustomerRecord.name)).all())
        agents = connection.scalars(select(UserRecord.id)).all()
        plans = [PlanCode(p) for p in ("premium", "profesional", "basico", "garantia")]
        descriptions = [d for group in PROBLEMS.values() for d in group]
        statuses = list(TicketStatus)
        rows = []
        for n in range(count):
            machine_id, customer_id = rng.choice(machines)
            plan, severity = rng.choice(plans), rng.choice(list(Severity))
            received = NOW - timedelta(minutes=rng.randrange(10, 60 * 24 * 365 * 3))
            status = rng.choices(statuses, weights=(20, 25, 10, 35, 5, 5))[0]
            responded = status is not TicketStatus.NEW
            description = f"{rng.choice(descriptions)} Caso {n}."
            due = first_response_due(calendar, received, policy.response_time(plan, severity))
            rows.append(
                {
                    "number": f"BEN-{n:07d}",
                    "machine_id": machine_id,
                    "customer_id": customer_id,
                    "plan_code": plan,
                    "severity": severity.value,
                    "channel": "email",
                    "description": description,
                    "status": status.value,
                    "assigned_agent_id": rng.choice(agents),
                    "received_at": received,
                    "first_response_due_at": due,
                    "due_at": None if responded or not status.is_open else due,
                    "clock_started_at": received,
                    "first_responded_at": received + timedelta(hours=1) if responded else None,
                    "closed_at": None,
                    "reopen_count": 0,
                    "escalation_level": 1,
                    "plan_rank": policy.plan(plan).rank,
                    "severity_rank": policy.severity_rank(severity),
                    "search_text": search_document(
                        f"BEN-{n:07d}", customers[customer_id], serials[machine_id], description
                    ),
                    "version": 1,
                }
            )
            if len(rows) == 10_000:
                connection.execute(insert(TicketRecord), rows)
                rows = []
        if rows:
            connection.execute(insert(TicketRecord), rows)
    services.close()
    return settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build the database in this folder and keep it")
    args = parser.parse_args()
    i18n.install("es_CO")

    folder = args.keep or Path(tempfile.mkdtemp(prefix="queue-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    settings = build(folder, args.tickets)
    print(f"tickets: {args.tickets:,} (+300 demo) in {settings.db_url}")
    print(f"build database            {_ms(time.perf_counter() - start)}")

    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.views.queue_view import QueueView

    app = QApplication.instance() or QApplication([])

    # Cold start: a new process opens the file, migrates (no-op), reads the first page.
    start = time.perf_counter()
    services = build_services(settings, clock=FixedClock(NOW))
    first = services.tickets.list_queue(QueueFilter())
    cold = time.perf_counter() - start
    print(f"open services + 1st page  {_ms(cold)}   (cold, includes opening the database)")
    print(f"open queue: {first.total:,} open tickets, first page {len(first.rows)} rows")

    median, best = _timed(lambda: services.tickets.list_queue(QueueFilter()))
    print(f"first page (service)      {_ms(median)} median, {_ms(best)} best")
    median, best = _timed(lambda: QueueView(services.tickets).deleteLater())
    print(f"first page (QueueView)    {_ms(median)} median, {_ms(best)} best   goal < 300 ms")

    for text in ("eafit", "extrusor", "MK-R1", "BEN-0099999", "zzz-nada"):
        flt = QueueFilter(text=text)
        median, best = _timed(lambda flt=flt: services.tickets.list_queue(flt))
        total = services.tickets.list_queue(flt).total
        print(f"filter {text!r:15} (service) {_ms(median)} median, {_ms(best)} best   {total:,} matches")

    view = QueueView(services.tickets)

    def apply(text: str) -> None:
        view.search.setText(text)
        view.apply_filter()
        app.processEvents()

    median, best = _timed(lambda: (apply("eafit"), apply("")))
    print(f"filter + clear (widget)   {_ms(median / 2)} median per change  goal < 150 ms")

    median, best = _timed(lambda: services.tickets.counts())
    print(f"status-bar counts         {_ms(median)} median")

    tracemalloc.start()
    page = services.tickets.list_queue(QueueFilter(), 0, 200)
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"memory of one page        {current / 1024:8.1f} KiB for {len(page.rows)} rows")
    print(f"process peak RSS          {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.1f} MiB")
    size = Path(settings.db_url.removeprefix("sqlite:///")).stat().st_size
    print(f"database file             {size / 2**20:8.1f} MiB")
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
