"""'Correo sin clasificar': received mail the desk could not place by itself (an unknown sender, a
customer with several machines and none named, …). Staff read it, then link it to a customer —
a machine of theirs or one of their open tickets, and the sender as a new contact if they say so —
or discard it with a reason. Only people who handle mail see the page (Permission.HANDLE_MAIL)."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import tzinfo
from enum import IntEnum
from typing import Any, Protocol

from PySide6.QtCore import QItemSelection, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.ids import CustomerId, MachineId, TicketId
from desktop_app.domain.permissions import Actor
from desktop_app.errors import UserFacingError
from desktop_app.formatting import format_datetime
from desktop_app.i18n import _, ngettext
from desktop_app.services.customers import CustomerService
from desktop_app.services.dto import Choice
from desktop_app.services.inbox_ports import StoredInboxMail
from desktop_app.services.mail.inbound import InboundOutcome
from desktop_app.ui import theme
from desktop_app.ui.models.record_model import RecordTableModel
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.ticket_actions import ActionDialog
from desktop_app.ui.views.ticket_mail_render import TimelineBrowser
from desktop_app.ui.widgets import chosen_id, customer_combo, list_and_detail, record_table
from desktop_app.wording.ticket_mail import inbox_reason_label

Index = QModelIndex | QPersistentModelIndex


class InboxSource(Protocol):
    """What the page asks of the mail service (Desk.mail)."""

    def unclassified(self) -> list[StoredInboxMail]: ...

    def link(
        self,
        inbox_id: int,
        *,
        customer_id: CustomerId,
        machine_id: MachineId | None = None,
        ticket_id: TicketId | None = None,
        add_contact: bool = False,
        actor: Actor,
        expected_version: int | None = None,
    ) -> InboundOutcome: ...

    def discard(self, inbox_id: int, reason: str, *, actor: Actor, expected_version: int | None = None) -> None: ...


class InboxColumn(IntEnum):
    RECEIVED = 0
    SENDER = 1
    SUBJECT = 2
    REASON = 3


def _sender(row: StoredInboxMail) -> str:
    name, address = str(row.from_name or ""), str(row.from_address or "")
    if name and address:
        return f"{name} <{address}>"
    return name or address or _("(no sender)")


class UnclassifiedMailModel(RecordTableModel):
    def __init__(self, tz: tzinfo, parent: Any = None) -> None:
        super().__init__([_("Received"), _("From"), _("Subject"), _("Reason")], parent)
        self._tz = tz

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = InboxColumn(index.column())
        if role == Qt.ItemDataRole.UserRole:
            return int(row.id)
        if role == Qt.ItemDataRole.ToolTipRole and column in (InboxColumn.SENDER, InboxColumn.SUBJECT):
            return _sender(row) if column is InboxColumn.SENDER else row.subject
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            InboxColumn.RECEIVED: format_datetime(row.imported_at, self._tz, short=True),
            InboxColumn.SENDER: row.from_name or row.from_address or _("(no sender)"),  # whole in the tooltip
            InboxColumn.SUBJECT: row.subject or _("(no subject)"),
            InboxColumn.REASON: inbox_reason_label(row.state_reason),
        }[column]


class LinkMailDialog(QDialog):
    """Vincular a cliente: the customer, optionally one of their machines or open tickets, and
    whether the sender becomes one of their contacts.

    Args:
        customers: every customer, to type and pick from.
        page_of: the chosen customer's page (their machines and tickets).
        sender: the mail's sender address ("" when it has none: no contact is offered).
    """

    def __init__(
        self,
        customers: list[Choice],
        page_of: Callable[[CustomerId], Any],
        sender: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Link to a customer"))
        self._page_of = page_of
        self.customer = customer_combo(customers)
        self.customer.setCurrentIndex(-1)
        self.customer.lineEdit().setPlaceholderText(_("Type the customer's name or NIT…"))
        self.machine = QComboBox()
        self.ticket = QComboBox()
        self.add_contact = QCheckBox(_("Add {address} as a contact of the customer").format(address=sender))
        self.add_contact.setVisible(bool(sender))
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.hide()
        hint = QLabel(
            _(
                "With an open ticket chosen, the mail goes on that ticket. Otherwise a new ticket opens for the "
                "customer, on the machine chosen."
            ),
            objectName="hint",
            wordWrap=True,
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(_("Customer"), self.customer)
        form.addRow(_("Open ticket"), self.ticket)
        form.addRow(_("Machine"), self.machine)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Link"))
        self.buttons.accepted.connect(self._on_accepted)
        self.buttons.rejected.connect(self.reject)
        # Wrapped texts sit in the dialog's column, not in a form row, so they get their height.
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.add_contact)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.customer.currentIndexChanged.connect(lambda _i: self._on_customer_changed())
        self.ticket.currentIndexChanged.connect(lambda _i: self._update_machine())
        self._on_customer_changed()

    def choose_customer(self, customer_id: int) -> None:
        self.customer.setCurrentIndex(self.customer.findData(customer_id))

    def values(self) -> dict[str, Any]:
        machine, ticket = self.machine.currentData(), self.ticket.currentData()
        return {
            "customer_id": chosen_id(self.customer),
            "machine_id": None if ticket is not None else machine,
            "ticket_id": ticket,
            "add_contact": not self.add_contact.isHidden() and self.add_contact.isChecked(),
        }

    def _on_customer_changed(self) -> None:
        self.machine.clear()
        self.ticket.clear()
        self.ticket.addItem(_("None: open a new ticket"), None)
        self.machine.addItem(_("Not known yet"), None)
        customer_id = chosen_id(self.customer)
        if customer_id:
            try:
                page = self._page_of(CustomerId(customer_id))
            except UserFacingError as exc:
                self._show_error(exc.message)
                return
            for line in page.tickets:
                if line.status.is_open:
                    self.ticket.addItem(f"{line.number} · {line.title}", int(line.id))
            for standing in page.machines:
                machine = standing.machine
                self.machine.addItem(f"{machine.serial} · {machine.model_name}", int(machine.id))
            if len(page.machines) == 1:
                self.machine.setCurrentIndex(1)  # a customer with one machine: that one
        self._update_machine()

    def _update_machine(self) -> None:
        self.machine.setEnabled(self.ticket.currentData() is None)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self.adjustSize()

    def _on_accepted(self) -> None:
        if not chosen_id(self.customer):
            self._show_error(_("Choose the customer from the list."))
            return
        self.accept()


class UnclassifiedMailView(QWidget):
    """Signals:
    ticket_open_requested(int): open this ticket (the one a linked mail went to or opened).
    import_requested(): the person asked to import saved mails (the window's menu action does it).
    message(str): something done, for the status bar.
    count_changed(int): how many mails wait here.
    """

    ticket_open_requested = Signal(int)
    import_requested = Signal()
    message = Signal(str)
    count_changed = Signal(int)

    def __init__(
        self,
        mail: InboxSource,
        customers: CustomerService,
        customer_choices: Callable[[], list[Choice]],
        find_ticket: Callable[[str], TicketId],
        tasks: TaskRunner,
        actor: Actor,
        tz: tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._mail, self._customers, self._customer_choices = mail, customers, customer_choices
        self._find_ticket = find_ticket
        self._tasks, self._actor, self._tz = tasks, actor, tz
        self.rows: dict[int, StoredInboxMail] = {}
        self.link_dialog: LinkMailDialog | None = None  # the dialog being shown (tests fill it in)
        self.discard_dialog: ActionDialog | None = None

        self.count_label = QLabel(objectName="muted")
        self.import_button = QPushButton(theme.icon("mail"), _("Import saved mail…"))
        self.import_button.setToolTip(_("Import .eml files saved from a mail program (or drop them on the window)"))
        self.refresh_button = QPushButton(theme.icon("refresh"), _("Refresh"))
        self.header_widget = QWidget()
        header = QHBoxLayout(self.header_widget)
        header.setContentsMargins(0, 0, 0, 0)
        header.addStretch(1)
        header.addWidget(self.count_label)
        header.addWidget(self.import_button)
        header.addWidget(self.refresh_button)

        self.model = UnclassifiedMailModel(tz, self)
        self.table = record_table(self.model)
        columns = self.table.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        columns.setSectionResizeMode(InboxColumn.SUBJECT, QHeaderView.ResizeMode.Stretch)
        columns.setSectionResizeMode(InboxColumn.SENDER, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(InboxColumn.SENDER, 200)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)

        self.subject = QLabel(objectName="ticketTitle", wordWrap=True)
        self.subject.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel(objectName="muted", wordWrap=True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = TimelineBrowser()
        self.text.setOpenLinks(False)
        self.text.setOpenExternalLinks(False)
        self.link_button = QPushButton(_("Link to a customer…"), objectName="primary")
        self.discard_button = QPushButton(_("Discard…"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.link_button)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        mail_card = QFrame(objectName="card")
        card_layout = QVBoxLayout(mail_card)
        card_layout.setContentsMargins(12, 10, 12, 12)
        card_layout.addWidget(self.subject)
        card_layout.addWidget(self.facts)
        card_layout.addWidget(self.text, 1)
        card_layout.addLayout(buttons)

        # The list's subjects, and the mail still readable at 1366 px.
        parts = list_and_detail(self, self.table, mail_card, sizes=(720, 480), stretch=(3, 2))
        self.empty, self.stack, self.splitter = parts.empty, parts.stack, parts.splitter

        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.link_button.clicked.connect(lambda _checked=False: self.link_selected())
        self.discard_button.clicked.connect(lambda _checked=False: self.discard_selected())
        self.import_button.clicked.connect(lambda _checked=False: self.import_requested.emit())
        self.refresh_button.clicked.connect(lambda _checked=False: self.reload())
        self.reload()

    # -- own API ---------------------------------------------------------------------------------

    def reload(self) -> None:
        """The mails waiting now; the one being read stays selected when it is still here."""
        selected = self.selected_id()
        rows = list(self._mail.unclassified())
        self.rows = {int(r.id): r for r in rows}
        self.model.set_rows(rows)
        self.count_label.setText(ngettext("{n} mail waiting", "{n} mails waiting", len(rows)).format(n=len(rows)))
        self.count_changed.emit(len(rows))
        row = self.model.row_of(selected) if selected is not None else None
        if row is None and rows:
            row = 0
        if row is None:
            self._show_empty()
        else:
            self.table.selectRow(row)
            self._show(rows[row])

    def selected_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().hasSelection():
            return None
        value = index.siblingAtColumn(0).data(Qt.ItemDataRole.UserRole)
        return int(value) if value is not None else None

    def select(self, inbox_id: int) -> None:
        row = self.model.row_of(inbox_id)
        if row is not None:
            self.table.selectRow(row)

    def link_selected(self) -> LinkMailDialog | None:
        """Vincular a cliente…: asks where the mail belongs, then links it off the GUI thread."""
        inbox_id = self.selected_id()
        if inbox_id is None:
            return None
        row = self.rows[inbox_id]
        dialog = LinkMailDialog(self._customer_choices(), self._customers.page, str(row.from_address or ""), self)
        self.link_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return dialog
        values = dialog.values()
        mail, actor, version = self._mail, self._actor, row.version
        machine_id, ticket_id = values["machine_id"], values["ticket_id"]
        self._set_busy(True)
        self._tasks.run(
            lambda: mail.link(
                inbox_id,
                customer_id=CustomerId(values["customer_id"]),
                machine_id=MachineId(machine_id) if machine_id is not None else None,
                ticket_id=TicketId(ticket_id) if ticket_id is not None else None,
                add_contact=values["add_contact"],
                actor=actor,
                expected_version=version,
            ),
            self._on_linked,
            self._on_refused,
        )
        return dialog

    def discard_selected(self) -> None:
        """Descartar…: a reason is required; it stays with the mail for the audit."""
        inbox_id = self.selected_id()
        if inbox_id is None:
            return
        dialog = ActionDialog(
            _("Discard mail"),
            _("Why is this mail discarded (advertising, a mistake, a duplicate…)?"),
            required=True,
            parent=self,
        )
        self.discard_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        reason = dialog.values()["text"]
        mail, actor, version = self._mail, self._actor, self.rows[inbox_id].version
        self._set_busy(True)
        self._tasks.run(
            lambda: mail.discard(inbox_id, reason, actor=actor, expected_version=version),
            lambda _result: self._on_done(_("Mail discarded.")),
            self._on_refused,
        )

    # -- internals -------------------------------------------------------------------------------

    def _show(self, row: StoredInboxMail) -> None:
        self.subject.setText(row.subject or _("(no subject)"))
        facts = [
            _("From: {sender}").format(sender=_sender(row)),
            _("Received: {when}").format(when=format_datetime(row.imported_at, self._tz)),
            _("Why it is here: {reason}").format(reason=inbox_reason_label(row.state_reason)),
        ]
        self.facts.setText("\n".join(facts))
        text = row.text_body.strip()
        self.text.setHtml(html.escape(text).replace("\n", "<br>") if text else html.escape(_("The mail has no text.")))
        self.stack.setCurrentIndex(1)
        self._set_busy(False)

    def _show_empty(self) -> None:
        self.empty.setText(
            _(
                "No unclassified mail. Mail from unknown senders, or that the desk could not place, waits here "
                "to be linked to a customer or discarded."
            )
        )
        self.stack.setCurrentIndex(0)

    def _set_busy(self, busy: bool) -> None:
        self.link_button.setEnabled(not busy)
        self.discard_button.setEnabled(not busy)

    def _on_linked(self, outcome: InboundOutcome) -> None:
        number = outcome.ticket_number
        said = _("Mail linked: ticket {number}.").format(number=number) if number else outcome.message
        self._on_done(said or _("Mail linked to the customer."))
        if number:
            try:
                ticket_id = self._find_ticket(number)
            except UserFacingError:
                return
            self.ticket_open_requested.emit(int(ticket_id))

    def _on_done(self, said: str) -> None:
        self.reload()
        self._set_busy(False)
        self.message.emit(said)

    def _on_refused(self, error: UserFacingError) -> None:
        self._set_busy(False)
        QMessageBox.warning(self, _("Not done"), error.message)
        self.reload()  # someone else may have linked or discarded it meanwhile

    def _on_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            row = self.rows.get(int(indexes[0].data(Qt.ItemDataRole.UserRole)))
            if row is not None:
                self._show(row)


__all__ = ["InboxColumn", "LinkMailDialog", "UnclassifiedMailModel", "UnclassifiedMailView"]
