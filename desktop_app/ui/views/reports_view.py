"""The Informes page (issue 15): how the desk keeps its promises. A period (this month, last month,
the quarter, the last twelve months or two dates) and filters (plan, severity, agent, city,
customer) over four tabs — SLA compliance, workload, field work, plans — each computed by the
report service off the GUI thread, again whenever the period or a filter changes. An agent or a
technician sees their own tickets only (the service enforces it; the page says so)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.ids import CustomerId, UserId
from desktop_app.domain.model import Severity
from desktop_app.domain.permissions import Actor, Permission
from desktop_app.errors import UserFacingError
from desktop_app.files import write_file
from desktop_app.formatting import format_date
from desktop_app.i18n import _
from desktop_app.services.access import may
from desktop_app.services.dto import AgentInfo, Choice
from desktop_app.services.report_dto import FieldWork, PlanUse, ReportFilter, ReportPeriod, SlaCompliance, Workload
from desktop_app.ui import theme
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.report_field_plans import FieldSection, PlansSection
from desktop_app.ui.views.report_sections import Section, SlaSection, WorkloadSection
from desktop_app.ui.views.report_tables import confirm_replace
from desktop_app.wording import severity_label

RERUN_DELAY_MS = 250  # typing a date or walking a combo with the arrows runs the reports once


class ReportSource(Protocol):
    """What the page asks of the report service (Desk.reports)."""

    def sla(self, period: ReportPeriod, flt: ReportFilter, *, actor: Actor) -> SlaCompliance: ...
    def workload(self, period: ReportPeriod, flt: ReportFilter, *, actor: Actor) -> Workload: ...
    def field_work(self, period: ReportPeriod, flt: ReportFilter, *, actor: Actor) -> FieldWork: ...
    def plans(self, period: ReportPeriod, flt: ReportFilter, *, actor: Actor, today: date) -> PlanUse: ...


class FilterChoices(Protocol):
    """Where the filters' choices come from (the tickets and contracts services)."""

    def plans(self) -> list[tuple[str, str]]: ...
    def agents(self) -> list[AgentInfo]: ...
    def cities(self) -> list[str]: ...


class ReportDocuments(Protocol):
    """The report PDFs (documents/report_documents.py, handed in by app.py)."""

    def monthly(self, period: ReportPeriod, *, actor: Actor) -> bytes: ...
    def customer(self, customer_id: CustomerId, period: ReportPeriod, *, actor: Actor) -> bytes: ...


