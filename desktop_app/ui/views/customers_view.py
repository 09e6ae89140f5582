"""The customers page: a searchable list, and the selected customer's page — their record (edited in
place by coordinators and administrators, read by everyone else), contacts, trainings, machines,
contracts and tickets, and their free-support standing (R3) with its reasons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.ids import ContactId, CustomerId, TrainingId
from desktop_app.domain.permissions import Actor, Permission
from desktop_app.errors import UserFacingError
from desktop_app.files import write_file
from desktop_app.formatting import format_date, format_datetime
from desktop_app.i18n import _, ngettext
from desktop_app.services.access import may
from desktop_app.services.contracts import ContractService
from desktop_app.services.customer_ports import ContactExport, ContactView, CustomerPage, CustomerRow, CustomerView
from desktop_app.services.customers import CustomerService
from desktop_app.ui import theme
from desktop_app.ui.models.record_model import RecordTableModel
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.customer_dialogs import ContactDialog, NewCustomerDialog, TrainingDialog
from desktop_app.ui.views.customer_form import CustomerFormWidget
from desktop_app.ui.widgets import list_and_detail, record_table, scrolled, search_field
from desktop_app.wording import contract_state_label, coverage_text, severity_label, status_label
from desktop_app.wording.customers import (
    contact_channel_label,
    customer_kind_label,
    machine_standing_text,
    paid_up_text,
    standing_summary,
    trained_text,
)

Index = QModelIndex | QPersistentModelIndex
SEARCH_DELAY_MS = 200
PAGE_SIZE = 200


class CustomerColumn(IntEnum):
    NAME = 0
    NIT = 1
    CITY = 2
    OPEN_TICKETS = 3
    PAID_UP = 4
    TRAINED = 5


class CustomerListModel(RecordTableModel):
    rows: list[CustomerRow]

    def __init__(self, parent: Any = None) -> None:
        super().__init__([_("Customer"), _("NIT"), _("City"), _("Open"), _("Paid up"), _("Trained")], parent)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = CustomerColumn(index.column())
        if role == Qt.ItemDataRole.UserRole:
            return int(row.id)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is CustomerColumn.OPEN_TICKETS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is CustomerColumn.NAME:
                return row.name
            if column is CustomerColumn.CITY and row.department:
                return f"{row.city} ({row.department})"
            if column is CustomerColumn.OPEN_TICKETS:
                return _("Open tickets")
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        yes, no = _("yes"), _("no")
        return {
            CustomerColumn.NAME: row.name,
            CustomerColumn.NIT: row.tax_id,
            CustomerColumn.CITY: row.city,
            CustomerColumn.OPEN_TICKETS: row.open_tickets,
            CustomerColumn.PAID_UP: yes if row.paid_up else no,
            CustomerColumn.TRAINED: yes if row.trained else no,
        }[column]


def _tree(headers: list[str], stretch: int | None = None) -> QTreeWidget:
    """A list of a customer's records; `stretch`: the column that gives way so the others fit."""
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    header = tree.header()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        tree.setTextElideMode(Qt.TextElideMode.ElideRight)
    return tree


def _empty_row(tree: QTreeWidget, text: str) -> None:
    item = QTreeWidgetItem([text])
    item.setFlags(Qt.ItemFlag.NoItemFlags)
    tree.addTopLevelItem(item)


def _selected_id(tree: QTreeWidget) -> int | None:
    item = tree.currentItem()
    value = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
    return int(value) if value is not None else None


