"""New ticket (Ctrl+N): start from the machine, see what its owner is entitled to, then describe.

The order follows the policy: the machine reference first (R2), the coverage before anything is
typed (R3, R5) so nobody writes a long description for a request that will be refused, then the
detailed description and images (R2), and the responsible agent (R1). The service makes the
decisions; this dialog only shows them early.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.ids import MachineId
from desktop_app.domain.model import Channel, Role, Severity
from desktop_app.domain.permissions import Actor, Permission
from desktop_app.errors import UserFacingError
from desktop_app.formatting import format_date
from desktop_app.i18n import _, ngettext
from desktop_app.services.access import may
from desktop_app.services.dto import MachineSummary, TicketDetail
from desktop_app.services.machines import MachineLookup, MachineService
from desktop_app.services.tickets import MIN_DESCRIPTION_LENGTH, IntakeRequest, TicketService
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.attachment_list import AttachmentList
from desktop_app.wording import channel_label, coverage_text, model_with_end_of_life, severity_label, status_label

SEARCH_DELAY_MS = 200


class DescriptionEdit(QPlainTextEdit):
    """Plain text; a pasted screenshot or copied file goes to the attachments instead of being lost."""

    files_pasted = Signal(QMimeData)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasImage() or source.hasUrls() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasImage() or (source.hasUrls() and not source.hasText()):
            self.files_pasted.emit(source)
        else:
            super().insertFromMimeData(source)


class IntakeDialog(QDialog):
    """Signals:
    ticket_created(TicketDetail): the new ticket as it was written (the window shows it without
        reading it again).
    """

    ticket_created = Signal(object)

    def __init__(
        self,
        tickets: TicketService,
        machines: MachineService,
        tasks: TaskRunner,
        actor: Actor,
        machine_id: MachineId | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tickets, self._machines, self._tasks, self._actor = tickets, machines, tasks, actor
        self._lookup: MachineLookup | None = None
        self._saving = False
        self.created: TicketDetail | None = None
        self.setWindowTitle(_("New ticket"))
        self.setMinimumSize(880, 760)

        # 1. The machine.
        self.search = QLineEdit(placeholderText=_("Serial, customer, tax ID, model or city…"))
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setMaximumHeight(120)
        self.machine_line = QLabel(wordWrap=True)
        self.machine_line.setTextFormat(Qt.TextFormat.PlainText)
        self.coverage = QLabel(wordWrap=True, objectName="coverage")
        self.coverage.setTextFormat(Qt.TextFormat.PlainText)
        self.coverage.hide()
        self.open_tickets = QLabel(wordWrap=True, objectName="hint")
        self.open_tickets.hide()
        machine_box = QGroupBox(_("1. Machine"))
        machine_layout = QVBoxLayout(machine_box)
        machine_layout.addWidget(self.search)
        machine_layout.addWidget(self.results)
        machine_layout.addWidget(self.machine_line)
        machine_layout.addWidget(self.coverage)
        machine_layout.addWidget(self.open_tickets)

        # 2. The request.
        self.description = DescriptionEdit()
        self.description.setPlaceholderText(_("What happened, when, what the machine shows, what was already tried…"))
        self.description.setMinimumHeight(110)
        self.description_hint = QLabel(objectName="hint")
        self.severity = QComboBox()
        for severity in Severity:
            self.severity.addItem(severity_label(severity), severity.value)
        self.severity.setCurrentIndex(self.severity.findData(Severity.MEDIUM.value))
        self.channel = QComboBox()
        self.agent = QComboBox()
        self._fill_agents()
        self.attachments = AttachmentList()
        self.attachment_message = QLabel(wordWrap=True, objectName="error")
        self.attachment_message.hide()
        add_files = QPushButton(_("Add files…"))
        paste = QPushButton(_("Paste"))
        paste.setToolTip(_("Paste a screenshot or copied files (Ctrl+V)"))
        remove = QPushButton(_("Remove"))
        files_row = QHBoxLayout()
        files_row.addWidget(add_files)
        files_row.addWidget(paste)
        files_row.addWidget(remove)
        files_row.addStretch(1)
        self.images_hint = QLabel(wordWrap=True, objectName="hint")

        request_box = QGroupBox(_("2. Request"))
        form = QFormLayout(request_box)
        form.addRow(_("Description"), self.description)
        form.addRow("", self.description_hint)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Severity")))
        row.addWidget(self.severity, 1)
        row.addWidget(QLabel(_("Channel")))
        row.addWidget(self.channel, 1)
        row.addWidget(QLabel(_("Responsible agent")))
        row.addWidget(self.agent, 2)
        form.addRow(row)
        form.addRow(_("Images and files"), self.attachments)
        form.addRow("", files_row)
        form.addRow("", self.attachment_message)
        form.addRow("", self.images_hint)

        self.error = QLabel(wordWrap=True, objectName="error")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton(_("Create ticket"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(machine_box)
        layout.addWidget(request_box, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.results.currentItemChanged.connect(self._on_result_chosen)
        self.description.textChanged.connect(self._update_state)
        self.description.files_pasted.connect(self._on_files_pasted)
        self.attachments.changed.connect(self._on_attachments_changed)
        self.attachments.rejected.connect(self._on_attachment_rejected)
        add_files.clicked.connect(self._choose_files)
        paste.clicked.connect(self.paste_from_clipboard)
        remove.clicked.connect(self.attachments.remove_selected)
        QShortcut(QKeySequence.StandardKey.Paste, self.attachments, self.paste_from_clipboard)
        self.buttons.accepted.connect(self.create_ticket)
        self.buttons.rejected.connect(self.reject)

        if machine_id is not None:
            self._choose_machine(machine_id)
        else:
            self._run_search()
        self._update_state()
        self.search.setFocus()

    # -- own API ---------------------------------------------------------------------------------

    def choose_machine(self, machine_id: MachineId) -> None:
        """Start from a machine found elsewhere (a QR scan, a machine page)."""
        self._choose_machine(machine_id)

    def paste_from_clipboard(self) -> None:
        self._on_files_pasted(QGuiApplication.clipboard().mimeData())

    def create_ticket(self) -> None:
        if self._lookup is None or self._saving:
            return
        request = IntakeRequest(
            machine_id=self._lookup.machine.id,
            description=self.description.toPlainText(),
            # Qt hands enum members back as their plain values.
            severity=Severity(self.severity.currentData()),
            channel=Channel(self.channel.currentData()),
            assigned_agent_id=self.agent.currentData(),
            attachments=tuple(f.as_attachment() for f in self.attachments.files),
        )
        self._saving = True
        self._update_state()
        self.create_button.setText(_("Saving…"))
        self._tasks.run(
            lambda: self._tickets.create_ticket(request, actor=self._actor), self._on_created, self._on_refused
        )

    # -- internals -------------------------------------------------------------------------------

    def _fill_agents(self) -> None:
        """R1: one responsible agent. Who may assign others picks from everyone who answers
        tickets; everyone else takes the ticket themselves."""
        self.agent.clear()
        if may(self._actor, Permission.ASSIGN_ANY):
            for agent in self._tickets.agents():
                if agent.role != Role.ADMIN.value:
                    self.agent.addItem(f"{agent.full_name} · {agent.city}", agent.id)
        if self.agent.findData(self._actor.user_id) < 0 and self._actor.user_id is not None:
            self.agent.insertItem(0, self._actor.name, self._actor.user_id)
        self.agent.setCurrentIndex(max(0, self.agent.findData(self._actor.user_id)))
        self.agent.setEnabled(self.agent.count() > 1)

    def _run_search(self) -> None:
        found = self._machines.search(self.search.text())
        self.results.blockSignals(True)
        self.results.clear()
        for machine in found:
            item = QListWidgetItem(self._machine_line(machine))
            item.setData(Qt.ItemDataRole.UserRole, int(machine.id))
            self.results.addItem(item)
        if not found:
            item = QListWidgetItem(_("No machine matches “{text}”.").format(text=self.search.text().strip()))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(item)
        self.results.blockSignals(False)
        if self._lookup is not None:
            self._select_result(self._lookup.machine.id)

    def _machine_line(self, machine: MachineSummary) -> str:
        model = model_with_end_of_life(machine.model_name, machine.model_end_of_life, self._machines.today())
        return f"{machine.serial} · {model} · {machine.customer_name} ({machine.city})"

    def _select_result(self, machine_id: MachineId) -> None:
        for row in range(self.results.count()):
            if self.results.item(row).data(Qt.ItemDataRole.UserRole) == int(machine_id):
                self.results.blockSignals(True)
                self.results.setCurrentRow(row)
                self.results.blockSignals(False)
                return

    def _on_result_chosen(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None = None) -> None:
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            return
        self._choose_machine(MachineId(int(item.data(Qt.ItemDataRole.UserRole))))

    def _choose_machine(self, machine_id: MachineId) -> None:
        try:
            lookup = self._machines.lookup(machine_id)
        except UserFacingError as exc:
            self._show_error(exc.message)
            return
        self._lookup = lookup
        if self.results.currentItem() is None or self.results.currentItem().data(Qt.ItemDataRole.UserRole) != int(
            machine_id
        ):
            self.search.blockSignals(True)
            self.search.setText(lookup.machine.serial)
            self.search.blockSignals(False)
            self._run_search()
        eligibility = lookup.eligibility
        machine = lookup.machine
        self.machine_line.setText(
            _("{serial} — {model}, of {customer} ({city}); warranty until {warranty}.").format(
                serial=machine.serial,
                model=model_with_end_of_life(machine.model_name, machine.model_end_of_life, self._machines.today()),
                customer=machine.customer_name,
                city=machine.city,
                warranty=format_date(machine.warranty_end),
            )
        )
        self.coverage.setText(coverage_text(eligibility, lookup.plan_name))
        self.coverage.show()
        self.coverage.setProperty("state", "ok" if eligibility.allowed else "refused")
        self.coverage.style().unpolish(self.coverage)
        self.coverage.style().polish(self.coverage)
        if lookup.open_tickets:
            listed = ", ".join(f"{number} ({status_label(status)})" for _id, number, status in lookup.open_tickets)
            self.open_tickets.setText(
                ngettext(
                    "This machine already has an open ticket: {tickets}. Add to it if it is the same fault.",
                    "This machine already has open tickets: {tickets}. Add to them if it is the same fault.",
                    len(lookup.open_tickets),
                ).format(tickets=listed)
            )
            self.open_tickets.show()
        else:
            self.open_tickets.hide()
        previous = self.channel.currentData()
        self.channel.clear()
        for channel in Channel:
            if channel in eligibility.channels:
                self.channel.addItem(channel_label(channel), channel.value)
        self.channel.setCurrentIndex(max(0, self.channel.findData(previous)))
        self.error.hide()
        self._update_state()

    def _choose_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, _("Add files to the ticket"))
        if paths:
            self.attachments.add_paths([Path(p) for p in paths])

    def _on_files_pasted(self, mime: QMimeData | None) -> None:
        self.attachment_message.hide()
        self.attachments.paste(mime)

    def _on_attachments_changed(self) -> None:
        self.attachment_message.hide()
        self._update_state()

    def _on_attachment_rejected(self, message: str) -> None:
        self.attachment_message.setText(message)
        self.attachment_message.show()

    def _update_state(self) -> None:
        length = len(self.description.toPlainText().strip())
        if length < MIN_DESCRIPTION_LENGTH:
            self.description_hint.setText(
                _("{n} of at least {min} characters: describe the problem in detail.").format(
                    n=length, min=MIN_DESCRIPTION_LENGTH
                )
            )
        else:
            self.description_hint.setText(_("{n} characters.").format(n=length))
        if self.attachments.has_images():
            self.images_hint.setText("")
        else:
            self.images_hint.setText(
                _("Without images the ticket starts waiting on the customer, who is asked for them (R2).")
            )
        allowed = self._lookup is not None and self._lookup.eligibility.allowed
        self.create_button.setEnabled(
            allowed and length >= MIN_DESCRIPTION_LENGTH and self.channel.count() > 0 and not self._saving
        )
        if not self._saving:
            self.create_button.setText(_("Create ticket"))

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _on_created(self, detail: TicketDetail) -> None:
        self._saving = False
        self.created = detail
        self.ticket_created.emit(detail)
        self.accept()

    def _on_refused(self, error: UserFacingError) -> None:
        # Everything typed and attached stays; the person fixes what the message names.
        self._saving = False
        self._show_error(error.message)
        self._update_state()
