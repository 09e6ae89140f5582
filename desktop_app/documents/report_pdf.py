"""The reports as PDFs (issue 15), in the certificates' look: the monthly management report (SLA
compliance in total and by plan, severity, city and agent, the workload, the field work and the use
of the plans, with bar charts) and the service report a customer receives for a period (their
requests and how soon each was first answered against their plan, the visits, the use of their
plan), which the office sends to Premium customers.

The figures are the ReportService's DTOs (services/report_dto.py), drawn as they are: nothing is
computed here but their presentation. A part with nothing to show says why in a sentence (the
DTO's `empty_reason`, or the document's own), never an empty table or chart. Rendering is
deterministic (ReportLab invariant mode).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from reportlab.lib.units import mm

from desktop_app.documents.company_file import shipped_company
from desktop_app.documents.labels_pdf import register_fonts
from desktop_app.documents.report_customer_pdf import render_customer_report
from desktop_app.documents.report_layout import Column, ReportPage, open_canvas
from desktop_app.documents.report_words import (
    BOGOTA,
    count,
    hours,
    hours_note,
    month_label,
    number,
    percent,
    period_text,
    sla_boxes,
)
from desktop_app.domain.company import CompanyProfile
from desktop_app.formatting import format_date, format_datetime, format_money, format_working_hours
from desktop_app.i18n import _
from desktop_app.services.report_dto import (
    CustomerServiceReport,
    FieldWork,
    PlanUse,
    ReportPeriod,
    SlaCompliance,
    SlaFigures,
    VisitGroup,
    Workload,
)
from desktop_app.wording import billing_line_label


@dataclass(frozen=True)
class ManagementReport:
    """What the monthly management report shows: the month's figures, and the twelve months
    ending with it for the trend (`trend.by_month`)."""

    month: ReportPeriod
    sla: SlaCompliance
    trend: SlaCompliance
    workload: Workload
    field_work: FieldWork
    plans: PlanUse
    generated_at: datetime


class ReportPdfRenderer:
    """Both report documents; the company's data in their heading (company.json's when none)."""

    def management(self, data: ManagementReport, company: CompanyProfile | None = None) -> bytes:
        return render_management_report(data, company)

    def customer(self, report: CustomerServiceReport, company: CompanyProfile | None = None) -> bytes:
        return render_customer_report(report, company)


def _sla_rows(groups: Sequence[SlaFigures], total: SlaFigures | None = None) -> list[list[str]]:
    rows = [
        [
            group.label,
            str(group.tickets),
            str(group.first_met),
            str(group.first_missed),
            str(group.first_pending),
            percent(group.compliance),
            hours(group.median_first_response_hours),
            hours(group.p90_first_response_hours),
        ]
        for group in groups
    ]
    if total is not None:
        rows.append([_("Total"), *_sla_rows([total])[0][1:]])
    return rows


def _sla_columns(first: str) -> list[Column]:
    return [
        Column(first, 2.7),
        Column(_("Tickets"), 1.0, right=True),
        Column(_("On time"), 1.1, right=True),
        Column(_("Late"), 1.1, right=True),
        Column(_("Pending"), 1.2, right=True),
        Column(_("Compliance"), 1.5, right=True),
        Column(_("Median"), 1.6, right=True),
        Column(_("90th percentile"), 1.6, right=True),
    ]


def _policy_note(versions: Sequence[int]) -> str:
    if len(versions) < 2:
        return ""
    return _(
        "This period spans a change of the support policy: each ticket is judged by the version it was "
        "received under (versions {versions})."
    ).format(versions=", ".join(str(v) for v in versions))


# -- the monthly management report ---------------------------------------------------------------


def render_management_report(
    data: ManagementReport, company: CompanyProfile | None = None, tz: tzinfo = BOGOTA
) -> bytes:
    register_fonts()
    who = company or shipped_company()
    buffer = io.BytesIO()
    title = _("Monthly management report · {month}").format(month=month_label(data.month.start.strftime("%Y-%m")))
    canvas = open_canvas(buffer, title, who)
    stamp = _("issued {when}").format(when=format_datetime(data.generated_at, tz))
    page = ReportPage(canvas, who, title, period_text(data.month), stamp)
    _management_sla(page, data)
    _management_workload(page, data.workload)
    _management_field_work(page, data.field_work)
    _management_plans(page, data.plans)
    page.paragraph(hours_note(), size=7.5, muted=True)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _management_sla(page: ReportPage, data: ManagementReport) -> None:
    sla = data.sla
    page.section(_("Response times (SLA)"))
    if sla.empty_reason:
        page.paragraph(sla.empty_reason)
    else:
        page.figures(
            [
                *sla_boxes(sla.total),
                (_("Updates on time"), percent(sla.total.update_compliance)),
                (_("Paused, waiting on the customer"), hours(sla.total.paused_hours)),
            ]
        )
        note = _policy_note(sla.policy_versions)
        if note:
            page.paragraph(note, size=8, muted=True)
    months = [group for group in data.trend.by_month if group.first_met + group.first_missed]
    if months:
        page.bar_chart(
            _("First responses on time, month by month (%)"),
            [month_label(group.key).replace(" ", "\n") for group in data.trend.by_month],
            [(_("On time"), [None if g.compliance is None else g.compliance * 100 for g in data.trend.by_month])],
            lambda value: "—" if value is None else f"{value:.0f}",
            top=100,
        )
    if sla.empty_reason:
        return
    for title, first, groups in (
        (_("By plan"), _("Plan"), sla.by_plan),
        (_("By severity"), _("Severity"), sla.by_severity),
        (_("By city"), _("City"), sla.by_city),
        (_("By agent"), _("Agent"), sla.by_agent),
    ):
        page.subheading(title)
        if groups:
            page.table(_sla_columns(first), _sla_rows(groups, sla.total), bold_last=True)
        else:
            page.paragraph(_("No tickets in this grouping."), muted=True)


def _management_workload(page: ReportPage, work: Workload) -> None:
    page.section(_("Workload"))
    if work.empty_reason:
        page.paragraph(work.empty_reason)
        return
    opened = sum(week.opened for week in work.weeks)
    closed = sum(week.closed for week in work.weeks)
    reopened = sum(week.reopened for week in work.weeks)
    escalations = sum(level.count for level in work.escalations)
    page.figures(
        [
            (_("Opened"), str(opened)),
            (_("Tickets closed"), str(closed)),
            (_("Reopened"), str(reopened)),
            (_("Open at the end"), str(work.backlog_total)),
            (_("Escalations"), str(escalations)),
            (_("Closed without response"), str(work.closed_without_response)),
        ]
    )
    if work.weeks:
        page.bar_chart(
            _("Tickets per week (the Monday it starts)"),
            [format_date(week.week_start, with_year=False) for week in work.weeks],
            [
                (_("Opened"), [float(week.opened) for week in work.weeks]),
                (_("Tickets closed"), [float(week.closed) for week in work.weeks]),
                (_("Reopened"), [float(week.reopened) for week in work.weeks]),
            ],
            count,
        )
    if work.backlog_total:
        page.bar_chart(
            _("Open tickets at the end of the period, by age (days)"),
            [bucket.label for bucket in work.backlog],
            [(_("Tickets"), [float(bucket.count) for bucket in work.backlog])],
            count,
            height=44 * mm,
        )
    levels = " · ".join(
        _("level {level}: {count}").format(level=level.level, count=level.count) for level in work.escalations
    )
    page.paragraph(
        _(
            "Escalations (R11): {levels}. Contact attempts made (R12): {attempts}; tickets closed without "
            "response after their attempts: {closed}."
        ).format(levels=levels or _("none"), attempts=work.contact_attempts, closed=work.closed_without_response)
    )


def _visit_rows(groups: Sequence[VisitGroup]) -> list[list[str]]:
    return [
        [
            group.label,
            str(group.visits),
            format_working_hours(timedelta(hours=group.hours)),
            str(group.maintenance_visits),
            str(group.long_maintenance_visits),
            format_money(group.travel_expenses),
        ]
        for group in groups
    ]


def _visit_columns(first: str, maximum: int) -> list[Column]:
    return [
        Column(first, 3.2),
        Column(_("Visits"), 1.0, right=True),
        Column(_("Hours on site"), 1.6, right=True),
        Column(_("Maintenances"), 1.5, right=True),
        Column(_("Over {n} h").format(n=maximum), 1.3, right=True),
        Column(_("Travel expenses"), 1.8, right=True),
    ]


def _management_field_work(page: ReportPage, field: FieldWork) -> None:
    page.section(_("Field work"))
    if field.empty_reason:
        page.paragraph(field.empty_reason)
        return
    total = field.total
    page.figures(
        [
            (_("Visits"), str(total.visits)),
            (_("Hours on site"), format_working_hours(timedelta(hours=total.hours))),
            (_("Maintenance visits"), str(total.maintenance_visits)),
            (_("Maintenances over {n} h").format(n=field.max_maintenance_hours), str(total.long_maintenance_visits)),
            (_("Travel expenses"), format_money(total.travel_expenses)),
        ]
    )
    if field.by_city:
        page.bar_chart(
            _("Hours on site by city"),
            [group.label for group in field.by_city],
            [(_("Hours"), [group.hours for group in field.by_city])],
            lambda value: "—" if value is None else number(value),
            height=44 * mm,
        )
        page.table(_visit_columns(_("City"), field.max_maintenance_hours), _visit_rows(field.by_city))
    if field.by_technician:
        page.subheading(_("By technician"))
        page.table(_visit_columns(_("Technician"), field.max_maintenance_hours), _visit_rows(field.by_technician))
    if field.long_visits:
        page.subheading(
            _("Maintenance visits over {n} hours (R16)").format(n=field.max_maintenance_hours),
        )
        page.table(
            [
                Column(_("Date"), 1.6),
                Column(_("Ticket"), 2.0),
                Column(_("Machine"), 2.0),
                Column(_("Technician"), 2.4),
                Column(_("City"), 1.6),
                Column(_("Hours"), 1.4, right=True),
            ],
            [
                [
                    format_date(visit.started_at.astimezone(BOGOTA).date()),
                    visit.ticket_number or "—",
                    visit.serial,
                    visit.technician,
                    visit.city,
                    format_working_hours(timedelta(hours=visit.hours)),
                ]
                for visit in field.long_visits
            ],
        )


def _management_plans(page: ReportPage, plans: PlanUse) -> None:
    page.section(_("Plans"))
    if plans.empty_reason:
        page.paragraph(plans.empty_reason)
        return
    if plans.contracts:
        page.subheading(_("Use of the plans in force"))
        page.table(
            [
                Column(_("Customer"), 3.0),
                Column(_("Plan"), 1.2),
                Column(_("Invoice"), 1.1),
                Column(_("Validity"), 2.6),
                Column(_("Advisory hours"), 2.0, right=True),  # the headers are read whole
                Column(_("Maintenances"), 2.0, right=True),
            ],
            [
                [
                    use.customer_name,
                    use.plan_name,
                    use.invoice_number,
                    f"{format_date(use.valid_from)} – {format_date(use.valid_to)}",
                    f"{number(use.advisory_hours_used)} / {use.advisory_hours_included}",
                    f"{use.maintenances_used} / {use.maintenances_included}",
                ]
                for use in plans.contracts
            ],
        )
    page.subheading(_("Renewals: contracts ending within 90 days"))
    if plans.expiring:
        page.table(
            [
                Column(_("Customer"), 3.6),
                Column(_("Plan"), 1.5),
                Column(_("Invoice"), 1.4),
                Column(_("Ends"), 1.6),
                Column(_("Days left"), 1.3, right=True),
            ],
            [
                [c.customer_name, c.plan_name, c.invoice_number, format_date(c.valid_to), str(c.days_left)]
                for c in plans.expiring
            ],
        )
    else:
        page.paragraph(_("No contract ends within the next 90 days."), muted=True)
    page.subheading(_("Billable work not yet invoiced (R17)"))
    if plans.unbilled:
        page.table(
            [
                Column(_("Date"), 1.4),
                Column(_("Customer"), 3.0),
                Column(_("Concept"), 2.0),
                Column(_("Reference"), 2.4),
                Column(_("Before IVA"), 1.6, right=True),
            ],
            [
                [
                    format_date(line.day),
                    line.customer_name,
                    billing_line_label(line.kind),
                    line.reference,
                    format_money(line.amount_before_iva),
                ]
                for line in plans.unbilled
            ],
        )
        page.paragraph(
            _("Total before IVA {before} · IVA {iva} · total {total}").format(
                before=format_money(plans.unbilled_before_iva),
                iva=format_money(plans.unbilled_iva),
                total=format_money(plans.unbilled_total),
            )
        )
    else:
        page.paragraph(_("No billable work in this period."), muted=True)
