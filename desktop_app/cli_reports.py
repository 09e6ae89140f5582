"""`makersupport report …`: the reports of issue 15 from the command line, thin over ReportService.

makersupport report sla --from DATE --to DATE [--plan P] [--severity S] [--format table|csv|json]
                                                  SLA compliance: in total and by month, plan, severity,
                                                  city, agent and customer
makersupport report customer NIT|ID --from DATE --to DATE --out FILE.pdf
                                                  a customer's service report for the period
makersupport report month --month YYYY-MM --out FILE.pdf
                                                  the monthly management report

Dates are ISO (2026-11-01), both days included, Colombia time. Reports only read, so, like `queue`
and `sla`, they need no sign-in (cli_sign_in.py): they are read as the desk itself, which sees
every ticket. A PDF is never written over an existing file. Bad input (a date that is not one, a
period ending before it starts or lying wholly in the future, an unknown customer or plan, an
existing file) is told in a sentence, exit 2, and nothing is written.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.documents.report_words import hours, month_label, percent, period_text
from desktop_app.domain.ids import CustomerId
from desktop_app.domain.model import Severity
from desktop_app.domain.permissions import SYSTEM
from desktop_app.errors import UserFacingError
from desktop_app.files import check_target, write_file
from desktop_app.i18n import _
from desktop_app.services.report_dto import ReportFilter, ReportPeriod, SlaCompliance, SlaFigures

if TYPE_CHECKING:
    from desktop_app.bootstrap import Services
    from desktop_app.services.reports import ReportService

FORMATS = ("table", "csv", "json")
# The groupings of the SLA report, in the order they are printed: (DTO field, code for csv/json).
GROUPS = (
    ("by_month", "month"),
    ("by_plan", "plan"),
    ("by_severity", "severity"),
    ("by_city", "city"),
    ("by_agent", "agent"),
    ("by_customer", "customer"),
)


FIRST_YEAR, LAST_YEAR = 1900, 2200  # as `calendar`: far-off years are typos, not history


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“{text}” is not a date; write it as 2026-11-01.").format(text=text)
        ) from None
    return _in_range(day, text)


def _month(text: str) -> date:
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        day = date(year, month, 1)
    except ValueError:
        raise argparse.ArgumentTypeError(_("“{text}” is not a month; write it as 2026-11.").format(text=text)) from None
    return _in_range(day, text)


def _in_range(day: date, text: str) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            _("“{text}” is out of range: reports cover years {first} to {last}.").format(
                text=text, first=FIRST_YEAR, last=LAST_YEAR
            )
        )
    return day


def add_report_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `report` command and its subcommands."""
    report = commands.add_parser("report", help=_("reports: SLA compliance, a customer's service, the month"))
    report_commands = report.add_subparsers(dest="report_command", required=True)
    sla = report_commands.add_parser("sla", help=_("first responses on time and late in a period (reads only)"))
    _period_options(sla)
    sla.add_argument("--plan", metavar="PLAN", help=_("only tickets of this plan (code or name)"))
    sla.add_argument("--severity", choices=[s.value for s in Severity], help=_("only tickets of this severity"))
    sla.add_argument("--format", choices=FORMATS, default="table", help=_("output (default: table)"))
    customer = report_commands.add_parser("customer", help=_("a customer's service report as a PDF"))
    customer.add_argument("customer", metavar="NIT", help=_("the customer's NIT (or id)"))
    _period_options(customer)
    customer.add_argument("--out", required=True, type=Path, help=_("the PDF file to create (never overwritten)"))
    month = report_commands.add_parser("month", help=_("the monthly management report as a PDF"))
    month.add_argument("--month", required=True, type=_month, metavar="YYYY-MM", help=_("the month, e.g. 2026-11"))
    month.add_argument("--out", required=True, type=Path, help=_("the PDF file to create (never overwritten)"))


def _period_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="start", required=True, type=_day, metavar="DATE", help=_("first day, e.g. 2026-11-01")
    )
    parser.add_argument("--to", dest="end", required=True, type=_day, metavar="DATE", help=_("last day, included"))


def run_report(args: argparse.Namespace, services: Services) -> int:
    command = args.report_command
    # A custom period is refused (UserFacingError) when it ends before it starts.
    period = ReportPeriod.this_month(args.month) if command == "month" else ReportPeriod.custom(args.start, args.end)
    today = _reports(services).today()
    if period.start > today:
        raise UserFacingError(
            _("The period {period} is in the future: there is nothing to report yet.").format(
                period=period_text(period)
            )
        )
    if command == "sla":
        return _sla(args, services, period)
    if command == "customer":
        return _customer(args, services, period)
    return _management(args, services, period)


def _reports(services: Services) -> ReportService:
    if services.reports is None:  # a desk built without reports (some tests); never the installed program
        raise UserFacingError(_("Reports are not available in this installation."))
    return services.reports


def _check_pdf(path: Path) -> None:
    if path.suffix.lower() != ".pdf":
        raise UserFacingError(_("Name the file .pdf: {path}").format(path=path))
    check_target(path)  # before anything is read: a file is never replaced


# -- report sla ----------------------------------------------------------------------------------


def _plan_code(text: str | None, services: Services) -> str | None:
    if text is None:
        return None
    plans = services.policy.policy().plans
    wanted = text.strip().casefold()
    for plan in plans:
        if wanted in (plan.code.casefold(), plan.name.casefold()):
            return plan.code
    raise UserFacingError(
        _("There is no plan “{plan}”; the plans are: {plans}.").format(
            plan=text, plans=", ".join(plan.code for plan in plans)
        )
    )


