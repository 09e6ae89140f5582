"""Report PDF benchmark (issue 15): a customer's year as a PDF, and the monthly management report.

    python bench/report_pdf_bench.py [--db URL] [--now ISO] [--repeat N]

Without --db it loads the demo (services/demo.py, thirteen months of history) into a temporary
SQLite file; with --db it reads that database, e.g. the one bench/report_bench.py --keep builds
(100,000 tickets: --db sqlite:////tmp/folder/bench.sqlite3 --now 2026-12-01T11:30-05:00).
The customer is the one with most tickets in the year. Times the data (Desk.reports), the drawing
(documents/report_customer_pdf.py) and both together; goal < 1 s for the customer's year.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from desktop_app import i18n
from desktop_app.bootstrap import build_services
from desktop_app.config import Settings
from desktop_app.documents.report_customer_pdf import render_customer_report
from desktop_app.documents.report_pdf import ManagementReport, render_management_report
from desktop_app.domain.ids import CustomerId
from desktop_app.domain.permissions import SYSTEM
from desktop_app.persistence.tables import TicketRecord
from desktop_app.services.clock import FixedClock
from desktop_app.services.report_dto import ReportPeriod

DEMO_NOW = datetime(2026, 11, 26, 10, 30, tzinfo=ZoneInfo("America/Bogota"))


def _timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database URL (default: the demo in a temporary SQLite file)")
    parser.add_argument("--now", help="the clock, ISO with offset (default: the demo's 2026-11-26 10:30)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    i18n.install("es_CO")
    now = datetime.fromisoformat(args.now) if args.now else DEMO_NOW
    folder = Path(tempfile.mkdtemp(prefix="report-pdf-bench-"))
    settings = Settings(db_url=args.db or f"sqlite:///{folder / 'demo.sqlite3'}", data_dir=folder)
    services = build_services(settings, clock=FixedClock(now))
    if not args.db:
        start = time.perf_counter()
        summary = services.demo.load(now)
        print(f"demo loaded: {summary.tickets} tickets in {time.perf_counter() - start:.1f} s")
    reports = services.reports
    assert reports is not None
    year = ReportPeriod.year(now.date())
    with services.engine.connect() as connection:
        busiest = connection.execute(
            select(TicketRecord.customer_id, func.count())
            .group_by(TicketRecord.customer_id)
            .order_by(func.count().desc())
        ).first()
        tickets = connection.scalar(select(func.count()).select_from(TicketRecord))
    assert busiest is not None
    customer = CustomerId(busiest[0])
    company = services.company.profile()
    data = reports.customer_report(customer, year, actor=SYSTEM)
    pdf = render_customer_report(data, company)
    print(
        f"{tickets:,} tickets in the database; {data.customer_name}: {len(data.tickets)} tickets, "
        f"{len(data.visits)} visits in {year.start} – {year.end}; the PDF {len(pdf) / 1024:.0f} KB"
    )
    median, best = _timed(lambda: reports.customer_report(customer, year, actor=SYSTEM), args.repeat)
    print(f"customer's year, data        {median * 1000:7.0f} ms median, {best * 1000:.0f} ms best")
    median, best = _timed(lambda: render_customer_report(data, company), args.repeat)
    print(f"customer's year, drawing     {median * 1000:7.0f} ms median, {best * 1000:.0f} ms best")

    def whole() -> None:
        render_customer_report(reports.customer_report(customer, year, actor=SYSTEM), company)

    median, best = _timed(whole, args.repeat)
    print(f"customer's year PDF, total   {median * 1000:7.0f} ms median, {best * 1000:.0f} ms best  goal < 1 s")
    month = ReportPeriod.last_month(now.date()) if now.day < 20 else ReportPeriod.this_month(now.date())
    month = ReportPeriod(month.start, min(month.end, now.date()))

    def management() -> None:
        render_management_report(
            ManagementReport(
                month=month,
                sla=reports.sla(month, actor=SYSTEM),
                trend=reports.sla(ReportPeriod.year(month.start), actor=SYSTEM),
                workload=reports.workload(month, actor=SYSTEM),
                field_work=reports.field_work(month, actor=SYSTEM),
                plans=reports.plans(month, actor=SYSTEM),
                generated_at=now,
            ),
            company,
        )

    median, best = _timed(management, max(1, args.repeat // 2))
    print(f"management report {month.start:%Y-%m} PDF {median * 1000:7.0f} ms median, {best * 1000:.0f} ms best")
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
