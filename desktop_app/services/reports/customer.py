"""A customer's service report for a period (issue 15): their tickets with response times against
their plan (R7), the SLA figures by month, visits (R16) and plan use (R6) — what the office sends
to a Premium customer."""

from __future__ import annotations

from dataclasses import replace

from desktop_app.domain.ids import CustomerId
from desktop_app.domain.reports import Outcome, hours, local_day
from desktop_app.domain.visits import is_long_maintenance
from desktop_app.errors import NotFoundError
from desktop_app.i18n import _
from desktop_app.services.report_dto import (
    ContractUse,
    CustomerServiceReport,
    CustomerTicketLine,
    CustomerVisitLine,
    ReportFilter,
    ReportPeriod,
)
from desktop_app.services.reports._context import ReportContext
from desktop_app.services.reports.plans import contract_uses
from desktop_app.services.reports.sla import empty_sla_reason, judged_in


def customer_report(
    ctx: ReportContext, customer_id: CustomerId, period: ReportPeriod, flt: ReportFilter, *, with_plans: bool
) -> CustomerServiceReport:
    """`flt`: the actor's scope (an agent: only their own tickets); `with_plans`: may read plan use."""
    with ctx.uow_factory() as uow:
        customer = uow.catalog.get_customer(customer_id)
    if customer is None:
        raise NotFoundError(_("Customer {id} does not exist.").format(id=customer_id))
    flt = replace(flt, customer_id=customer_id)
    judged, groups = judged_in(ctx, period, flt)
    tz = ctx.tz
    lines = []
    for one in judged:
        row = one.row
        if not period.contains(local_day(row.received_at, tz)):
            continue
        clock = one.verdict.clocks[0]
        met = {Outcome.MET: True, Outcome.MISSED: False}.get(clock.outcome)
        lines.append(
            CustomerTicketLine(
                ticket_id=row.id,
                number=row.number,
                received_at=row.received_at,
                severity=row.severity,
                plan_code=row.plan_code,
                status=row.status,
                response_hours=hours(one.response_time),
                first_responded_at=clock.answered_at if clock.responded else None,
                first_response_hours=hours(clock.response_working) if clock.response_working is not None else None,
                met=met,
                reopen_count=row.reopen_count,
                closed_at=row.closed_at,
            )
        )
    start, end = ctx.bounds(period)
    max_hours = ctx.policy.policy().max_maintenance_hours
    visits = []
    if not ctx.future_reason(period):
        with ctx.uow_factory() as uow:
            rows = uow.queries.reports.visits(start, end, flt)
        for visit in rows:
            visits.append(
                CustomerVisitLine(
                    started_at=visit.started_at,
                    ended_at=visit.ended_at,
                    ticket_number=visit.ticket_number,
                    serial=visit.serial,
                    technician=visit.technician,
                    city=visit.city,
                    hours=hours(visit.ended_at - visit.started_at),
                    maintenance=visit.maintenance,
                    long_maintenance=is_long_maintenance(
                        visit.maintenance, visit.started_at, visit.ended_at, max_hours
                    ),
                    travel_expenses=visit.travel_expenses,
                )
            )
    uses: tuple[ContractUse, ...] = ()
    if with_plans and not ctx.future_reason(period):
        uses, _lines, _every = contract_uses(ctx, period, ReportFilter(customer_id=customer_id))
    sla = groups.result(period, flt, "")
    notes = []
    if len(sla.policy_versions) > 1:
        notes.append(
            _("The support policy changed during this period: each ticket is judged by the version it was taken under.")
        )
    reason = ctx.future_reason(period)
    if not reason and not lines and not visits and groups.total.empty:
        reason = _("{customer} had no tickets and no visits in this period.").format(customer=customer.name)
    elif not reason and groups.total.empty and not visits:
        reason = empty_sla_reason(ctx, period, groups)
    return CustomerServiceReport(
        period=period,
        customer_id=customer_id,
        customer_name=customer.name,
        tax_id=customer.tax_id,
        city=customer.city,
        sla=sla.total,
        by_month=sla.by_month,
        tickets=tuple(lines),
        visits=tuple(visits),
        plan_use=uses,
        generated_at=ctx.now(),
        empty_reason=reason,
        notes=tuple(notes),
    )
