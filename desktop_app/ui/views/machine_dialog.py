"""Register a machine or correct its record; the dialog saves itself and keeps what was typed when
the service refuses (every problem is named at once)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.ids import CustomerId
from desktop_app.domain.permissions import Actor
from desktop_app.i18n import _
from desktop_app.services.dto import MachineDetail
from desktop_app.services.machines import MachineForm, MachineService
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.saving_dialog import SavingDialog
from desktop_app.ui.widgets import chosen_id, customer_combo


class MachineDialog(SavingDialog):
    def __init__(
        self,
        machines: MachineService,
        tasks: TaskRunner,
        actor: Actor,
        today: date,
        existing: MachineDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            tasks,
            _("Save"),
            _("Close this window and open the machine again to see the other change."),
            parent,
        )
        self._machines, self._actor, self._existing = machines, actor, existing
        self.setWindowTitle(
            _("Correct machine {serial}").format(serial=existing.serial) if existing else _("New machine")
        )
        self.setMinimumWidth(520)
        customers, models = machines.choices()
        # A new machine's warranty ends its model's months after the purchase (the catalogue),
        # until the person sets the date by hand.
        self._warranty_months = machines.warranty_months()
        self._warranty_typed = existing is not None
        self._filling_warranty = False
        self.serial = QLineEdit(placeholderText="MK-M3-240001")
        self.model = QComboBox()
        for choice in models:
            self.model.addItem(choice.label, choice.value)
        self.customer = customer_combo(customers)
        self.purchased = QDateEdit(calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.warranty = QDateEdit(calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.has_maintenance = QCheckBox(_("Preventive maintenance done on"))
        self.maintenance = QDateEdit(calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.intervention = QCheckBox(_("Intervened without notifying makeR (voids the warranty)"))

        if existing is None:
            self.purchased.setDate(QDate(today.year, today.month, today.day))
            self.warranty.setDate(QDate(today.year + 1, today.month, min(today.day, 28)))
            self.maintenance.setDate(QDate(today.year, today.month, today.day))
            self._on_model_or_purchase_changed()
        else:
            self.serial.setText(existing.serial)
            self.model.setCurrentIndex(self.model.findData(existing.model_code))
            self.customer.setCurrentIndex(self.customer.findData(int(existing.customer_id)))
            self.purchased.setDate(QDate(existing.purchase_date))
            self.warranty.setDate(QDate(existing.warranty_end))
            done = existing.last_preventive_maintenance
            self.has_maintenance.setChecked(done is not None)
            self.maintenance.setDate(QDate(done) if done else QDate(today.year, today.month, today.day))
            self.intervention.setChecked(existing.unauthorized_intervention)
        self.maintenance.setEnabled(self.has_maintenance.isChecked())
        self.has_maintenance.toggled.connect(self.maintenance.setEnabled)
        self.model.currentIndexChanged.connect(lambda _index: self._on_model_or_purchase_changed())
        self.purchased.dateChanged.connect(lambda _date: self._on_model_or_purchase_changed())
        self.warranty.dateChanged.connect(self._on_warranty_changed)

        form = QFormLayout()
        form.addRow(_("Serial"), self.serial)
        form.addRow(_("Model"), self.model)
        form.addRow(_("Customer"), self.customer)
        form.addRow(_("Purchased"), self.purchased)
        form.addRow(_("Warranty until"), self.warranty)
        form.addRow(self.has_maintenance, self.maintenance)
        form.addRow("", self.intervention)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def form(self) -> MachineForm:
        maintenance = self.maintenance.date().toPython() if self.has_maintenance.isChecked() else None
        return MachineForm(
            serial=self.serial.text(),
            model_code=self.model.currentData() or "",
            customer_id=CustomerId(chosen_id(self.customer)),
            purchase_date=self.purchased.date().toPython(),
            warranty_end=self.warranty.date().toPython(),
            unauthorized_intervention=self.intervention.isChecked(),
            last_preventive_maintenance=maintenance,
            id=self._existing.id if self._existing else None,
        )

    def _on_model_or_purchase_changed(self) -> None:
        months = self._warranty_months.get(self.model.currentData() or "")
        if self._warranty_typed or months is None:
            return
        end = self._machines.default_warranty_end(self.purchased.date().toPython(), months)
        self._filling_warranty = True
        self.warranty.setDate(QDate(end.year, end.month, end.day))
        self._filling_warranty = False

    def _on_warranty_changed(self, _date: QDate) -> None:
        if not self._filling_warranty:
            self._warranty_typed = True

    def save(self) -> None:
        form = self.form()
        version = self._existing.version if self._existing else None
        machines, actor = self._machines, self._actor
        self.run_save(lambda: machines.save(form, actor=actor, expected_version=version))
