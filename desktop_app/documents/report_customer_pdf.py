"""A customer's service report for a period as a PDF (issue 15), in the certificates' look: their
requests and how soon each was first answered against the response time of their plan (with a
chart per month), the visits on site, and the use of their plan. The office sends it to Premium
customers. A part with nothing to show says so in a sentence.
"""

from __future__ import annotations

import io
from datetime import timedelta, tzinfo

from reportlab.lib.units import mm

from desktop_app.documents.company_file import shipped_company
from desktop_app.documents.labels_pdf import register_fonts
from desktop_app.documents.report_layout import Column, ReportPage, open_canvas
from desktop_app.documents.report_words import (
    BOGOTA,
    count,
    hours,
    hours_note,
    month_label,
    number,
    period_text,
    sla_boxes,
)
from desktop_app.domain.company import CompanyProfile
from desktop_app.formatting import format_date, format_datetime, format_money, format_working_hours
from desktop_app.i18n import _, ngettext
from desktop_app.services.report_dto import CustomerServiceReport
from desktop_app.wording import severity_label, status_label


def render_customer_report(
    report: CustomerServiceReport, company: CompanyProfile | None = None, tz: tzinfo = BOGOTA
) -> bytes:
    register_fonts()
    who = company or shipped_company()
    buffer = io.BytesIO()
    title = _("Service report · {customer}").format(customer=report.customer_name)
    canvas = open_canvas(buffer, title, who)
    canvas.setSubject(period_text(report.period))
    subtitle = " · ".join(
        part for part in (report.customer_name, f"NIT {report.tax_id}" if report.tax_id else "", report.city) if part
    )
    issued = report.generated_at
    stamp = _("issued {when}").format(when=format_datetime(issued, tz)) if issued else ""
    page = ReportPage(canvas, who, _("Technical support service report"), subtitle, stamp)
    page.paragraph(
        _(
            "{company} reports to {customer} on the technical support given from {start} to {end}: the requests, "
            "how soon each was first answered against the response time of the plan, the visits on site and the "
            "use of the plan."
        ).format(
            company=who.legal_name,
            customer=report.customer_name,
            start=format_date(report.period.start),
            end=format_date(report.period.end),
        )
    )
    _customer_tickets(page, report, tz)
    _customer_visits(page, report, tz)
    _customer_plans(page, report)
    for note in report.notes:
        page.paragraph(note, size=8, muted=True)
    page.paragraph(hours_note(), size=7.5, muted=True)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _customer_tickets(page: ReportPage, report: CustomerServiceReport, tz: tzinfo) -> None:
    page.section(_("Requests and response times"))
    if report.empty_reason or not report.tickets:
        page.paragraph(report.empty_reason or _("No requests were received in this period."))
        return
    page.figures([(_("Requests"), str(report.sla.tickets)), *sla_boxes(report.sla)])
    months = [group for group in report.by_month if group.first_met + group.first_missed]
    if len(months) > 1:
        page.bar_chart(
            _("First responses per month"),
            [month_label(group.key).replace(" ", "\n") for group in report.by_month],
            [
                (_("On time"), [float(group.first_met) for group in report.by_month]),
                (_("Late"), [float(group.first_missed) for group in report.by_month]),
            ],
            count,
            height=46 * mm,
        )
    page.subheading(_("Requests in the period"))
    page.table(
        [
            Column(_("Ticket"), 1.9),
            Column(_("Received"), 1.5),
            Column(_("Severity"), 1.1),
            Column(_("Promised"), 1.1, right=True),
            Column(_("Answered in"), 1.6, right=True),
            Column(_("On time"), 1.1),
            Column(_("Status"), 3.4),
        ],
        [
            [
                line.number,
                format_date(line.received_at.astimezone(tz).date()),
                severity_label(line.severity),
                hours(line.response_hours),
                "—" if line.first_response_hours is None else hours(line.first_response_hours),
                _met_text(line.met),
                status_label(line.status) + (_(" · reopened") if line.reopen_count else ""),
            ]
            for line in report.tickets
        ],
    )


def _met_text(met: bool | None) -> str:
    if met is None:
        return _("pending")
    return _("yes") if met else _("no")


def _customer_visits(page: ReportPage, report: CustomerServiceReport, tz: tzinfo) -> None:
    page.section(_("Visits on site"))
    if not report.visits:
        page.paragraph(_("No visits on site in this period."))
        return
    total_hours = sum(visit.hours for visit in report.visits)
    page.paragraph(
        ngettext("{n} visit, {hours} on site.", "{n} visits, {hours} on site in total.", len(report.visits)).format(
            n=len(report.visits), hours=format_working_hours(timedelta(hours=total_hours))
        )
    )
    page.table(
        [
            Column(_("Date"), 1.6),
            Column(_("Ticket"), 1.8),
            Column(_("Machine"), 1.8),
            Column(_("Technician"), 2.1),
            Column(_("City"), 1.3),
            Column(_("Hours"), 1.3, right=True),
            Column(_("Work"), 2.1),
            Column(_("Travel"), 1.4, right=True),
        ],
        [
            [
                format_date(visit.started_at.astimezone(tz).date()),
                visit.ticket_number or "—",
                visit.serial,
                visit.technician,
                visit.city,
                format_working_hours(timedelta(hours=visit.hours)),
                _visit_kind(visit.maintenance, visit.long_maintenance),
                format_money(visit.travel_expenses),
            ]
            for visit in report.visits
        ],
    )


def _visit_kind(maintenance: bool, long: bool) -> str:
    if long:
        return _("long maintenance")
    return _("maintenance") if maintenance else _("visit")


def _customer_plans(page: ReportPage, report: CustomerServiceReport) -> None:
    page.section(_("Use of the plan"))
    if not report.plan_use:
        page.paragraph(_("No support plan was in force in this period."))
        return
    page.table(
        [
            Column(_("Plan"), 1.6),
            Column(_("Invoice"), 1.4),
            Column(_("Validity"), 2.8),
            Column(_("Advisory hours used"), 2.2, right=True),
            Column(_("Maintenances used"), 2.1, right=True),
        ],
        [
            [
                use.plan_name,
                use.invoice_number,
                f"{format_date(use.valid_from)} – {format_date(use.valid_to)}",
                _("{used} of {included}").format(
                    used=number(use.advisory_hours_used), included=use.advisory_hours_included
                ),
                _("{used} of {included}").format(used=use.maintenances_used, included=use.maintenances_included),
            ]
            for use in report.plan_use
        ],
    )
    extra = sum(use.extra_advisory_hours for use in report.plan_use)
    if extra > 0:
        page.paragraph(
            _("Advisory hours beyond the plan, billed apart (R17): {hours}.").format(hours=number(extra)),
            size=8,
            muted=True,
        )