class CustomersView(QWidget):
    """Signals:
    ticket_open_requested(int): open this ticket.
    machine_open_requested(int): open this machine's page.
    contract_open_requested(int): open this contract.
    message(str): something done, for the status bar.
    """

    ticket_open_requested = Signal(int)
    machine_open_requested = Signal(int)
    contract_open_requested = Signal(int)
    message = Signal(str)

    def __init__(
        self,
        customers: CustomerService,
        contracts: ContractService,
        tasks: TaskRunner,
        actor: Actor,
        today: Callable[[], date],
        tz: tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._customers, self._contracts, self._tasks, self._actor = customers, contracts, tasks, actor
        self._today, self._tz = today, tz
        self._may_edit = may(actor, Permission.MANAGE_CUSTOMERS)
        self.page: CustomerPage | None = None
        self._offset = 0

        # The list.
        self.search = search_field(_("Search name, NIT, city or contact…"))
        self.count_label = QLabel(objectName="muted")
        self.previous_button = QPushButton(_("Previous"))
        self.next_button = QPushButton(_("Next"))
        self.new_button = QPushButton(theme.icon("plus"), _("New customer"), objectName="primary")
        self.new_button.setVisible(self._may_edit)
        self.header_widget = QWidget()
        header = QHBoxLayout(self.header_widget)
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.search, 1)
        header.addWidget(self.count_label)
        header.addWidget(self.previous_button)
        header.addWidget(self.next_button)
        header.addWidget(self.new_button)
        self.model = CustomerListModel(self)
        self.table = record_table(self.model)
        columns = self.table.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        columns.setSectionResizeMode(CustomerColumn.NAME, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)

        # The customer's page: heading, standing, tabs.
        self.name_label = QLabel(objectName="ticketNumber", wordWrap=True)
        self.subtitle = QLabel(objectName="muted", wordWrap=True)
        self.nit_flag = QLabel(objectName="error", wordWrap=True)
        self.standing = QLabel(wordWrap=True, objectName="coverage")
        self.standing_lines = QLabel(wordWrap=True)
        self.paid_up_button = QPushButton()
        self.paid_up_button.setVisible(self._may_edit)
        standing_actions = QHBoxLayout()
        standing_actions.addWidget(self.paid_up_button)
        standing_actions.addStretch(1)
        standing_card = QFrame(objectName="card")
        standing_layout = QVBoxLayout(standing_card)
        standing_layout.setContentsMargins(12, 10, 12, 12)
        standing_layout.addWidget(QLabel(_("Free support (R3)"), objectName="cardTitle"))
        standing_layout.addWidget(self.standing)
        standing_layout.addWidget(self.standing_lines)
        standing_layout.addLayout(standing_actions)

        self.fields = CustomerFormWidget(customers, tasks, actor, editable=self._may_edit)
        self.fields.place_added.connect(
            lambda label: self.message.emit(_("Municipality {place} added.").format(place=label))
        )
        self.save_button = QPushButton(_("Save changes"), objectName="primary")
        self.save_button.setVisible(self._may_edit)
        self.save_error = QLabel(wordWrap=True, objectName="error")
        self.save_error.hide()
        data_tab = QWidget()
        data_layout = QVBoxLayout(data_tab)
        data_layout.addWidget(self.fields)
        data_layout.addWidget(self.save_error)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        data_layout.addLayout(save_row)
        data_layout.addStretch(1)

        self.contacts = _tree([_("Name"), _("Role"), _("E-mail"), _("Phone"), _("Channel"), _("Consent")], stretch=1)
        self.add_contact_button = QPushButton(theme.icon("plus"), _("New contact…"))
        self.edit_contact_button = QPushButton(_("Edit…"))
        self.export_contact_button = QPushButton(_("Export data…"))
        self.export_contact_button.setToolTip(
            _("Everything held about the contact, as a file (habeas data, Ley 1581 de 2012).")
        )
        self.anonymise_contact_button = QPushButton(_("Anonymise…"))
        self.anonymise_contact_button.setToolTip(
            _("Replace the contact's name, e-mail and phone at their request; the tickets stay as they are.")
        )
        self.remove_contact_button = QPushButton(_("Remove"))
        contact_buttons = (
            self.add_contact_button,
            self.edit_contact_button,
            self.export_contact_button,
            self.anonymise_contact_button,
            self.remove_contact_button,
        )
        contacts_tab = self._tab_with(self.contacts, contact_buttons)

        self.trainings = _tree([_("Date"), _("Topic"), _("Trainer"), _("Recorded by")], stretch=1)
        self.add_training_button = QPushButton(theme.icon("plus"), _("New training…"))
        self.remove_training_button = QPushButton(_("Remove"))
        trainings_tab = self._tab_with(self.trainings, (self.add_training_button, self.remove_training_button))
        for button in (*contact_buttons, self.add_training_button, self.remove_training_button):
            button.setVisible(self._may_edit)

        self.machines = _tree([_("Serial"), _("Model"), _("Support today")])
        self.machines.itemActivated.connect(self._on_machine_activated)
        self.contracts_list = _tree([_("Plan"), _("Invoice"), _("Validity"), _("State")])
        self.contracts_list.itemActivated.connect(self._on_contract_activated)
        self.tickets = _tree([_("Number"), _("Status"), _("Severity"), _("Received"), _("Machine"), _("Problem")])
        self.tickets.itemActivated.connect(self._on_ticket_activated)

        self.tabs = QTabWidget()
        self.tabs.addTab(data_tab, _("Record"))
        self.tabs.addTab(contacts_tab, _("Contacts"))
        self.tabs.addTab(trainings_tab, _("Trainings"))
        self.tabs.addTab(self.machines, _("Machines"))
        self.tabs.addTab(self.contracts_list, _("Contracts"))
        self.tabs.addTab(self.tickets, _("Tickets"))

        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(self.name_label)
        page_layout.addWidget(self.subtitle)
        page_layout.addWidget(self.nit_flag)
        page_layout.addWidget(standing_card)
        page_layout.addWidget(self.tabs, 1)
        # The customer's page needs about 660 px at 1366 (its tabs and form); the list takes the rest, and a
        # name cut there shows whole in its tooltip. Wider screens give both more.
        parts = list_and_detail(self, self.table, scrolled(page), sizes=(600, 660), stretch=(4, 5))
        self.empty, self.stack, self.splitter = parts.empty, parts.stack, parts.splitter

        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search_changed)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.previous_button.clicked.connect(lambda _checked=False: self._turn(-1))
        self.next_button.clicked.connect(lambda _checked=False: self._turn(+1))
        self.new_button.clicked.connect(lambda _checked=False: self.new_customer())
        self.save_button.clicked.connect(lambda _checked=False: self.save_customer())
        self.paid_up_button.clicked.connect(lambda _checked=False: self.toggle_paid_up())
        self.add_contact_button.clicked.connect(lambda _checked=False: self.edit_contact(None))
        self.edit_contact_button.clicked.connect(lambda _checked=False: self.edit_contact(self._contact()))
        self.export_contact_button.clicked.connect(lambda _checked=False: self.export_contact())
        self.anonymise_contact_button.clicked.connect(lambda _checked=False: self.anonymise_contact())
        self.remove_contact_button.clicked.connect(lambda _checked=False: self.remove_contact())
        self.add_training_button.clicked.connect(lambda _checked=False: self.add_training())
        self.remove_training_button.clicked.connect(lambda _checked=False: self.remove_training())
        self.contacts.currentItemChanged.connect(lambda _new, _old: self._update_contact_buttons())
        self.trainings.currentItemChanged.connect(lambda _new, _old: self._update_training_buttons())
        self.reload()

    # -- own API ---------------------------------------------------------------------------------

    def reload(self) -> None:
        """The list as the search says, on the page being shown; the open customer stays open."""
        self._search_timer.stop()
        result = self._customers.search(self.search.text(), offset=self._offset, limit=PAGE_SIZE)
        self.model.set_rows(list(result.rows))
        first, last = result.offset + 1, result.offset + len(result.rows)
        if result.total > len(result.rows):
            self.count_label.setText(_("{first}–{last} of {total}").format(first=first, last=last, total=result.total))
        else:
            self.count_label.setText(ngettext("{n} customer", "{n} customers", result.total).format(n=result.total))
        self.previous_button.setVisible(result.total > PAGE_SIZE)
        self.next_button.setVisible(result.total > PAGE_SIZE)
        self.previous_button.setEnabled(result.offset > 0)
        self.next_button.setEnabled(last < result.total)
        if self.page is None:
            self._show_empty(result.total)
        else:
            row = self.model.row_of(int(self.page.view.customer.id or 0))
            if row is not None:
                self.table.blockSignals(True)
                self.table.selectRow(row)
                self.table.blockSignals(False)

    def show_customer(self, customer_id: int) -> None:
        try:
            page = self._customers.page(CustomerId(customer_id))
        except UserFacingError as exc:
            self.page = None
            self.empty.setText(exc.message)
            self.stack.setCurrentIndex(0)
            return
        self._fill(page)
        row = self.model.row_of(customer_id)
        if row is not None and self.table.currentIndex().row() != row:
            self.table.blockSignals(True)
            self.table.selectRow(row)
            self.table.blockSignals(False)

    def new_customer(self) -> None:
        dialog = NewCustomerDialog(self._customers, self._tasks, self._actor, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and isinstance(dialog.saved, CustomerView):
            view: CustomerView = dialog.saved
            self.reload()
            self.show_customer(int(view.customer.id or 0))
            self.message.emit(_("Customer {name} created.").format(name=view.customer.name))

    def save_customer(self) -> None:
        page = self.page
        if page is None:
            return
        form = self.fields.form()
        version = page.view.version
        customers, actor = self._customers, self._actor
        self.save_button.setEnabled(False)
        self._tasks.run(
            lambda: customers.save(form, actor=actor, expected_version=version),
            self._on_customer_saved,
            self._on_save_refused,
        )

    def toggle_paid_up(self) -> None:
        page = self.page
        if page is None or page.view.customer.id is None:
            return
        customer_id, paid_up, version = page.view.customer.id, not page.view.customer.paid_up, page.view.version
        customers, actor = self._customers, self._actor
        self._tasks.run(
            lambda: customers.set_paid_up(customer_id, paid_up, actor=actor, expected_version=version),
            lambda _view: self._refresh(_("Paid-up status saved.")),
            self._on_failed,
        )

    def edit_contact(self, existing: ContactView | None) -> None:
        page = self.page
        if page is None or page.view.customer.id is None:
            return
        if existing is not None and existing.anonymised:
            return
        dialog = ContactDialog(
            self._customers, self._tasks, self._actor, page.view.customer.id, self._today(), self._tz, existing, self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted and isinstance(dialog.saved, ContactView):
            self._refresh(_("Contact {name} saved.").format(name=dialog.saved.contact.name))

    def export_contact(self) -> None:
        contact = self._contact()
        if contact is None or contact.contact.id is None:
            return
        contact_id = contact.contact.id
        suggested = f"contacto-{contact_id}.json"
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save everything held about the contact"), suggested, "JSON (*.json)"
        )
        if not path:
            return
        target = Path(path if path.lower().endswith(".json") else f"{path}.json")
        customers, actor = self._customers, self._actor

        def export() -> Path:
            exported: ContactExport = customers.export_contact(contact_id, actor=actor)
            # The save dialog already asked before replacing an existing file.
            return write_file(target, exported.content, replace=True)

        self._tasks.run(
            export, lambda saved: self._refresh(_("Contact data saved to {path}.").format(path=saved)), self._on_failed
        )

    def anonymise_contact(self) -> None:
        contact = self._contact()
        if contact is None or contact.contact.id is None or contact.anonymised:
            return
        answer = QMessageBox.question(
            self,
            _("Anonymise contact"),
            _(
                "Replace the name, e-mail and phone of {name} for good, as they asked (Ley 1581 de 2012)? "
                "The tickets stay as they are. Export their data first if they asked for it too."
            ).format(name=contact.contact.name),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        contact_id, customers, actor = contact.contact.id, self._customers, self._actor
        self._tasks.run(
            lambda: customers.anonymise_contact(contact_id, actor=actor),
            lambda _view: self._refresh(_("Contact anonymised.")),
            self._on_failed,
        )

    def remove_contact(self) -> None:
        contact = self._contact()
        if contact is None or contact.contact.id is None:
            return
        answer = QMessageBox.question(
            self,
            _("Remove contact"),
            _("Remove {name} from this customer's contacts?").format(name=contact.contact.name),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        contact_id, customers, actor = ContactId(contact.contact.id), self._customers, self._actor
        self._tasks.run(
            lambda: customers.remove_contact(contact_id, actor=actor),
            lambda _none: self._refresh(_("Contact removed.")),
            self._on_failed,
        )

    def add_training(self) -> None:
        page = self.page
        if page is None or page.view.customer.id is None:
            return
        dialog = TrainingDialog(self._customers, self._tasks, self._actor, page.view.customer.id, self._today(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted and isinstance(dialog.saved, CustomerPage):
            self._fill(dialog.saved)
            self.reload()
            self.message.emit(_("Training recorded."))

    def remove_training(self) -> None:
        training_id = _selected_id(self.trainings)
        if training_id is None:
            return
        answer = QMessageBox.question(
            self, _("Remove training"), _("Remove this training? Remove only one recorded by mistake.")
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        customers, actor = self._customers, self._actor
        self._tasks.run(
            lambda: customers.remove_training(TrainingId(training_id), actor=actor),
            lambda page: self._on_page_changed(page, _("Training removed.")),
            self._on_failed,
        )

    # -- internals -------------------------------------------------------------------------------

    @staticmethod
    def _tab_with(tree: QTreeWidget, buttons: tuple[QPushButton, ...]) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(tree, 1)
        return tab

    def _show_empty(self, total: int) -> None:
        if total == 0 and not self.search.text().strip():
            text = _("No customers yet.")
            if self._may_edit:
                text += " " + _("Create the first one with “New customer”, or import them from a spreadsheet.")
        else:
            text = _("Select a customer.")
        self.empty.setText(text)
        self.stack.setCurrentIndex(0)

    def _fill(self, page: CustomerPage) -> None:
        self.page = page
        customer = page.view.customer
        self.name_label.setText(customer.name)
        place = f"{customer.city} ({customer.department})" if customer.department else customer.city
        self.subtitle.setText(
            " · ".join(
                part
                for part in (_("NIT {nit}").format(nit=customer.tax_id), place, customer_kind_label(customer.kind))
                if part
            )
        )
        self.nit_flag.setText(page.view.nit_problem or "")
        self.nit_flag.setVisible(bool(page.view.nit_problem))
        standing = page.standing
        self.standing.setText(
            standing_summary(standing.paid_up, standing.trained, len(standing.machines), standing.free_support_machines)
        )
        self.standing.setProperty("state", "ok" if standing.customer_conditions_met else "refused")
        self.standing.style().unpolish(self.standing)
        self.standing.style().polish(self.standing)
        set_at = standing.paid_up_set_at.astimezone(self._tz) if standing.paid_up_set_at else None
        lines = [
            paid_up_text(standing.paid_up, set_at, standing.paid_up_set_by),
            trained_text(standing.trained, standing.trainings),
        ]
        lines += [f"{m.machine.serial}: {machine_standing_text(m.eligibility, m.plan_name)}" for m in standing.machines]
        self.standing_lines.setText("\n".join(lines))
        self.paid_up_button.setText(_("Clear paid up") if customer.paid_up else _("Mark paid up (a paz y salvo)"))

        self.fields.show_customer(page.view)
        self.save_error.hide()
        self.save_button.setEnabled(True)
        self._fill_contacts(page)
        self._fill_trainings(page)
        self._fill_machines(page)
        self._fill_contracts(page)
        self._fill_tickets(page)
        self.tabs.setTabText(1, _("Contacts ({n})").format(n=sum(1 for c in page.contacts if not c.anonymised)))
        self.tabs.setTabText(2, _("Trainings ({n})").format(n=len(page.trainings)))
        self.tabs.setTabText(3, _("Machines ({n})").format(n=len(page.machines)))
        self.tabs.setTabText(4, _("Contracts ({n})").format(n=len(page.contracts)))
        self.tabs.setTabText(5, _("Tickets ({n})").format(n=len(page.tickets)))
        self.tabs.setTabToolTip(
            5, _("{open} open, {closed} closed").format(open=page.open_tickets, closed=page.closed_tickets)
        )
        self.stack.setCurrentIndex(1)

    def _fill_contacts(self, page: CustomerPage) -> None:
        self.contacts.clear()
        for view in page.contacts:
            c = view.contact
            if view.anonymised:
                anonymised_on = format_date(c.anonymised_at.astimezone(self._tz).date()) if c.anonymised_at else ""
                texts = [_("Anonymised contact {name}").format(name=c.name), "", "", "", "", anonymised_on]
            else:
                consent = (
                    _("given {date}").format(date=format_date(c.consent_at.astimezone(self._tz).date()))
                    if c.consent_at
                    else _("not given")
                )
                texts = [c.name, c.role, c.email, c.phone, contact_channel_label(c.preferred_channel), consent]
            item = QTreeWidgetItem(texts)
            item.setData(0, Qt.ItemDataRole.UserRole, int(c.id or 0))
            self.contacts.addTopLevelItem(item)
        if not page.contacts:
            _empty_row(self.contacts, _("No contacts yet."))
        self._update_contact_buttons()

    def _fill_trainings(self, page: CustomerPage) -> None:
        self.trainings.clear()
        for view in page.trainings:
            t = view.training
            item = QTreeWidgetItem([format_date(t.held_on), t.topic, t.trainer, view.recorded_by_name])
            item.setData(0, Qt.ItemDataRole.UserRole, int(t.id or 0))
            self.trainings.addTopLevelItem(item)
        if not page.trainings:
            _empty_row(self.trainings, _("No training recorded: the customer is not trained yet (R3)."))
        self._update_training_buttons()

    def _fill_machines(self, page: CustomerPage) -> None:
        self.machines.clear()
        for m in page.machines:
            item = QTreeWidgetItem([m.machine.serial, m.machine.model_name, coverage_text(m.eligibility, m.plan_name)])
            item.setToolTip(2, coverage_text(m.eligibility, m.plan_name))
            item.setData(0, Qt.ItemDataRole.UserRole, int(m.machine.id))
            self.machines.addTopLevelItem(item)
        if not page.machines:
            _empty_row(self.machines, _("No machines registered for this customer."))

    def _fill_contracts(self, page: CustomerPage) -> None:
        self.contracts_list.clear()
        for c in page.contracts:
            validity = f"{format_date(c.valid_from)} – {format_date(c.valid_to)}"
            special = " · " + _("special contract") if c.special else ""
            item = QTreeWidgetItem(
                [c.plan_name + special, c.invoice_number, validity, contract_state_label(self._contracts.state_of(c))]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, int(c.id))
            self.contracts_list.addTopLevelItem(item)
        if not page.contracts:
            _empty_row(self.contracts_list, _("No contracts."))

    def _fill_tickets(self, page: CustomerPage) -> None:
        self.tickets.clear()
        for t in page.tickets:
            item = QTreeWidgetItem(
                [
                    t.number,
                    status_label(t.status),
                    severity_label(t.severity),
                    format_datetime(t.received_at, self._tz, short=True),
                    t.serial,
                    t.title,
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, int(t.id))
            self.tickets.addTopLevelItem(item)
        if not page.tickets:
            _empty_row(self.tickets, _("No tickets yet."))

    def _contact(self) -> ContactView | None:
        contact_id = _selected_id(self.contacts)
        if self.page is None or contact_id is None:
            return None
        return next((c for c in self.page.contacts if c.contact.id == contact_id), None)

    def _update_contact_buttons(self) -> None:
        contact = self._contact()
        chosen = contact is not None
        live = chosen and contact is not None and not contact.anonymised
        self.edit_contact_button.setEnabled(live)
        self.export_contact_button.setEnabled(chosen)
        self.anonymise_contact_button.setEnabled(live)
        self.remove_contact_button.setEnabled(chosen)

    def _update_training_buttons(self) -> None:
        self.remove_training_button.setEnabled(_selected_id(self.trainings) is not None)

    def _refresh(self, said: str) -> None:
        self.message.emit(said)
        if self.page is not None and self.page.view.customer.id is not None:
            self.show_customer(int(self.page.view.customer.id))
        self.reload()

    def _on_page_changed(self, page: CustomerPage, said: str) -> None:
        self._fill(page)
        self.reload()
        self.message.emit(said)

    def _turn(self, direction: int) -> None:
        self._offset = max(0, self._offset + direction * PAGE_SIZE)
        self.reload()

    def _on_search_changed(self) -> None:
        self._offset = 0
        self.reload()

    def _on_customer_saved(self, view: CustomerView) -> None:
        self._refresh(_("Customer {name} saved.").format(name=view.customer.name))

    def _on_save_refused(self, error: UserFacingError) -> None:
        self.save_button.setEnabled(True)
        self.save_error.setText(error.message)
        self.save_error.show()

    def _on_failed(self, error: UserFacingError) -> None:
        QMessageBox.warning(self, _("Not done"), error.message)

    def _on_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.show_customer(indexes[0].data(Qt.ItemDataRole.UserRole))

    def _on_machine_activated(self, item: QTreeWidgetItem) -> None:
        value = item.data(0, Qt.ItemDataRole.UserRole)
        if value is not None:
            self.machine_open_requested.emit(int(value))

    def _on_contract_activated(self, item: QTreeWidgetItem) -> None:
        value = item.data(0, Qt.ItemDataRole.UserRole)
        if value is not None:
            self.contract_open_requested.emit(int(value))

    def _on_ticket_activated(self, item: QTreeWidgetItem) -> None:
        value = item.data(0, Qt.ItemDataRole.UserRole)
        if value is not None:
            self.ticket_open_requested.emit(int(value))


__all__ = ["CustomerColumn", "CustomerListModel", "CustomersView"]