def _sla(args: argparse.Namespace, services: Services, period: ReportPeriod) -> int:
    flt = ReportFilter(
        plan=_plan_code(args.plan, services), severity=Severity(args.severity) if args.severity else None
    )
    report = _reports(services).sla(period, flt, actor=SYSTEM)
    if args.format == "json":
        print(sla_json(report))
    elif args.format == "csv":
        sys.stdout.write(sla_csv(report))
    else:
        print(sla_table(report))
    return 0


def _plain(figures: SlaFigures) -> dict[str, object]:
    return dataclasses.asdict(figures)


def sla_json(report: SlaCompliance) -> str:
    """The whole report as JSON: raw figures (ratios 0–1, working hours), null where there are none."""
    flt = report.filter
    document: dict[str, object] = {
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "filter": {"plan": flt.plan, "severity": flt.severity.value if flt.severity else None},
        "empty_reason": report.empty_reason,
        "policy_versions": list(report.policy_versions),
        "total": _plain(report.total),
    }
    for name, _code in GROUPS:
        document[name] = [_plain(group) for group in getattr(report, name)]
    return json.dumps(document, ensure_ascii=False, indent=2)


CSV_FIELDS = [field.name for field in dataclasses.fields(SlaFigures)]


def sla_csv(report: SlaCompliance) -> str:
    """One row per group (the total first), the grouping in the first column; raw figures."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["group", *CSV_FIELDS])
    rows = [("total", report.total)]
    rows += [(code, figures) for name, code in GROUPS for figures in getattr(report, name)]
    for code, figures in rows:
        values = _plain(figures)
        writer.writerow([code, *("" if values[f] is None else values[f] for f in CSV_FIELDS)])
    return out.getvalue()


def sla_table(report: SlaCompliance) -> str:
    """What a person reads: the totals, then a table per grouping."""
    lines = [_("SLA compliance, {period}").format(period=period_text(report.period))]
    if report.empty_reason:
        lines.append(report.empty_reason)
        return "\n".join(lines)
    total = report.total
    lines.append(
        _(
            "First responses on time: {compliance} ({met} on time, {missed} late, {pending} pending) · "
            "updates on time: {updates} · median {median} · 90th percentile {p90} · paused {paused}"
        ).format(
            compliance=percent(total.compliance),
            met=total.first_met,
            missed=total.first_missed,
            pending=total.first_pending,
            updates=percent(total.update_compliance),
            median=hours(total.median_first_response_hours),
            p90=hours(total.p90_first_response_hours),
            paused=hours(total.paused_hours),
        )
    )
    titles = {
        "by_month": _("Month"),
        "by_plan": _("Plan"),
        "by_severity": _("Severity"),
        "by_city": _("City"),
        "by_agent": _("Agent"),
        "by_customer": _("Customer"),
    }
    heading = [_("Tickets"), _("On time"), _("Late"), _("Pending"), _("Compliance"), _("Median"), _("90th percentile")]
    for name, _code in GROUPS:
        groups = getattr(report, name)
        if not groups:
            continue
        rows = [[titles[name], *heading]]
        for group in groups:
            label = month_label(group.key) if name == "by_month" else group.label
            rows.append(
                [
                    label,
                    str(group.tickets),
                    str(group.first_met),
                    str(group.first_missed),
                    str(group.first_pending),
                    percent(group.compliance),
                    hours(group.median_first_response_hours),
                    hours(group.p90_first_response_hours),
                ]
            )
        lines += ["", *_aligned(rows)]
    return "\n".join(lines)


def _aligned(rows: list[list[str]]) -> list[str]:
    first = min(44, max(len(row[0]) for row in rows))
    widths = [max(len(row[i]) for row in rows) for i in range(1, len(rows[0]))]
    return [
        "  ".join(
            [row[0][:first].ljust(first), *(cell.rjust(width) for cell, width in zip(row[1:], widths, strict=True))]
        )
        for row in rows
    ]


# -- the PDFs ------------------------------------------------------------------------------------


def _customer(args: argparse.Namespace, services: Services, period: ReportPeriod) -> int:
    _check_pdf(args.out)
    customer_id = CustomerId(services.machines.find_customer(args.customer))
    report = _reports(services).customer_report(customer_id, period, actor=SYSTEM)
    from desktop_app.documents.report_customer_pdf import render_customer_report  # ReportLab on first use

    write_file(args.out, render_customer_report(report, services.company.profile()))
    print(
        _("Service report of {customer} ({period}, {n} tickets) written to {path}").format(
            customer=report.customer_name, period=period_text(period), n=len(report.tickets), path=args.out
        )
    )
    if report.empty_reason:
        print(report.empty_reason)
    return 0


def _management(args: argparse.Namespace, services: Services, period: ReportPeriod) -> int:
    _check_pdf(args.out)
    reports = _reports(services)
    from desktop_app.documents.report_pdf import ManagementReport, render_management_report

    data = ManagementReport(
        month=period,
        sla=reports.sla(period, actor=SYSTEM),
        trend=reports.sla(ReportPeriod.year(period.start), actor=SYSTEM),
        workload=reports.workload(period, actor=SYSTEM),
        field_work=reports.field_work(period, actor=SYSTEM),
        plans=reports.plans(period, actor=SYSTEM),
        generated_at=services.tickets.now(),
    )
    write_file(args.out, render_management_report(data, services.company.profile()))
    print(
        _("Management report of {month} written to {path}").format(
            month=month_label(f"{period.start:%Y-%m}"), path=args.out
        )
    )
    return 0
