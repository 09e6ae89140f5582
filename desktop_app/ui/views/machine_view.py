"""The machine registry: a searchable list, and the selected machine's page — its owner and
coverage (R3, R5), its tickets, visits (maintenance history, R16) and contracts — with "new ticket",
"correct", and its QR label one click away. A scanned label lands here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.ids import MachineId
from desktop_app.domain.permissions import Actor, Permission
from desktop_app.domain.sla import SlaState
from desktop_app.errors import UserFacingError
from desktop_app.files import write_file
from desktop_app.formatting import format_date, format_datetime, format_money, format_working_hours
from desktop_app.i18n import _, ngettext
from desktop_app.services.access import may
from desktop_app.services.contracts import ContractService
from desktop_app.services.dto import MachineSummary
from desktop_app.services.machines import MachinePage, MachineService
from desktop_app.ui import theme
from desktop_app.ui.models.record_model import RecordTableModel
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.machine_dialog import MachineDialog
from desktop_app.ui.widgets import list_and_detail, record_table, scrolled, search_field
from desktop_app.wording import (
    contract_state_label,
    coverage_text,
    model_with_end_of_life,
    severity_label,
    status_label,
    warranty_text,
)

Index = QModelIndex | QPersistentModelIndex
SEARCH_DELAY_MS = 200
LIST_LIMIT = 500


class MachineColumn(IntEnum):
    SERIAL = 0
    MODEL = 1
    CUSTOMER = 2
    CITY = 3


class MachineListModel(RecordTableModel):
    """Args:
    today: the desk's date, for marking the models past their end of life (R5).
    """

    rows: list[MachineSummary]

    def __init__(self, parent: Any = None, today: Callable[[], date] | None = None) -> None:
        super().__init__([_("Serial"), _("Model"), _("Customer"), _("City")], parent)
        self._today = today

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        machine = self.rows[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return int(machine.id)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            MachineColumn.SERIAL: machine.serial,
            MachineColumn.MODEL: model_with_end_of_life(machine.model_name, machine.model_end_of_life, self._today())
            if self._today is not None
            else machine.model_name,
            MachineColumn.CUSTOMER: machine.customer_name,
            MachineColumn.CITY: machine.city,
        }[MachineColumn(index.column())]


def _tree(headers: list[str]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(False)
    tree.setMinimumHeight(110)
    tree.header().setStretchLastSection(True)
    tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return tree


def _section(title: str, body: QWidget) -> QFrame:
    frame = QFrame(objectName="card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(12, 10, 12, 12)
    layout.addWidget(QLabel(title, objectName="cardTitle"))
    layout.addWidget(body)
    return frame


class LabelsDialog(QDialog):
    """Which labels to print (this machine, or all of its customer's) and on which sheet."""

    def __init__(self, machine: MachinePage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Print QR labels"))
        self.only_this = QRadioButton(_("This machine ({serial})").format(serial=machine.detail.serial))
        self.whole_customer = QRadioButton(
            _("Every machine of {customer}").format(customer=machine.detail.customer_name)
        )
        self.only_this.setChecked(True)
        self.sheet = QComboBox()
        self.sheet.addItem(_("A4, 21 labels of 63.5 × 38.1 mm (Avery L7160)"), "a4-21")
        self.sheet.addItem(_("Letter, 30 labels of 2⅝ × 1 in (Avery 5160)"), "letter-30")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(_("Save PDF…"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.only_this)
        layout.addWidget(self.whole_customer)
        form = QFormLayout()
        form.addRow(_("Label sheet"), self.sheet)
        layout.addLayout(form)
        layout.addWidget(buttons)


class MachineView(QWidget):
    """Signals:
    ticket_open_requested(int): open this ticket.
    new_ticket_requested(int): start intake from this machine.
    scan_requested(): open the scan dialog.
    message(str): something done, for the status bar.
    """

    ticket_open_requested = Signal(int)
    new_ticket_requested = Signal(int)
    scan_requested = Signal()
    message = Signal(str)

    def __init__(
        self,
        machines: MachineService,
        contracts: ContractService,
        tasks: TaskRunner,
        actor: Actor,
        today: Callable[[], date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._machines, self._contracts, self._tasks, self._actor, self._today = (
            machines,
            contracts,
            tasks,
            actor,
            today,
        )
        self.page: MachinePage | None = None

        self.search = search_field(_("Search serial, customer, NIT, model or city…"))
        self.scan_button = QPushButton(theme.icon("qr"), _("Scan QR"))
        self.scan_button.setToolTip(_("Scan a machine's QR label with the webcam or from a photo (Ctrl+Shift+Q)"))
        self.new_button = QPushButton(theme.icon("plus"), _("New machine"))
        self.new_button.setVisible(may(actor, Permission.MANAGE_MACHINES))
        self.count_label = QLabel(objectName="muted")
        self.header_widget = QWidget()
        header = QHBoxLayout(self.header_widget)
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.search, 1)
        header.addWidget(self.count_label)
        header.addWidget(self.scan_button)
        header.addWidget(self.new_button)

        self.model = MachineListModel(self, today)
        self.table = record_table(self.model)
        columns = self.table.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        columns.setSectionResizeMode(MachineColumn.CUSTOMER, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)

        # The machine's page.
        self.serial = QLabel(objectName="ticketNumber")
        self.subtitle = QLabel(objectName="muted")
        self.coverage = QLabel(wordWrap=True, objectName="coverage")
        self.new_ticket_button = QPushButton(theme.icon("ticket"), _("New ticket"), objectName="primary")
        self.new_ticket_button.setToolTip(_("New ticket for this machine (Ctrl+N)"))
        self.new_ticket_button.setVisible(may(actor, Permission.CREATE_TICKET))
        self.edit_button = QPushButton(_("Correct…"))
        self.edit_button.setVisible(may(actor, Permission.MANAGE_MACHINES))
        self.labels_button = QPushButton(_("QR labels…"))
        actions = QHBoxLayout()
        actions.addWidget(self.new_ticket_button)
        actions.addWidget(self.edit_button)
        actions.addWidget(self.labels_button)
        actions.addStretch(1)
        self.fields = QLabel(wordWrap=True)
        self.fields.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tickets = _tree([_("Number"), _("Status"), _("Severity"), _("Received"), _("Problem")])
        self.tickets.itemActivated.connect(self._on_ticket_activated)
        self.visits = _tree([_("Visit"), _("Technician"), _("City"), _("Length"), _("Work done")])
        self.contracts_list = _tree([_("Plan"), _("Invoice"), _("Validity"), _("State")])

        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        heading = QHBoxLayout()
        heading.addWidget(self.serial)
        heading.addWidget(self.subtitle, 1)
        page_layout.addLayout(heading)
        page_layout.addWidget(self.coverage)
        page_layout.addLayout(actions)
        page_layout.addWidget(_section(_("Record"), self.fields))
        page_layout.addWidget(_section(_("Tickets"), self.tickets))
        page_layout.addWidget(_section(_("Visits and maintenance"), self.visits))
        page_layout.addWidget(_section(_("Contracts"), self.contracts_list))
        page_layout.addStretch(1)
        parts = list_and_detail(
            self,
            self.table,
            scrolled(page),
            sizes=(560, 700),
            stretch=(4, 5),
            empty=_("Select a machine, or scan its QR label."),
        )
        self.empty, self.stack, self.splitter = parts.empty, parts.stack, parts.splitter

        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.scan_button.clicked.connect(self.scan_requested)
        self.new_button.clicked.connect(self.register_machine)
        self.edit_button.clicked.connect(self.correct_machine)
        self.labels_button.clicked.connect(self.print_labels)
        self.new_ticket_button.clicked.connect(self._on_new_ticket)
        self.reload()

    # -- own API ---------------------------------------------------------------------------------

    def reload(self) -> None:
        self._search_timer.stop()
        shown = self.page.detail.id if self.page else None
        rows = self._machines.search(self.search.text(), LIST_LIMIT)
        self.model.set_rows(rows)
        self.count_label.setText(ngettext("{n} machine", "{n} machines", len(rows)).format(n=len(rows)))
        if shown is not None:
            row = self.model.row_of(int(shown))
            if row is not None:
                self.table.selectRow(row)

    def show_machine(self, machine_id: int) -> None:
        """The machine's page; selects it in the list when the list shows it."""
        try:
            page = self._machines.page(MachineId(machine_id))
        except UserFacingError as exc:
            self.empty.setText(exc.message)
            self.stack.setCurrentIndex(0)
            return
        self.page = page
        self._fill(page)
        row = self.model.row_of(machine_id)
        if row is not None and self.table.currentIndex().row() != row:
            self.table.blockSignals(True)
            self.table.selectRow(row)
            self.table.blockSignals(False)

    def register_machine(self) -> None:
        self._edit(None)

    def correct_machine(self) -> None:
        if self.page is not None:
            self._edit(self.page)

    def print_labels(self) -> None:
        page = self.page
        if page is None:
            return
        choice = LabelsDialog(page, self)
        if choice.exec() != QDialog.DialogCode.Accepted:
            return
        whole = choice.whole_customer.isChecked()
        sheet = choice.sheet.currentData()
        name = f"etiquetas-{page.detail.customer_name if whole else page.detail.serial}.pdf".replace("/", "-")
        path, _filter = QFileDialog.getSaveFileName(self, _("Save the label sheet"), name, "PDF (*.pdf)")
        if not path:
            return
        target = Path(path if path.lower().endswith(".pdf") else f"{path}.pdf")

        def make() -> tuple[Path, int]:
            pdf, count = self._machines.labels_pdf(
                customer_id=page.detail.customer_id if whole else None,
                serials=() if whole else (page.detail.serial,),
                sheet=sheet,
            )
            # The save dialog already asked before replacing an existing file.
            return write_file(target, pdf, replace=True), count

        self._tasks.run(make, self._on_labels_written, self._on_failed)

    # -- internals -------------------------------------------------------------------------------

    def _fill(self, page: MachinePage) -> None:
        d = page.detail
        self.serial.setText(d.serial)
        model = model_with_end_of_life(d.model_name, d.model_end_of_life, self._today())
        self.subtitle.setText(f"{model} · {d.customer_name} ({d.city})")
        self.coverage.setText(coverage_text(page.eligibility, page.plan_name))
        self.coverage.setProperty("state", "ok" if page.eligibility.allowed else "refused")
        self.coverage.style().unpolish(self.coverage)
        self.coverage.style().polish(self.coverage)
        lines = [
            _("Purchased {date}").format(date=format_date(d.purchase_date)),
            warranty_text(d.warranty_end, self._today()),
            _("Last preventive maintenance {date}").format(date=format_date(d.last_preventive_maintenance))
            if d.last_preventive_maintenance
            else _("No preventive maintenance recorded"),
            _("Unauthorised intervention recorded: warranty void")
            if d.unauthorized_intervention
            else _("No unauthorised intervention recorded"),
            _("QR label: {payload}").format(payload=d.qr_payload),
        ]
        self.fields.setText("\n".join(lines))
        tz = self._machines.timezone()
        self.tickets.clear()
        for t in page.tickets:
            item = QTreeWidgetItem(
                [
                    t.number,
                    status_label(t.status),
                    severity_label(t.severity),
                    format_datetime(t.received_at, tz),
                    t.title,
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, int(t.id))
            self.tickets.addTopLevelItem(item)
        if not page.tickets:
            self.tickets.addTopLevelItem(QTreeWidgetItem([_("No tickets yet.")]))
        self.visits.clear()
        for v in page.visits:
            kind = _("Maintenance") if v.maintenance else _("Visit")
            length = format_working_hours(v.ended_at - v.started_at)
            if v.long_maintenance:
                length += " ⚠"
            work = v.work_done.splitlines()[0] if v.work_done else ""
            if v.travel_expenses:
                work += " · " + _("Travel expenses {amount}").format(amount=format_money(v.travel_expenses))
            item = QTreeWidgetItem(
                [f"{kind} · {format_datetime(v.started_at, tz, short=True)}", v.technician_name, v.city, length, work]
            )
            if v.long_maintenance:
                item.setToolTip(3, _("Maintenance longer than allowed"))
                item.setForeground(3, theme.sla_colors(SlaState.BREACHED)[1])
            self.visits.addTopLevelItem(item)
        if not page.visits:
            self.visits.addTopLevelItem(QTreeWidgetItem([_("No visits recorded.")]))
        self.contracts_list.clear()
        for c in page.contracts:
            validity = f"{format_date(c.valid_from)} – {format_date(c.valid_to)}"
            state = contract_state_label(self._contracts.state_of(c))
            special = " · " + _("special contract") if c.special else ""
            self.contracts_list.addTopLevelItem(
                QTreeWidgetItem([c.plan_name + special, c.invoice_number, validity, state])
            )
        if not page.contracts:
            self.contracts_list.addTopLevelItem(QTreeWidgetItem([_("No contract covers this machine.")]))
        self.new_ticket_button.setEnabled(page.eligibility.allowed)
        self.stack.setCurrentIndex(1)

    def _edit(self, page: MachinePage | None) -> None:
        dialog = MachineDialog(
            self._machines, self._tasks, self._actor, self._today(), page.detail if page else None, self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.saved is not None:
            self.reload()
            self.show_machine(int(dialog.saved.id))
            self.message.emit(_("Machine {serial} saved.").format(serial=dialog.saved.serial))

    def _on_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.show_machine(indexes[0].data(Qt.ItemDataRole.UserRole))

    def _on_ticket_activated(self, item: QTreeWidgetItem) -> None:
        ticket_id = item.data(0, Qt.ItemDataRole.UserRole)
        if ticket_id is not None:
            self.ticket_open_requested.emit(int(ticket_id))

    def _on_new_ticket(self) -> None:
        if self.page is not None:
            self.new_ticket_requested.emit(int(self.page.detail.id))

    def _on_labels_written(self, result: tuple[Path, int]) -> None:
        path, count = result
        self.message.emit(
            ngettext("{n} label saved to {path}", "{n} labels saved to {path}", count).format(n=count, path=path)
        )
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))  # to print from the PDF viewer

    def _on_failed(self, error: UserFacingError) -> None:
        QMessageBox.warning(self, _("Labels not saved"), error.message)
