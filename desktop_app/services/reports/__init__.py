"""Reports (issue 15): SLA compliance, workload, field work, plan use, and a customer's service
report — all derived from the ticket history (never stored twice) with the queue's own SLA engine.

`ReportService` is the facade (`Desk.reports`); one module per report:

- `sla`: first responses and updates met or missed (R7, R9, R10, R14) by month, plan, severity,
  agent, city and customer; working-hours medians; time paused waiting on the customer.
- `workload`: opened / closed / reopened per ISO week, backlog by age, escalations (R11),
  contact attempts and closings without response (R12).
- `field_work`: visits per city and technician, hours, long maintenances (R16), travel expenses.
- `plans`: contract use of included hours and maintenances (R6), the renewal list, billable lines (R17).
- `customer`: one customer's tickets, SLA, visits and plan use for a period.

Who reads what: administrators and coordinators (Permission.VIEW_REPORTS) everything; an agent
or a technician only their own tickets (the service sets the agent filter to them, whatever was
asked); the service account nothing. Reading is not audited.
"""

from __future__ import annotations

from datetime import date

from desktop_app.domain.ids import CustomerId
from desktop_app.domain.permissions import Actor
from desktop_app.i18n import _
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import Clock, HolidaySource, UnitOfWorkFactory
from desktop_app.services.report_dto import (
    CustomerServiceReport,
    FieldWork,
    PlanUse,
    ReportFilter,
    ReportPeriod,
    SlaCompliance,
    Workload,
)
from desktop_app.services.reports._bulk import bulk_read
from desktop_app.services.reports._context import ReportContext
from desktop_app.services.reports.customer import customer_report
from desktop_app.services.reports.field_work import field_work
from desktop_app.services.reports.plans import plan_use
from desktop_app.services.reports.sla import naive_sla_compliance, sla_compliance
from desktop_app.services.reports.workload import workload

__all__ = ["ReportService"]


class ReportService:
    """Args:
    uow_factory: opens units of work (reports only read).
    policy: the policy in force and the queue's calendar.
    clock: "now" (a ticket not answered yet is pending until its due time) and "today".
    holidays: the country's public holidays, for the calendars of older policy versions.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, policy: PolicyService, clock: Clock, holidays: HolidaySource):
        self._ctx = ReportContext(uow_factory, policy, clock, holidays)

    def today(self) -> date:
        """Today in Colombia: what "this month", "last month" and "quarter" are counted from."""
        return self._ctx.today()

    @bulk_read
    def sla(self, period: ReportPeriod, flt: ReportFilter | None = None, *, actor: Actor) -> SlaCompliance:
        """First responses and updates met / missed in the period, in total and by month, plan,
        severity, agent, city and customer (SlaFigures: counts, compliance 0–1 or None, median and
        p90 of the first-response time in working hours, hours paused waiting on the customer).

        Raises:
            PermissionDeniedError: the service account, or a role without reports.
        """
        return sla_compliance(self._ctx, period, self._ctx.scope(actor, flt or ReportFilter()))

    @bulk_read
    def sla_naive(self, period: ReportPeriod, flt: ReportFilter | None = None, *, actor: Actor) -> SlaCompliance:
        """The same report as `sla`, each ticket read alone and replayed through the queue's engine:
        slow; for the benchmark and the tests that check the two agree."""
        return naive_sla_compliance(self._ctx, period, self._ctx.scope(actor, flt or ReportFilter()))

    @bulk_read
    def workload(self, period: ReportPeriod, flt: ReportFilter | None = None, *, actor: Actor) -> Workload:
        """Tickets opened / closed / reopened per ISO week, the backlog by age at the period's end
        (or now), escalations by level, contact attempts and closings without response."""
        return workload(self._ctx, period, self._ctx.scope(actor, flt or ReportFilter()))

    @bulk_read
    def field_work(self, period: ReportPeriod, flt: ReportFilter | None = None, *, actor: Actor) -> FieldWork:
        """Visits per city and technician, hours, maintenance visits over the policy's maximum
        (R16) and travel expenses. For an agent or a technician: the visits they made and those
        on their tickets."""
        return field_work(self._ctx, period, self._ctx.scope(actor, flt or ReportFilter()))

    @bulk_read
    def plans(
        self, period: ReportPeriod, flt: ReportFilter | None = None, *, actor: Actor, today: date | None = None
    ) -> PlanUse:
        """Use of included hours and maintenances per contract valid in the period, the contracts
        ending in the next 30/60/90 days counted from `today` (default: today), and the billable
        lines of the period's work. Agents and technicians get an empty result saying why (plans
        are not tickets of their own)."""
        flt = self._ctx.scope(actor, flt or ReportFilter())
        day = today or self._ctx.today()
        if not self._ctx.sees_everything(actor):
            return PlanUse(period, flt, day, (), (), (), 0, 0, 0, _("Plan use is for coordinators and administrators."))
        return plan_use(self._ctx, period, flt, day)

    @bulk_read
    def customer_report(self, customer_id: CustomerId, period: ReportPeriod, *, actor: Actor) -> CustomerServiceReport:
        """One customer's service report: their tickets with response times against their plan,
        SLA by month, visits and plan use (an agent: only their own tickets, no plan use).

        Raises:
            NotFoundError: no such customer.
            PermissionDeniedError: the service account, or a role without reports.
        """
        flt = self._ctx.scope(actor, ReportFilter())
        return customer_report(self._ctx, customer_id, period, flt, with_plans=self._ctx.sees_everything(actor))
