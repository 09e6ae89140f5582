"""Field work (R16, R17): visits per city and per technician, their hours, the maintenance visits
over the policy's maximum, and travel expenses."""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop_app.domain.reports import hours
from desktop_app.domain.visits import is_long_maintenance
from desktop_app.i18n import _
from desktop_app.services.report_dto import FieldWork, LongVisit, ReportFilter, ReportPeriod, VisitGroup
from desktop_app.services.report_ports import VisitRow
from desktop_app.services.reports._context import ReportContext


@dataclass
class _Visits:
    label: str = ""
    rows: list[tuple[VisitRow, bool]] = field(default_factory=list)

    def group(self, key: str) -> VisitGroup:
        return VisitGroup(
            key=key,
            label=self.label or key,
            visits=len(self.rows),
            hours=sum(hours(row.ended_at - row.started_at) for row, _long in self.rows),
            maintenance_visits=sum(1 for row, _long in self.rows if row.maintenance),
            long_maintenance_visits=sum(1 for _row, long in self.rows if long),
            travel_expenses=sum(row.travel_expenses for row, _long in self.rows),
        )


def field_work(ctx: ReportContext, period: ReportPeriod, flt: ReportFilter) -> FieldWork:
    """The visits of `flt` (already scoped to the actor) that started in the period."""
    start, end = ctx.bounds(period)
    max_hours = ctx.policy.policy().max_maintenance_hours
    future = ctx.future_reason(period)
    rows: list[VisitRow] = []
    if not future:
        with ctx.uow_factory() as uow:
            rows = uow.queries.reports.visits(start, end, flt)
    total = _Visits(_("All"))
    cities: dict[str, _Visits] = {}
    technicians: dict[str, _Visits] = {}
    long_visits = []
    for row in rows:
        long = is_long_maintenance(row.maintenance, row.started_at, row.ended_at, max_hours)
        total.rows.append((row, long))
        cities.setdefault(row.city, _Visits(row.city)).rows.append((row, long))
        technicians.setdefault(str(row.technician_id), _Visits(row.technician)).rows.append((row, long))
        if long:
            long_visits.append(
                LongVisit(
                    row.ticket_number,
                    row.serial,
                    row.technician,
                    row.city,
                    row.started_at,
                    hours(row.ended_at - row.started_at),
                )
            )
    reason = future or ("" if rows else _("No visit was made in this period with these filters."))
    return FieldWork(
        period=period,
        filter=flt,
        total=total.group(""),
        by_city=tuple(v.group(k) for k, v in sorted(cities.items())),
        by_technician=tuple(
            v.group(k) for k, v in sorted(technicians.items(), key=lambda kv: (kv[1].label.casefold(), kv[0]))
        ),
        long_visits=tuple(long_visits),
        max_maintenance_hours=max_hours,
        empty_reason=reason,
    )
