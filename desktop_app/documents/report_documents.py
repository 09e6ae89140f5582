"""The report PDFs as the Informes page asks for them: the monthly management report of a month and
a customer's service report of a period, read from the report service as the signed-in person may
read them and drawn by report_pdf.py / report_customer_pdf.py (ReportLab loads with the first one).

app.py hands one of these to the window: the UI does not import documents/ (ARCHITECTURE.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from desktop_app.domain.company import CompanyProfile
from desktop_app.domain.ids import CustomerId
from desktop_app.domain.permissions import Actor
from desktop_app.services.report_dto import (
    CustomerServiceReport,
    FieldWork,
    PlanUse,
    ReportFilter,
    ReportPeriod,
    SlaCompliance,
    Workload,
)


class _Reports(Protocol):
    def sla(self, period: ReportPeriod, flt: ReportFilter | None = None, *, actor: Actor) -> SlaCompliance: ...
    def workload(self, period: ReportPeriod, flt: ReportFilter | None = None, *, actor: Actor) -> Workload: ...
    def field_work(self, period: ReportPeriod, flt: ReportFilter | None = None, *, actor: Actor) -> FieldWork: ...
    def plans(self, period: ReportPeriod, flt: ReportFilter | None = None, *, actor: Actor) -> PlanUse: ...
    def customer_report(
        self, customer_id: CustomerId, period: ReportPeriod, *, actor: Actor
    ) -> CustomerServiceReport: ...


class ReportDocuments:
    """Args:
    reports: the report service (Desk.reports); it decides what the actor may read.
    company: the company's data for the heading.
    now: when the document is issued.
    """

    def __init__(self, reports: _Reports, company: Callable[[], CompanyProfile], now: Callable[[], datetime]) -> None:
        self._reports, self._company, self._now = reports, company, now

    def monthly(self, period: ReportPeriod, *, actor: Actor) -> bytes:
        """The management report of the month `period` starts in, with the twelve months ending with it."""
        from desktop_app.documents.report_pdf import ManagementReport, render_management_report

        month = ReportPeriod.this_month(period.start)
        reports = self._reports
        data = ManagementReport(
            month=month,
            sla=reports.sla(month, actor=actor),
            trend=reports.sla(ReportPeriod.year(month.start), actor=actor),
            workload=reports.workload(month, actor=actor),
            field_work=reports.field_work(month, actor=actor),
            plans=reports.plans(month, actor=actor),
            generated_at=self._now(),
        )
        return render_management_report(data, self._company())

    def customer(self, customer_id: CustomerId, period: ReportPeriod, *, actor: Actor) -> bytes:
        """One customer's service report for the period."""
        from desktop_app.documents.report_customer_pdf import render_customer_report

        report = self._reports.customer_report(customer_id, period, actor=actor)
        return render_customer_report(report, self._company())
