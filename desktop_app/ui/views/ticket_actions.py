"""The ticket's lifecycle actions (R4, R9, R11–R14) as a toolbar: each asks what the rule needs
(a reason, a solution, how the customer was contacted), then calls the service off the GUI thread.
The service decides; a refusal comes back as a message that names the rule.

Actions are intents on the ticket as it is now (the service checks its current status), so they
carry no version: a background escalation a second earlier must not turn "waiting on customer"
into a conflict. Field edits, which can overwrite someone's text, go through the editor's
version check instead."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import Actor, Permission
from desktop_app.domain.policy import MAX_WAIT_DAYS, MIN_WAIT_DAYS, PolicySettings
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _
from desktop_app.services.access import may
from desktop_app.services.dto import TicketDetail
from desktop_app.services.tickets import TicketService
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.attachment_list import PendingFile, read_file
from desktop_app.ui.views.mail_composer import ComposerDraft, MailComposerDialog, TemplateSource
from desktop_app.ui.views.visit_dialog import VisitDialog


class ActionDialog(QDialog):
    """A short form: a text (required or not), for contact attempts the method and the wait, and
    for closing somebody else's ticket the reason for closing it for them (R13).

    Args:
        text_field: False for a question with no text to write (closing without response).
        closing_for: the assigned agent's name when the person closing is someone else; the
            dialog then asks, and requires, the reason.
    """

    def __init__(
        self,
        title: str,
        prompt: str,
        *,
        required: bool,
        contact: bool = False,
        wait_days: int = 2,
        text_field: bool = True,
        closing_for: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._required = required and text_field
        self._closing_for = closing_for
        self.text = QPlainTextEdit()
        self.text.setMinimumHeight(90)
        self.closing_reason = QLineEdit()
        self.closing_reason.setPlaceholderText(_("e.g. on holiday; the customer confirmed the solution by phone"))
        self.method = QComboBox()
        self.method.addItem(_("Phone"), "phone")
        self.method.addItem(_("E-mail"), "email")
        # R12: at least one working day, so the third attempt never closes the ticket at once.
        self.wait = QSpinBox(minimum=MIN_WAIT_DAYS, maximum=MAX_WAIT_DAYS, value=wait_days, suffix=_(" working days"))
        self.error = QLabel()
        self.error.hide()
        form = QFormLayout()
        if contact:
            form.addRow(_("How"), self.method)
            form.addRow(_("Wait stated to the customer"), self.wait)
        form.addRow(QLabel(prompt, wordWrap=True))
        if text_field:
            form.addRow(self.text)
        if closing_for:
            # R13: the assigned agent closes; anyone else closes for them and says why.
            form.addRow(
                QLabel(
                    _("{agent} is the assigned agent: you close this ticket for them.").format(agent=closing_for),
                    wordWrap=True,
                    objectName="hint",
                )
            )
            form.addRow(_("Closing for {agent}: reason").format(agent=closing_for), self.closing_reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)

    def _on_accepted(self) -> None:
        if self._required and not self.text.toPlainText().strip():
            self.error.setText(_("This field is required."))
            self.error.show()
            return
        if self._closing_for and not self.closing_reason.text().strip():
            self.error.setText(_("Say why you close the ticket for {agent}.").format(agent=self._closing_for))
            self.error.show()
            return
        self.accept()

    def values(self) -> dict[str, Any]:
        return {
            "text": self.text.toPlainText().strip(),
            "method": self.method.currentData(),
            "wait": self.wait.value(),
            "closing_for_reason": self.closing_reason.text().strip(),
        }


class TicketActions(QToolBar):
    """Signals:
    ticket_changed(TicketDetail): an action went through; the ticket as the service wrote it.
    """

    ticket_changed = Signal(object)

    def __init__(
        self,
        tickets: TicketService,
        tasks: TaskRunner,
        actor: Actor,
        policy: Callable[[], PolicySettings],
        parent: QWidget | None = None,
        *,
        mail: TemplateSource | None = None,
    ) -> None:
        super().__init__(parent)
        self._tickets, self._tasks, self._actor, self._policy = tickets, tasks, actor, policy
        self._mail = mail
        self.detail: TicketDetail | None = None
        # What a composer closed without sending left, per ticket: reopening it brings the text back.
        self._drafts: dict[int, ComposerDraft] = {}
        self.composer: MailComposerDialog | None = None
        self.setMovable(False)
        self.reply = self._action(_("Reply to customer"), "Ctrl+Shift+M", self.reply_to_customer)
        self.reply.setVisible(mail is not None)
        self.addSeparator()
        self.waiting = self._action(_("Waiting on customer"), "Ctrl+Shift+W", self.set_waiting)
        self.resumed = self._action(_("Customer answered"), "Ctrl+Shift+R", self.resume)
        self.attempt = self._action(_("Contact attempt"), "Ctrl+Shift+K", self.contact_attempt)
        self.escalate = self._action(_("Escalate"), "Ctrl+Shift+E", self.escalate_ticket)
        self.addSeparator()
        self.close_solved = self._action(_("Close with solution"), "Ctrl+Shift+C", self.close_with_solution)
        self.close_no_answer = self._action(_("Close — no response"), "", self.close_without_response)
        self.out_of_scope = self._action(_("Out of scope"), "", self.mark_out_of_scope)
        self.reopen = self._action(_("Reopen"), "Ctrl+Shift+O", self.reopen_ticket)
        self.addSeparator()
        self.attach = self._action(_("Attach files"), "Ctrl+Shift+A", self.attach_files)
        self.visit = self._action(_("Record visit"), "Ctrl+Shift+V", self.record_visit)
        self.visit.setVisible(may(actor, Permission.RECORD_VISITS))

    def load(self, detail: TicketDetail) -> None:
        """Offer what the lifecycle allows from the ticket's status, to a person who may act on it."""
        self.detail = detail
        offered = self._tickets.offered_actions(detail, self._actor)
        self.waiting.setEnabled(offered.wait)
        self.resumed.setEnabled(offered.resume)
        self.attempt.setEnabled(offered.contact_attempt)
        self.escalate.setEnabled(offered.escalate)
        self.close_solved.setEnabled(offered.close_solved)
        self.close_no_answer.setEnabled(offered.close_no_response)
        self.out_of_scope.setEnabled(offered.out_of_scope)
        self.reopen.setEnabled(offered.reopen)
        self.visit.setEnabled(offered.visit)
        self.attach.setEnabled(offered.attach)
        self.reply.setEnabled(offered.attach)  # who may work on the ticket may write to its customer

    # -- the actions -----------------------------------------------------------------------------

    def set_waiting(self) -> None:
        values = self._ask(
            _("Waiting on customer"), _("What was asked of the customer (files, access, images…)?"), required=True
        )
        if values is not None:
            self._run(lambda d: self._tickets.set_waiting(d.id, actor=self._actor, reason=values["text"]))

    def resume(self) -> None:
        self._run(lambda d: self._tickets.resume(d.id, actor=self._actor))

    def contact_attempt(self) -> None:
        values = self._ask(
            _("Contact attempt"), _("What was said (the wait before closing is stated)?"), required=False, contact=True
        )
        if values is not None:
            self._run(
                lambda d: self._tickets.log_contact_attempt(
                    d.id,
                    actor=self._actor,
                    method=values["method"],
                    note=values["text"],
                    wait_days=values["wait"],
                )
            )

    def escalate_ticket(self) -> None:
        values = self._ask(_("Escalate"), _("Why does this ticket need the next level?"), required=True)
        if values is not None:
            self._run(lambda d: self._tickets.escalate(d.id, actor=self._actor, note=values["text"]))

    def close_with_solution(self) -> None:
        values = self._ask(
            _("Close with solution"),
            _("The solution given to the customer (it goes in the closing e-mail):"),
            required=True,
            closing_for=self._closing_for(),
        )
        if values is not None:
            self._run(
                lambda d: self._tickets.close_solved(
                    d.id,
                    actor=self._actor,
                    solution=values["text"],
                    closing_for_reason=values.get("closing_for_reason", ""),
                )
            )

    def close_without_response(self) -> None:
        question = _("Close the ticket as “no customer response”?")
        closing_for = self._closing_for()
        if closing_for:  # R13: not my ticket; the question comes with the reason for closing it
            values = self._ask(
                _("Close — no response"), question, required=False, text_field=False, closing_for=closing_for
            )
            if values is not None:
                reason = values.get("closing_for_reason", "")
                self._run(lambda d: self._tickets.close_no_response(d.id, actor=self._actor, closing_for_reason=reason))
        elif self._confirm(question):
            self._run(lambda d: self._tickets.close_no_response(d.id, actor=self._actor))

    def mark_out_of_scope(self) -> None:
        values = self._ask(
            _("Out of scope"),
            _("Why is the request outside makeR's support?"),
            required=True,
            closing_for=self._closing_for(),
        )
        if values is not None:
            self._run(
                lambda d: self._tickets.mark_out_of_scope(
                    d.id,
                    actor=self._actor,
                    reason=values["text"],
                    closing_for_reason=values.get("closing_for_reason", ""),
                )
            )

    def reopen_ticket(self) -> None:
        if self._confirm(_("Reopen the ticket? A new response clock starts now.")):
            self._run(lambda d: self._tickets.reopen(d.id, actor=self._actor))

    def attach_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, _("Add files to the ticket"))
        self.attach_paths([Path(p) for p in paths])

    def attach_paths(self, paths: list[Path]) -> None:
        """Files chosen or dropped on the ticket; each refused file is named, the rest attached."""
        files: list[PendingFile] = []
        problems: list[str] = []
        for path in paths:
            item = read_file(path, tuple(files))
            if isinstance(item, str):
                problems.append(item)
            else:
                files.append(item)
        if problems:
            QMessageBox.warning(self, _("Not attached"), "\n".join(problems))
        if files:
            attachments = [f.as_attachment() for f in files]
            self._run(lambda d: self._tickets.add_attachments(d.id, attachments, actor=self._actor))

    def reply_to_customer(self) -> MailComposerDialog | None:
        """The composer (Ctrl+Shift+M): a mail to the ticket's contact that counts as the response
        (R7, R10), or a request for information that puts the ticket waiting (R9)."""
        detail = self.detail
        if detail is None or self._mail is None:
            return None
        offered = self._tickets.offered_actions(detail, self._actor)
        dialog = MailComposerDialog(
            detail,
            self._tickets,
            self._mail,
            self._tasks,
            self._actor,
            may_request_information=offered.wait,
            draft=self._drafts.get(int(detail.id)),
            parent=self,
        )
        dialog.ticket_changed.connect(self._on_done)
        dialog.finished.connect(lambda _result: self._on_composer_finished(dialog, int(detail.id)))
        self.composer = dialog
        dialog.open()
        return dialog

    def record_visit(self) -> None:
        """R16: the dialog saves the visit itself, so a refusal keeps everything typed."""
        detail = self.detail
        if detail is None:
            return
        tickets = self._tickets
        dialog = VisitDialog(
            detail,
            tickets.agents(),
            self._actor,
            tickets.now().astimezone(tickets.timezone()),
            self._policy().max_maintenance_hours,
            tickets.is_long_maintenance,
            lambda request: tickets.record_visit(detail.id, request, actor=self._actor),
            self._tasks,
            self,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.saved is not None:
            self._on_done(dialog.saved)

    # -- internals -------------------------------------------------------------------------------

    def _action(self, text: str, shortcut: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{text} ({shortcut})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _closing_for(self) -> str:
        """The assigned agent's name when the signed-in person would close somebody else's
        ticket (R13: they close it for them, with a reason), else empty."""
        return "" if self.detail is None else self._tickets.closing_for(self.detail, self._actor)

    def _ask(
        self,
        title: str,
        prompt: str,
        *,
        required: bool,
        contact: bool = False,
        text_field: bool = True,
        closing_for: str = "",
    ) -> dict[str, Any] | None:
        dialog = ActionDialog(
            title,
            prompt,
            required=required,
            contact=contact,
            wait_days=self._policy().wait_after_third_attempt_days,
            text_field=text_field,
            closing_for=closing_for,
            parent=self,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.values()

    def _confirm(self, question: str) -> bool:
        answer = QMessageBox.question(self, _("makeR Soporte"), question)
        return answer == QMessageBox.StandardButton.Yes

    def _run(self, call: Callable[[TicketDetail], TicketDetail]) -> None:
        detail = self.detail
        if detail is None:
            return
        self._tasks.run(lambda: call(detail), self._on_done, self._on_refused)

    def _on_done(self, detail: TicketDetail) -> None:
        self.load(detail)
        self.ticket_changed.emit(detail)

    def _on_composer_finished(self, dialog: MailComposerDialog, ticket_id: int) -> None:
        draft = dialog.draft()
        if dialog.sent or draft.empty:
            self._drafts.pop(ticket_id, None)
        else:
            self._drafts[ticket_id] = draft
        if self.composer is dialog:
            self.composer = None
        dialog.deleteLater()

    def _on_refused(self, error: UserFacingError) -> None:
        QMessageBox.warning(self, _("Not done"), error.message)
