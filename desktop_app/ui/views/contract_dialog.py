"""Record, correct or renew a plan contract (R6): customer, plan, invoice, validity, price before
IVA (with the IVA and total shown as typed) and the customer's machines it covers. The dialog
saves itself: every bad field is named inline, an overlap with another contract is asked about,
and nothing typed is lost."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.ids import ContractId, CustomerId, MachineId
from desktop_app.domain.money import IVA_RATE_PERCENT
from desktop_app.domain.permissions import Actor
from desktop_app.errors import UserFacingError
from desktop_app.formatting import format_money
from desktop_app.i18n import _
from desktop_app.services.contracts import ContractForm, ContractService, OverlapWarning
from desktop_app.services.dto import Choice
from desktop_app.services.pricing import price_with_iva
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.saving_dialog import SavingDialog
from desktop_app.ui.widgets import chosen_id, customer_combo, money_spin
from desktop_app.wording import model_with_end_of_life

MAX_PRICE = 2_000_000_000  # COP; more is a typing mistake (and beyond a spin box)


class ContractDialog(SavingDialog):
    def __init__(
        self,
        contracts: ContractService,
        customers: list[Choice],
        tasks: TaskRunner,
        actor: Actor,
        form: ContractForm | None,
        today: date,
        version: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            tasks,
            _("Save"),
            _("Close this window and open the contract again to see the other change."),
            parent,
        )
        self._contracts, self._actor, self._version = contracts, actor, version
        self._confirm_overlap = False
        self._id = form.id if form else None
        self._renews_id = form.renews_id if form else None
        if form is not None and form.renews_id is not None:
            self.setWindowTitle(_("Renew contract"))
        elif form is not None and form.id is not None:
            self.setWindowTitle(_("Correct contract {invoice}").format(invoice=form.invoice_number))
        else:
            self.setWindowTitle(_("New contract"))
        self.setMinimumWidth(560)

        self.customer = customer_combo(customers)
        self.plan = QComboBox()
        for code, name in contracts.plans():
            self.plan.addItem(name, code)
        self.invoice = QLineEdit(placeholderText="FE-10234")
        self.valid_from = QDateEdit(calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.valid_to = QDateEdit(calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.price = money_spin(MAX_PRICE, 100_000)
        self.totals = QLabel(objectName="hint")
        self.special = QCheckBox(_("Special contract: keeps support for a discontinued model (R5)"))
        self.machines = QListWidget()
        self.machines.setMinimumHeight(120)

        if form is None:
            self.valid_from.setDate(QDate(today.year, today.month, today.day))
            self.valid_to.setDate(QDate(today.year + 1, today.month, today.day).addDays(-1))
        else:
            self.customer.setCurrentIndex(self.customer.findData(int(form.customer_id)))
            self.plan.setCurrentIndex(self.plan.findData(form.plan_code))
            self.invoice.setText(form.invoice_number)
            self.valid_from.setDate(QDate(form.valid_from))
            self.valid_to.setDate(QDate(form.valid_to))
            self.price.setValue(form.price_before_iva)
            self.special.setChecked(form.special)
        self._fill_machines(set(form.machine_ids) if form else set())

        layout = QFormLayout()
        layout.addRow(_("Customer"), self.customer)
        layout.addRow(_("Plan"), self.plan)
        layout.addRow(_("Invoice"), self.invoice)
        layout.addRow(_("Valid from"), self.valid_from)
        layout.addRow(_("Valid until"), self.valid_to)
        layout.addRow(_("Price before IVA"), self.price)
        layout.addRow("", self.totals)
        layout.addRow("", self.special)
        layout.addRow(_("Covered machines"), self.machines)
        outer = QVBoxLayout(self)
        outer.addLayout(layout)
        outer.addWidget(self.error)
        outer.addWidget(self.buttons)
        self.customer.currentIndexChanged.connect(lambda _index: self._fill_machines(set()))
        self.price.valueChanged.connect(self._update_totals)
        self._update_totals()
        self.customer.setEnabled(form is None or (form.id is None and form.renews_id is None))

    def form(self) -> ContractForm:
        chosen = tuple(
            MachineId(self.machines.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.machines.count())
            if self.machines.item(row).checkState() == Qt.CheckState.Checked
        )
        return ContractForm(
            customer_id=CustomerId(chosen_id(self.customer)),
            plan_code=self.plan.currentData() or "",
            invoice_number=self.invoice.text(),
            valid_from=self.valid_from.date().toPython(),
            valid_to=self.valid_to.date().toPython(),
            price_before_iva=self.price.value(),
            machine_ids=chosen,
            special=self.special.isChecked(),
            id=ContractId(self._id) if self._id is not None else None,
            renews_id=self._renews_id,
        )

    def save(self) -> None:
        form, confirm = self.form(), self._confirm_overlap
        contracts, actor, version = self._contracts, self._actor, self._version
        self.run_save(lambda: contracts.save(form, actor=actor, expected_version=version, confirm_overlap=confirm))

    def _fill_machines(self, checked: set[MachineId]) -> None:
        self.machines.clear()
        customer = self.customer.currentData()
        if customer is None:
            return
        for machine in self._contracts.customer_machines(CustomerId(customer)):
            model = model_with_end_of_life(machine.model_name, machine.model_end_of_life, self._contracts.today())
            item = QListWidgetItem(f"{machine.serial} · {model}")
            item.setData(Qt.ItemDataRole.UserRole, int(machine.id))
            item.setCheckState(Qt.CheckState.Checked if machine.id in checked else Qt.CheckState.Unchecked)
            self.machines.addItem(item)

    def _update_totals(self) -> None:
        price = price_with_iva(self.price.value())
        self.totals.setText(
            _("IVA {rate} %: {iva} · Total: {total}").format(
                rate=IVA_RATE_PERCENT, iva=format_money(price.iva), total=format_money(price.total)
            )
        )

    def handle_refusal(self, error: UserFacingError) -> bool:
        """An overlap with another contract is a question, not an error (R6)."""
        if not isinstance(error, OverlapWarning):
            return False
        answer = QMessageBox.question(
            self, _("Overlapping contracts"), error.message + "\n\n" + _("Save this contract anyway?")
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._confirm_overlap = True
            self.save()
        return True
