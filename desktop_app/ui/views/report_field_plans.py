"""The tabs of the Informes page about visits and contracts: field work (R16, R17) and plan use
(R6, R17): visits per city and technician with their hours and travel expenses, maintenance visits
over the policy's maximum, hours and maintenances used per contract, the renewal list and the
billable lines not yet invoiced."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from PySide6.QtWidgets import QLabel, QWidget

from desktop_app.formatting import format_datetime, format_money
from desktop_app.i18n import _, ngettext
from desktop_app.services.report_dto import FieldWork, PlanTotals, PlanUse, VisitGroup
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.report_charts import MISSED, NEUTRAL, SECOND, Bars
from desktop_app.ui.views.report_sections import Say, Section
from desktop_app.ui.views.report_tables import Column, Kind, display
from desktop_app.wording import billing_line_label


def _group_columns(first: str, max_hours: int) -> list[Column]:
    return [
        Column(first),
        Column(_("Visits"), Kind.COUNT),
        Column(_("Hours"), Kind.HOURS),
        Column(_("Maintenances"), Kind.COUNT),
        Column(_("Over {hours} h").format(hours=max_hours), Kind.COUNT),
        Column(_("Travel expenses"), Kind.MONEY),
    ]


def _group_rows(groups: Sequence[VisitGroup]) -> list[tuple[object, ...]]:
    return [
        (g.label, g.visits, g.hours, g.maintenance_visits, g.long_maintenance_visits, g.travel_expenses) for g in groups
    ]


class FieldSection(Section):
    """Trabajo de campo: visits and hours per city and per technician, maintenance visits over the
    policy's maximum (R16), travel expenses (R17)."""

    def __init__(
        self, tasks: TaskRunner, say: Say, tz: tzinfo, max_hours: int = 4, parent: QWidget | None = None
    ) -> None:
        super().__init__(tasks, say, parent)
        self._tz = tz
        self.result: FieldWork | None = None
        self.visits, self.hours, self.long, self.travel = self.add_figures(
            [_("Visits"), _("Hours on site"), _("Long maintenance visits"), _("Travel expenses")]
        )
        self.by_city = self.add_chart(_("Visits by city"), _group_columns(_("City"), max_hours), chart_share=2)
        self.by_technician = self.add_chart(
            _("Visits by technician"), _group_columns(_("Technician"), max_hours), chart_share=2
        )
        self.long_visits = self.add_table(
            _("Maintenance visits over the maximum"),
            [
                Column(_("Ticket")),
                Column(_("Serial")),
                Column(_("Technician")),
                Column(_("City")),
                Column(_("Started")),
                Column(_("Hours"), Kind.HOURS),
            ],
            stretch=2,
        )

    def show_result(self, result: FieldWork) -> None:
        self.result = result
        if self.show_reason(result.empty_reason):
            return
        total, most = result.total, result.max_maintenance_hours
        for panel in (self.by_city, self.by_technician):
            panel.table.model.columns[4] = Column(_("Over {hours} h").format(hours=most), Kind.COUNT)
        self.visits.set(
            display(total.visits, Kind.COUNT),
            ngettext("{n} maintenance", "{n} maintenances", total.maintenance_visits).format(
                n=total.maintenance_visits
            ),
        )
        self.hours.set(display(total.hours, Kind.HOURS), _("clock hours on site"))
        self.long.set(
            display(total.long_maintenance_visits, Kind.COUNT),
            _("maintenance visits over {hours} h (R16)").format(hours=most),
        )
        self.travel.set(format_money(total.travel_expenses), _("before IVA"))
        for panel, groups in ((self.by_city, result.by_city), (self.by_technician, result.by_technician)):
            if not any(g.visits for g in groups):
                panel.show_empty(_("No visit in this period."))
                continue
            panel.show_data(
                [g.label for g in groups],
                [
                    Bars(_("Visits"), [g.visits for g in groups], NEUTRAL),
                    Bars(_("Over {hours} h").format(hours=most), [g.long_maintenance_visits for g in groups], MISSED),
                ],
                _group_rows(groups),
                horizontal=True,
            )
        self.long_visits.set_rows(
            [
                (v.ticket_number, v.serial, v.technician, v.city, format_datetime(v.started_at, self._tz), v.hours)
                for v in result.long_visits
            ]
        )