PERIODS = ("this_month", "last_month", "quarter", "year", "custom")


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class ReportsView(QWidget):
    """Signals:
    message(str): something done (an export written), for the status bar.
    reports_shown(int): every tab of a run is shown (the run's number), for tests and the status bar.
    """

    message = Signal(str)
    reports_shown = Signal(int)

    def __init__(
        self,
        reports: ReportSource,
        choices: FilterChoices,
        customers: Callable[[], list[Choice]],
        tasks: TaskRunner,
        actor: Actor,
        today: Callable[[], date],
        tz: tzinfo,
        documents: ReportDocuments | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._reports, self._choices, self._customers = reports, choices, customers
        self._documents = documents
        self._tasks, self._actor, self._today = tasks, actor, today
        self.own_only = not may(actor, Permission.VIEW_REPORTS)
        self.generation = 0  # the run in force; a result of an earlier run is dropped
        self._pending = 0
        self._started = False

        # The period, at the right of the page's title.
        self.period = QComboBox()
        for key, label in zip(
            PERIODS,
            (_("This month"), _("Last month"), _("Quarter"), _("Last 12 months"), _("Custom")),
            strict=True,
        ):
            self.period.addItem(label, key)
        self.start_date = QDateEdit(calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.end_date = QDateEdit(calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.range_label = QLabel(objectName="muted")
        self.header_widget = QWidget()
        header = QHBoxLayout(self.header_widget)
        header.setContentsMargins(0, 0, 0, 0)
        header.addStretch(1)
        header.addWidget(QLabel(_("Period")))
        header.addWidget(self.period)
        header.addWidget(self.start_date)
        self.until_label = QLabel(_("to"))
        header.addWidget(self.until_label)
        header.addWidget(self.end_date)
        header.addWidget(self.range_label)
        # The PDF reports (R15c), for those who read every ticket, when the window was given them.
        self.monthly_button = QPushButton(theme.icon("file"), _("Monthly report (PDF)…"))
        self.monthly_button.setToolTip(_("The management report of the month the period starts in"))
        self.customer_button = QPushButton(theme.icon("file"), _("Customer report (PDF)…"))
        self.customer_button.setToolTip(_("The service report of the customer chosen in the filter, for the period"))
        self.customer_button.setEnabled(False)  # until a customer is chosen
        self.monthly_button.clicked.connect(lambda _checked=False: self.save_monthly_pdf())
        self.customer_button.clicked.connect(lambda _checked=False: self.save_customer_pdf())
        for button in (self.monthly_button, self.customer_button):
            button.setVisible(documents is not None and may(actor, Permission.VIEW_REPORTS))
            header.addWidget(button)

        # The filters, above the tabs.
        self.plan_filter = QComboBox()
        self.severity_filter = QComboBox()
        self.agent_filter = QComboBox()
        self.city_filter = QComboBox()
        self.customer_filter = QComboBox()
        self.customer_filter.setEditable(True)  # hundreds of customers: typed to find
        self.customer_filter.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.customer_filter.setMinimumContentsLength(18)
        self.own_label = QLabel(_("Your tickets"), objectName="chip")
        self.own_label.setToolTip(_("Reports show the tickets assigned to you"))
        self.own_label.setVisible(self.own_only)
        self.agent_filter.setVisible(not self.own_only)
        self.status = QLabel(objectName="muted")
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.hide()
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.own_label)
        for combo in (self.plan_filter, self.severity_filter, self.agent_filter, self.city_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            filters.addWidget(combo)
        filters.addWidget(self.customer_filter, 1)
        filters.addStretch(1)
        filters.addWidget(self.status)

        self.sla = SlaSection(tasks, self.message.emit)
        self.workload = WorkloadSection(tasks, self.message.emit)
        self.field = FieldSection(tasks, self.message.emit, tz)
        self.plans = PlansSection(tasks, self.message.emit)
        self.sections: tuple[Section, ...] = (self.sla, self.workload, self.field, self.plans)
        self.tabs = QTabWidget(documentMode=True)
        self.tabs.addTab(self.sla, _("SLA compliance"))
        self.tabs.addTab(self.workload, _("Workload"))
        self.tabs.addTab(self.field, _("Field work"))
        self.tabs.addTab(self.plans, _("Plans"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(filters)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)

        self._rerun = QTimer(self, singleShot=True, interval=RERUN_DELAY_MS)
        self._rerun.timeout.connect(self.run)
        self._fill_fixed_filters()
        self._set_dates(self.chosen_period() or ReportPeriod.this_month(today()))
        self.period.currentIndexChanged.connect(lambda _i: self._on_period_changed())
        for edit in (self.start_date, self.end_date):
            edit.dateChanged.connect(lambda _d: self._schedule())
        for combo in (self.plan_filter, self.severity_filter, self.agent_filter, self.city_filter):
            combo.currentIndexChanged.connect(lambda _i: self._schedule())
        self.customer_filter.currentIndexChanged.connect(lambda _i: self._schedule())
        self.customer_filter.currentIndexChanged.connect(
            lambda _i: self.customer_button.setEnabled(self.chosen_filter().customer_id is not None)
        )

    # -- own API ---------------------------------------------------------------------------------

    def chosen_period(self) -> ReportPeriod | None:
        """The period picked; None when two custom dates make no period (the page says why)."""
        today = self._today()
        key = self.period.currentData()
        if key == "custom":
            try:
                return ReportPeriod.custom(_pydate(self.start_date.date()), _pydate(self.end_date.date()))
            except UserFacingError as refusal:
                self._show_error(refusal.message)
                return None
        return {
            "this_month": ReportPeriod.this_month,
            "last_month": ReportPeriod.last_month,
            "quarter": ReportPeriod.quarter,
            "year": ReportPeriod.year,
        }[key](today)

    def chosen_filter(self) -> ReportFilter:
        severity = self.severity_filter.currentData()
        agent = self.agent_filter.currentData()
        customer = self.customer_filter.currentData()
        if self.customer_filter.currentText() != self.customer_filter.itemText(self.customer_filter.currentIndex()):
            customer = None  # typed text that names no customer: every customer
        return ReportFilter(
            plan=self.plan_filter.currentData() or None,
            severity=Severity(severity) if severity else None,
            agent_id=UserId(agent) if agent and not self.own_only else None,
            city=self.city_filter.currentData() or None,
            customer_id=CustomerId(customer) if customer else None,
        )

    def run(self) -> None:
        """Compute every tab for the chosen period and filters, off the GUI thread. A run started
        while another is still computing makes the older one's results go nowhere."""
        self._rerun.stop()
        period = self.chosen_period()
        if period is None:
            return
        self.error.hide()
        self.generation += 1
        generation = self.generation
        self._pending = len(self.sections)
        self.range_label.setText(
            _("{start} to {end}").format(start=format_date(period.start), end=format_date(period.end))
        )
        self.status.setText(_("Computing the reports…"))
        flt, actor, reports, today = self.chosen_filter(), self._actor, self._reports, self._today()
        calls: list[tuple[Section, Callable[[], Any]]] = [
            (self.sla, lambda: reports.sla(period, flt, actor=actor)),
            (self.workload, lambda: reports.workload(period, flt, actor=actor)),
            (self.field, lambda: reports.field_work(period, flt, actor=actor)),
            (self.plans, lambda: reports.plans(period, flt, actor=actor, today=today)),
        ]
        # The tab in sight first: the others fill in while the person reads it. Reports only read,
        # so they run side by side on the reading pool, not one after another behind the writer.
        current = self.tabs.currentWidget()
        calls.sort(key=lambda call: call[0] is not current)
        for section, call in calls:
            self._tasks.read(
                lambda call=call: None if generation != self.generation else call(),
                lambda result, section=section: self._on_result(generation, section, result),
                lambda error: self._on_failed(generation, error),
            )

    def save_monthly_pdf(self) -> None:
        """Informe mensual (PDF)…: the month the period starts in, to a file the person names."""
        period = self.chosen_period()
        if period is None or self._documents is None:
            return
        documents, actor = self._documents, self._actor
        name = _("monthly-report-{month}.pdf").format(month=period.start.strftime("%Y-%m"))
        self._save_pdf(name, lambda: documents.monthly(period, actor=actor))

    def save_customer_pdf(self) -> None:
        """Informe del cliente (PDF)…: the chosen customer's service report for the period."""
        period, customer = self.chosen_period(), self.chosen_filter().customer_id
        if period is None or customer is None or self._documents is None:
            return
        documents, actor = self._documents, self._actor
        name = _("service-report-{start}-{end}.pdf").format(start=period.start.isoformat(), end=period.end.isoformat())
        self._save_pdf(name, lambda: documents.customer(customer, period, actor=actor))

    def reload(self) -> None:
        """F5: the reports computed again, once the page has been shown."""
        if self._started:
            self.run()

    # -- slots -----------------------------------------------------------------------------------

    def _on_result(self, generation: int, section: Section, result: Any) -> None:
        if generation != self.generation or result is None:
            return
        section.show_result(result)  # type: ignore[attr-defined]
        self._pending -= 1
        if self._pending == 0:
            self.status.setText("")
            self.reports_shown.emit(generation)

    def _on_failed(self, generation: int, error: UserFacingError) -> None:
        if generation == self.generation:
            self.status.setText("")
            self._show_error(error.message)

    def _on_period_changed(self) -> None:
        custom = self.period.currentData() == "custom"
        if not custom:
            chosen = self.chosen_period()
            if chosen is not None:
                self._set_dates(chosen)
        self._show_dates(custom)
        self._schedule()

    def _on_choices_read(self, read: tuple[list[Choice], list[str]]) -> None:
        customers, cities = read
        for city in cities:
            self.city_filter.addItem(city, city)
        for choice in customers:
            self.customer_filter.addItem(choice.label, int(choice.value))

    # -- helpers ---------------------------------------------------------------------------------

    def _save_pdf(self, suggested: str, render: Callable[[], bytes]) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the report"), suggested, "PDF (*.pdf)", options=QFileDialog.Option.DontConfirmOverwrite
        )
        if not path:
            return
        target = Path(path if path.lower().endswith(".pdf") else f"{path}.pdf")
        replace = target.exists()
        if replace and not confirm_replace(self, target):
            return

        def work() -> Path:
            return write_file(target, render(), replace=replace)  # drawn off the GUI thread

        self.status.setText(_("Drawing the report…"))
        self._tasks.run(work, self._on_pdf_saved, self._on_pdf_failed)

    def _on_pdf_saved(self, path: Path) -> None:
        self.status.setText("")
        self.message.emit(_("Report saved to {path}").format(path=path))

    def _on_pdf_failed(self, error: UserFacingError) -> None:
        self.status.setText("")
        QMessageBox.warning(self, _("Reports"), error.message)

    def _fill_fixed_filters(self) -> None:
        self.plan_filter.addItem(_("All plans"), "")
        for code, name in self._choices.plans():
            self.plan_filter.addItem(name, code)
        self.severity_filter.addItem(_("All severities"), "")
        for severity in Severity:
            self.severity_filter.addItem(theme.severity_dot(severity), severity_label(severity), severity.value)
        self.agent_filter.addItem(_("All agents"), None)
        if not self.own_only:
            for agent in self._choices.agents():
                self.agent_filter.addItem(agent.full_name, int(agent.id))
        self.city_filter.addItem(_("All cities"), "")
        self.customer_filter.addItem(_("All customers"), None)
        self._show_dates(False)

    def _set_dates(self, period: ReportPeriod) -> None:
        for edit, day in ((self.start_date, period.start), (self.end_date, period.end)):
            edit.blockSignals(True)
            edit.setDate(_qdate(day))
            edit.blockSignals(False)

    def _show_dates(self, custom: bool) -> None:
        for widget in (self.start_date, self.until_label, self.end_date):
            widget.setVisible(custom)
        self.range_label.setVisible(not custom)

    def _schedule(self) -> None:
        if self._started:
            self._rerun.start()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def showEvent(self, event: QShowEvent) -> None:
        """The first time the page is shown: the cities and customers for the filters, then the
        reports (nothing is computed while the desk starts)."""
        super().showEvent(event)
        if self._started:
            return
        self._started = True
        cities, customers = self._choices.cities, self._customers
        self._tasks.read(lambda: (customers(), cities()), self._on_choices_read)
        self.run()
