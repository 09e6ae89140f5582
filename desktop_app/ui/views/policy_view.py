"""Policy settings (R6, R7, R11, R12, R17, R18): plans, the hourly rate of work without a contract,
response times, working hours, closure days, escalation and the contact-attempt wait, edited as
data and saved as a new version."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.ids import PlanCode
from desktop_app.domain.permissions import Actor
from desktop_app.domain.policy import (
    MAX_WAIT_DAYS,
    MIN_WAIT_DAYS,
    EscalationLevel,
    PlanTerms,
    PolicySettings,
    format_day_hours,
    parse_day_hours,
)
from desktop_app.errors import UserFacingError
from desktop_app.formatting import format_date, format_datetime, format_money
from desktop_app.i18n import _
from desktop_app.services.policy_service import PolicyService
from desktop_app.ui.widgets import money_spin
from desktop_app.wording import severity_label

_PLAN_COLUMNS = 7


def _weekday_names() -> list[str]:
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


def _item(value: object, *, editable: bool = True, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(str(value))
    if not editable:
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class FieldError(UserFacingError):
    """A field of the form cannot be read (before the policy itself is validated)."""


class PolicyView(QWidget):
    """Signals:
    policy_saved(int): a new version is in force.
    """

    policy_saved = Signal(int)

    def __init__(self, policy: PolicyService, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = policy
        self._actor = actor
        self.tabs = QTabWidget()

        # Plans and the response-time matrix.
        self.plans = _table(
            [
                _("Code"),
                _("Name"),
                _("Category"),
                _("On-site"),
                _("Advisory hours"),
                _("Maintenances"),
                _("Price before IVA"),
                _("Extra hour"),
            ]
        )
        self.matrix = _table([])
        plans_page = QWidget()
        plans_layout = QVBoxLayout(plans_page)
        plans_layout.addWidget(QLabel(_("Plans (category 1 is served first)"), objectName="cardTitle"))
        plans_layout.addWidget(self.plans, 2)
        # R17: the hourly price of work on a machine no contract covers (no plan, no plan rate).
        self.out_of_plan_rate = money_spin(50_000_000, 10_000)
        self.out_of_plan_rate.setToolTip(
            _("Billed per hour of on-site or advisory work on a machine no contract covers that day")
        )
        rate_form = QFormLayout()
        rate_form.addRow(_("Hourly rate without a contract, before IVA"), self.out_of_plan_rate)
        plans_layout.addLayout(rate_form)
        plans_layout.addWidget(QLabel(_("First-response time in working hours"), objectName="cardTitle"))
        plans_layout.addWidget(self.matrix, 2)
        self.tabs.addTab(plans_page, _("Plans and response times"))

        # Working hours and closure days.
        hours_page = QWidget()
        hours_layout = QHBoxLayout(hours_page)
        hours_form = QFormLayout()
        self.day_hours: list[QLineEdit] = []
        for name in _weekday_names():
            field = QLineEdit()
            field.setPlaceholderText(_("day off"))
            field.setToolTip(_("Intervals like 08:00–12:00, 14:00–18:00; empty for a day off."))
            self.day_hours.append(field)
            hours_form.addRow(name, field)
        hours_left = QVBoxLayout()
        hours_left.addWidget(QLabel(_("Working hours (America/Bogota)"), objectName="cardTitle"))
        hours_left.addLayout(hours_form)
        hours_left.addWidget(
            QLabel(_("Colombian public holidays are always days off; they are computed locally."), objectName="muted")
        )
        hours_left.addStretch(1)
        self.closures = QListWidget()
        self.closure_date = QDateEdit(calendarPopup=True)
        self.closure_date.setDisplayFormat("yyyy-MM-dd")
        add_closure = QPushButton(_("Add closure day"))
        remove_closure = QPushButton(_("Remove"))
        add_closure.clicked.connect(self._on_add_closure)
        remove_closure.clicked.connect(self._on_remove_closure)
        closure_buttons = QHBoxLayout()
        closure_buttons.addWidget(self.closure_date)
        closure_buttons.addWidget(add_closure)
        closure_buttons.addWidget(remove_closure)
        hours_right = QVBoxLayout()
        hours_right.addWidget(QLabel(_("Company closure days"), objectName="cardTitle"))
        hours_right.addWidget(self.closures, 1)
        hours_right.addLayout(closure_buttons)
        hours_layout.addLayout(hours_left, 3)
        hours_layout.addLayout(hours_right, 2)
        self.tabs.addTab(hours_page, _("Working hours and closures"))

        # Escalation, contact attempts, maintenance.
        rules_page = QWidget()
        rules_layout = QVBoxLayout(rules_page)
        self.levels = _table([_("Level"), _("Title"), _("Threshold (× response time)"), _("Notify (user)")])
        rules_layout.addWidget(QLabel(_("Escalation levels"), objectName="cardTitle"))
        rules_layout.addWidget(self.levels, 1)
        rules_form = QFormLayout()
        self.wait_days = QSpinBox(minimum=MIN_WAIT_DAYS, maximum=MAX_WAIT_DAYS, suffix=_(" working days"))
        self.at_risk = QSpinBox(minimum=1, maximum=99, suffix=" %")
        self.maintenance_days = QSpinBox(minimum=1, maximum=3650, suffix=_(" days"))
        self.maintenance_hours = QSpinBox(minimum=1, maximum=24, suffix=" h")
        rules_form.addRow(_("Wait after the third contact attempt"), self.wait_days)
        rules_form.addRow(_("At risk when less than this share of the response time is left"), self.at_risk)
        rules_form.addRow(_("Preventive maintenance required every"), self.maintenance_days)
        rules_form.addRow(_("Longest maintenance visit"), self.maintenance_hours)
        rules_layout.addLayout(rules_form)
        self.tabs.addTab(rules_page, _("Escalation and contact"))

        # History (R18).
        self.history = _table([_("Version"), _("Saved"), _("By"), _("Note")])
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tabs.addTab(self.history, _("History"))

        self.note = QLineEdit()
        self.note.setPlaceholderText(_("What changed and why (kept in the history)"))
        self.save_button = QPushButton(_("Save as a new version"))
        self.save_button.setDefault(True)
        self.discard_button = QPushButton(_("Discard changes"))
        self.save_button.clicked.connect(self.save)
        self.discard_button.clicked.connect(self.load)
        self.version_label = QLabel(objectName="muted")
        bottom = QHBoxLayout()
        bottom.addWidget(self.version_label)
        bottom.addWidget(self.note, 1)
        bottom.addWidget(self.discard_button)
        bottom.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self.load()

    # -- own API ---------------------------------------------------------------------------------

    def load(self) -> None:
        """Show the policy in force (another workstation may have saved one meanwhile)."""
        policy = self._service.reload()
        self._fill(policy)
        self._fill_history()
        self.note.clear()

    def read_form(self) -> PolicySettings:
        """The policy as edited. Raises FieldError naming the first field that cannot be read."""
        base = self._service.policy()
        plans = []
        for row in range(self.plans.rowCount()):
            code = PlanCode(self.plans.item(row, 0).text())
            name = self.plans.item(row, 1).text().strip()
            onsite = self.plans.item(row, 3).checkState() == Qt.CheckState.Checked
            numbers = [self._int(self.plans, row, col, code) for col in (2, 4, 5, 6, 7)]
            plans.append(
                PlanTerms(code, name or code, numbers[0], onsite, numbers[1], numbers[2], numbers[3], numbers[4])
            )
        response_hours = {}
        for row, plan in enumerate(plans):
            for col, severity in enumerate(base.severities):
                item = self.matrix.item(row, col)
                text = item.text().strip().replace(",", ".") if item else ""
                if not text:
                    continue  # left empty: the policy validation names it
                try:
                    response_hours[(plan.code, severity)] = float(text)
                except ValueError as exc:
                    raise FieldError(
                        _("The response time of {plan} · {severity} is not a number: “{text}”.").format(
                            plan=plan.name, severity=severity_label(severity), text=text
                        )
                    ) from exc
        working_hours = {}
        for day, field in enumerate(self.day_hours):
            try:
                intervals = parse_day_hours(field.text())
            except ValueError as exc:
                raise FieldError(
                    _(
                        "The working hours of {day} cannot be read: “{text}”. Write them like 08:00–12:00, 14:00–18:00."
                    ).format(day=_weekday_names()[day], text=field.text())
                ) from exc
            if intervals:
                working_hours[day] = intervals
        levels = []
        for row in range(self.levels.rowCount()):
            title = self.levels.item(row, 1).text().strip()
            text = self.levels.item(row, 2).text().strip().replace(",", ".")
            try:
                threshold = float(text)
            except ValueError as exc:
                raise FieldError(
                    _("The threshold of escalation level {level} is not a number: “{text}”.").format(
                        level=row + 1, text=text
                    )
                ) from exc
            levels.append(EscalationLevel(row + 1, title, threshold, self.levels.item(row, 3).text().strip()))
        closures = tuple(
            sorted(self.closures.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.closures.count()))
        )
        return replace(
            base,
            plans=tuple(plans),
            response_hours=response_hours,
            working_hours=working_hours,
            closure_days=closures,
            escalation_levels=tuple(levels),
            wait_after_third_attempt_days=self.wait_days.value(),
            at_risk_fraction=self.at_risk.value() / 100,
            maintenance_interval_days=self.maintenance_days.value(),
            max_maintenance_hours=self.maintenance_hours.value(),
            out_of_plan_hour_rate=self.out_of_plan_rate.value(),
        )

    def save(self) -> None:
        """Validate everything; save a new version only when every field is right (nothing half-saved)."""
        try:
            policy = self.read_form()
            if policy == self._service.policy():
                QMessageBox.information(self, _("Policy"), _("Nothing changed."))
                return
            version = self._service.save_policy(policy, actor=self._actor, note=self.note.text().strip())
        except UserFacingError as exc:
            QMessageBox.warning(self, _("Policy not saved"), exc.message)
            return
        self.load()
        self.policy_saved.emit(version)

    # -- internals -------------------------------------------------------------------------------

    def _int(self, table: QTableWidget, row: int, col: int, plan: str) -> int:
        # Amounts are shown grouped ("$ 9.800.000"); read them back without the grouping.
        text = "".join(ch for ch in table.item(row, col).text() if ch not in "$., \u00a0")
        try:
            return int(text)
        except ValueError as exc:
            header = table.horizontalHeaderItem(col).text()
            raise FieldError(
                _("“{field}” of plan {plan} must be a whole number, not “{text}”.").format(
                    field=header, plan=plan, text=table.item(row, col).text()
                )
            ) from exc

    def _fill(self, policy: PolicySettings) -> None:
        self.plans.setRowCount(len(policy.plans))
        for row, plan in enumerate(policy.plans):
            self.plans.setItem(row, 0, _item(plan.code, editable=False))
            self.plans.setItem(row, 1, _item(plan.name))
            self.plans.setItem(row, 2, _item(plan.rank, align_right=True))
            onsite = _item("")
            onsite.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            onsite.setCheckState(Qt.CheckState.Checked if plan.onsite else Qt.CheckState.Unchecked)
            self.plans.setItem(row, 3, onsite)
            self.plans.setItem(row, 4, _item(plan.included_advisory_hours, align_right=True))
            self.plans.setItem(row, 5, _item(plan.included_maintenances, align_right=True))
            self.plans.setItem(row, 6, _item(format_money(plan.price_before_iva), align_right=True))
            self.plans.setItem(row, 7, _item(format_money(plan.extra_hour_rate), align_right=True))
        self.out_of_plan_rate.setValue(policy.out_of_plan_hour_rate)
        self.matrix.setColumnCount(len(policy.severities))
        self.matrix.setHorizontalHeaderLabels([severity_label(s) for s in policy.severities])
        self.matrix.setRowCount(len(policy.plans))
        self.matrix.verticalHeader().setVisible(True)
        self.matrix.setVerticalHeaderLabels([p.name for p in policy.plans])
        for row, plan in enumerate(policy.plans):
            for col, severity in enumerate(policy.severities):
                hours = policy.response_hours.get((plan.code, severity))
                self.matrix.setItem(row, col, _item("" if hours is None else f"{hours:g}", align_right=True))
        for day, field in enumerate(self.day_hours):
            field.setText(format_day_hours(tuple(policy.working_hours.get(day, ()))))
        self.closures.clear()
        for day in policy.closure_days:
            self._add_closure_item(day)
        self.levels.setRowCount(len(policy.escalation_levels))
        for row, level in enumerate(policy.escalation_levels):
            self.levels.setItem(row, 0, _item(level.level, editable=False))
            self.levels.setItem(row, 1, _item(level.title))
            self.levels.setItem(row, 2, _item(f"{level.threshold:g}", align_right=True))
            self.levels.setItem(row, 3, _item(level.notify_username))
        self.wait_days.setValue(policy.wait_after_third_attempt_days)
        self.at_risk.setValue(round(policy.at_risk_fraction * 100))
        self.maintenance_days.setValue(policy.maintenance_interval_days)
        self.maintenance_hours.setValue(policy.max_maintenance_hours)
        self.version_label.setText(_("Version in force: {version}").format(version=self._service.version()))

    def _fill_history(self) -> None:
        versions = self._service.history()
        tz = self._service.calendar().tz
        self.history.setRowCount(len(versions))
        for row, info in enumerate(versions):
            self.history.setItem(row, 0, _item(info.version, editable=False, align_right=True))
            self.history.setItem(row, 1, _item(format_datetime(info.created_at, tz), editable=False))
            self.history.setItem(row, 2, _item(info.author_name or "—", editable=False))
            self.history.setItem(row, 3, _item(info.note, editable=False))

    def _add_closure_item(self, day: date) -> None:
        item = QListWidgetItem(format_date(day))
        item.setData(Qt.ItemDataRole.UserRole, day)
        self.closures.addItem(item)

    def _on_add_closure(self) -> None:
        day = self.closure_date.date().toPython()
        existing = {self.closures.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.closures.count())}
        if day not in existing:
            self._add_closure_item(day)

    def _on_remove_closure(self) -> None:
        for item in self.closures.selectedItems():
            self.closures.takeItem(self.closures.row(item))

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.closure_date.setDate(QDate.currentDate())
        super().showEvent(event)