class PlansSection(Section):
    """Planes: advisory hours and maintenances used per contract, the contracts to renew within
    30/60/90 days, the billable lines of the period not yet invoiced (R17)."""

    def __init__(self, tasks: TaskRunner, say: Say, parent: QWidget | None = None) -> None:
        super().__init__(tasks, say, parent)
        self.result: PlanUse | None = None
        self.contracts_figure, self.expiring_figure, self.unbilled_figure = self.add_figures(
            [_("Contracts in force"), _("To renew within 90 days"), _("Billable, not invoiced")]
        )
        self.by_plan = self.add_chart(
            _("Use by plan"),
            [
                Column(_("Plan")),
                Column(_("Contracts"), Kind.COUNT),
                Column(_("Hours included"), Kind.COUNT),
                Column(_("Hours used"), Kind.HOURS),
                Column(_("Extra hours"), Kind.HOURS),
                # Used of included in one column: the table fits beside its chart at 1366 px.
                Column(_("Maintenances")),
            ],
            chart_share=2,
        )
        self.contracts = self.add_table(
            _("Plan use by contract"),
            [
                Column(_("Invoice")),
                Column(_("Customer")),
                Column(_("Plan")),
                Column(_("Valid until"), Kind.DATE),
                Column(_("Hours used"), Kind.HOURS),
                Column(_("Hours included"), Kind.COUNT),
                Column(_("Maintenances used"), Kind.COUNT),
                Column(_("Maintenances included"), Kind.COUNT),
                Column(_("Extra hours"), Kind.HOURS),
            ],
            stretch=1,
        )
        self.expiring = self.add_table(
            _("Contracts to renew"),
            [
                Column(_("Within")),
                Column(_("Customer")),
                Column(_("Invoice")),
                Column(_("Plan")),
                Column(_("Ends"), Kind.DATE),
                Column(_("Days left"), Kind.COUNT),
            ],
            stretch=1,
        )
        self.unbilled = self.add_table(
            _("Billable lines not invoiced"),
            [
                Column(_("Date"), Kind.DATE),
                Column(_("Customer")),
                Column(_("Contract")),
                Column(_("Concept")),
                Column(_("Reference")),
                Column(_("Before IVA"), Kind.MONEY),
                Column(_("IVA"), Kind.MONEY),
                Column(_("Total"), Kind.MONEY),
            ],
            stretch=4,
        )
        self.unbilled_total = QLabel(objectName="hint")
        self.body.addWidget(self.unbilled_total)

    def show_result(self, result: PlanUse) -> None:
        self.result = result
        if self.show_reason(result.empty_reason):
            return
        self.contracts_figure.set(display(len(result.contracts), Kind.COUNT), _("valid on some day of the period"))
        soon = sum(1 for e in result.expiring if e.within_days <= 30)
        self.expiring_figure.set(
            display(len(result.expiring), Kind.COUNT),
            ngettext("{n} within 30 days", "{n} within 30 days", soon).format(n=soon),
        )
        self.unbilled_figure.set(
            format_money(result.unbilled_total),
            ngettext("{n} line, IVA included", "{n} lines, IVA included", len(result.unbilled)).format(
                n=len(result.unbilled)
            ),
        )
        self._show_by_plan(result.by_plan)
        self.contracts.set_rows(
            [
                (
                    c.invoice_number,
                    c.customer_name,
                    c.plan_name,
                    c.valid_to,
                    c.advisory_hours_used,
                    c.advisory_hours_included,
                    c.maintenances_used,
                    c.maintenances_included,
                    c.extra_advisory_hours,
                )
                for c in result.contracts
            ]
        )
        self.expiring.set_rows(
            [
                (
                    _("{days} days").format(days=e.within_days),
                    e.customer_name,
                    e.invoice_number,
                    e.plan_name,
                    e.valid_to,
                    e.days_left,
                )
                for e in result.expiring
            ]
        )
        self.unbilled.set_rows(
            [
                (
                    line.day,
                    line.customer_name,
                    line.invoice_number,
                    billing_line_label(line.kind),
                    line.reference,
                    line.amount_before_iva,
                    line.iva,
                    line.total,
                )
                for line in result.unbilled
            ]
        )
        self.unbilled_total.setText(
            _("Not invoiced: {before} before IVA + {iva} IVA = {total}").format(
                before=format_money(result.unbilled_before_iva),
                iva=format_money(result.unbilled_iva),
                total=format_money(result.unbilled_total),
            )
        )

    def _show_by_plan(self, plans: Sequence[PlanTotals]) -> None:
        """Advisory hours used against what the plans include, and the extra billed, a group of bars per plan."""
        if not plans:
            self.by_plan.show_empty(_("No contract was in force in this period."))
            return
        self.by_plan.show_data(
            [p.plan_name for p in plans],
            [
                # Hours only: maintenances are counted in ones, on a scale the hours would flatten.
                Bars(_("Hours included"), [p.advisory_hours_included for p in plans], SECOND),
                Bars(_("Hours used"), [p.advisory_hours_used for p in plans], NEUTRAL),
                Bars(_("Extra hours"), [p.extra_advisory_hours for p in plans], MISSED),
            ],
            [
                (
                    p.plan_name,
                    p.contracts,
                    p.advisory_hours_included,
                    p.advisory_hours_used,
                    p.extra_advisory_hours,
                    _("{used} of {included}").format(used=p.maintenances_used, included=p.maintenances_included),
                )
                for p in plans
            ],
            horizontal=True,
        )
