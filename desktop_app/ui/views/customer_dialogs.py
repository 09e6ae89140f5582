"""The short forms of the customers page: a new customer, a contact, a training. Each saves itself
off the GUI thread and keeps what was typed when the service refuses (every problem named)."""

from __future__ import annotations

from datetime import date, tzinfo

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.ids import CustomerId
from desktop_app.domain.model import ContactChannel
from desktop_app.domain.permissions import Actor
from desktop_app.i18n import _
from desktop_app.services.customer_ports import ContactView
from desktop_app.services.customers import ContactForm, CustomerService
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.customer_form import CustomerFormWidget
from desktop_app.ui.views.saving_dialog import SavingDialog
from desktop_app.wording.customers import contact_channel_label


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class NewCustomerDialog(SavingDialog):
    """A new customer; `saved` is its CustomerView."""

    def __init__(
        self, customers: CustomerService, tasks: TaskRunner, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(tasks, _("Create customer"), "", parent)
        self._customers, self._actor = customers, actor
        self.setWindowTitle(_("New customer"))
        self.setMinimumWidth(620)
        self.fields = CustomerFormWidget(customers, tasks, actor, editable=True, parent=self)
        self.fields.show_customer(None)
        self.resize(660, 480)  # room for the NIT's and the city's messages below their fields
        layout = QVBoxLayout(self)
        layout.addWidget(self.fields)
        layout.addStretch(1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        form = self.fields.form()
        customers, actor = self._customers, self._actor
        self.run_save(lambda: customers.save(form, actor=actor))


class ContactDialog(SavingDialog):
    """Add a contact or correct one; `saved` is its ContactView."""

    def __init__(
        self,
        customers: CustomerService,
        tasks: TaskRunner,
        actor: Actor,
        customer_id: CustomerId,
        today: date,
        tz: tzinfo,
        existing: ContactView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            tasks, _("Save"), _("Close this window and open the customer again to see the other change."), parent
        )
        self._customers, self._actor, self._customer_id, self._existing = customers, actor, customer_id, existing
        self.setWindowTitle(_("Edit contact") if existing else _("New contact"))
        self.setMinimumWidth(480)
        contact = existing.contact if existing else None
        self.name = QLineEdit(contact.name if contact else "")
        self.role = QLineEdit(contact.role if contact else "", placeholderText=_("e.g. Lab coordinator"))
        self.email = QLineEdit(contact.email if contact else "")
        self.phone = QLineEdit(contact.phone if contact else "")
        self.channel = QComboBox()
        for channel in ContactChannel:
            self.channel.addItem(contact_channel_label(channel), channel.value)
        if contact is not None:
            self.channel.setCurrentIndex(self.channel.findData(contact.preferred_channel.value))
        self.consent = QCheckBox(_("Consented to the processing of their personal data on"))
        self.consent.setToolTip(_("Habeas data, Ley 1581 de 2012: keep the signed authorisation."))
        self.consent_on = QDateEdit(calendarPopup=True, displayFormat="dd/MM/yyyy")
        given = contact.consent_at.astimezone(tz).date() if contact and contact.consent_at else today
        self.consent_on.setDate(_qdate(given))
        self.consent.setChecked(bool(contact and contact.consent_at))
        self.consent_on.setEnabled(self.consent.isChecked())
        self.consent.toggled.connect(self.consent_on.setEnabled)
        form = QFormLayout()
        form.addRow(_("Name"), self.name)
        form.addRow(_("Role"), self.role)
        form.addRow(_("E-mail"), self.email)
        form.addRow(_("Phone"), self.phone)
        form.addRow(_("Preferred channel"), self.channel)
        form.addRow(self.consent, self.consent_on)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def form(self) -> ContactForm:
        return ContactForm(
            customer_id=self._customer_id,
            name=self.name.text(),
            role=self.role.text(),
            email=self.email.text(),
            phone=self.phone.text(),
            preferred_channel=ContactChannel(self.channel.currentData()),
            consent_on=self.consent_on.date().toPython() if self.consent.isChecked() else None,
            id=self._existing.contact.id if self._existing else None,
        )

    def save(self) -> None:
        form = self.form()
        version = self._existing.version if self._existing else None
        customers, actor = self._customers, self._actor
        self.run_save(lambda: customers.save_contact(form, actor=actor, expected_version=version))


class TrainingDialog(SavingDialog):
    """Record a training given to the customer (R3); `saved` is the customer's new page."""

    def __init__(
        self,
        customers: CustomerService,
        tasks: TaskRunner,
        actor: Actor,
        customer_id: CustomerId,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(tasks, _("Record training"), "", parent)
        self._customers, self._actor, self._customer_id = customers, actor, customer_id
        self.setWindowTitle(_("New training"))
        self.setMinimumWidth(480)
        self.held_on = QDateEdit(calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.held_on.setDate(_qdate(today))
        self.topic = QLineEdit(placeholderText=_("e.g. Operation of the M3 and nozzle change"))
        self.trainer = QLineEdit()
        hint = QLabel(
            _("A customer counts as trained with makeR's tools (R3) once a training is recorded."),
            wordWrap=True,
            objectName="hint",
        )
        form = QFormLayout()
        form.addRow(_("Date"), self.held_on)
        form.addRow(_("Topic"), self.topic)
        form.addRow(_("Trainer"), self.trainer)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        held_on, topic, trainer = self.held_on.date().toPython(), self.topic.text(), self.trainer.text()
        customers, actor, customer_id = self._customers, self._actor, self._customer_id
        self.run_save(lambda: customers.add_training(customer_id, held_on, topic, trainer, actor=actor))
