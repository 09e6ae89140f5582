"""'Responder al cliente': the agent's mail to the customer, written on the ticket page.

The mail goes to the ticket's contact address with the ticket's number in the subject, so the
customer's answer comes back to this ticket. The text written is the {message} of a template (the
reply, or the request for information; administrators edit both in Settings): the template picker
chooses which, and the preview shows the mail as the customer will read it. "Enviar" counts as the
response or update the plan promises (R7, R10); "Pedir información" also puts the ticket waiting on
the customer (R9). Both only queue the mail in the same transaction as the ticket's change; the
mail job delivers it and the timeline shows its state. A refusal keeps everything typed, and a
closed composer keeps its draft for the ticket until the mail is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.ids import TicketId
from desktop_app.domain.mail_templates import TemplateCode
from desktop_app.domain.permissions import Actor
from desktop_app.errors import UserFacingError
from desktop_app.formatting import format_size
from desktop_app.i18n import _, ngettext
from desktop_app.services.dto import TicketDetail
from desktop_app.services.mail_dto import TemplateInfo
from desktop_app.services.tickets import MAX_ATTACHMENT_BYTES, TicketService
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.attachment_list import AttachmentList, PendingFile
from desktop_app.wording.mail import template_title

# The intake's limit for one file is also the limit for one mail: most mail servers refuse a
# larger message, and the customer should learn it before the mail is queued, not from a bounce.
MAX_MAIL_ATTACHMENTS_BYTES = MAX_ATTACHMENT_BYTES
# The templates an agent's own text goes out in (as their {message}); the others the desk writes.
COMPOSER_TEMPLATES = (TemplateCode.REPLY, TemplateCode.INFO_REQUEST)


class TemplateSource(Protocol):
    """What the composer asks of the mail service (Desk.mail)."""

    def templates(self) -> list[TemplateInfo]: ...

    def reply_address(self, ticket_id: TicketId) -> str: ...

    def preview(
        self, code: str | TemplateCode, subject: str, body: str, ticket_id: TicketId | None = None
    ) -> tuple[str, str]: ...


@dataclass
class ComposerDraft:
    """What was typed in a composer closed without sending, kept for the ticket until sent."""

    template: str = ""
    body: str = ""
    files: tuple[PendingFile, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not (self.body.strip() or self.files)


def reply_address(detail: TicketDetail, mail: TemplateSource) -> str:
    """Where the ticket's mail goes, as the outbox will choose it: the ticket's contact address (the
    sender of a mail-opened ticket), else the customer's e-mail, else a contact's."""
    return mail.reply_address(detail.id).strip()


def ticket_tag(detail: TicketDetail) -> str:
    return f"[{detail.number}]"


class MailComposerDialog(QDialog):
    """Signals:
    ticket_changed(TicketDetail): the mail is queued; the ticket as the service wrote it.

    The customer receives the chosen template (the reply, or the request for information) with the
    agent's text as its message; "Vista previa" shows that mail before it is queued.

    Args:
        detail: the ticket being answered.
        tickets: reply_to_customer (with either template).
        mail: the templates and their preview (Desk.mail).
        may_request_information: the ticket may wait on the customer now (R9).
        draft: what a previous composer for this ticket left unsent.
    """

    ticket_changed = Signal(object)

    def __init__(
        self,
        detail: TicketDetail,
        tickets: TicketService,
        mail: TemplateSource,
        tasks: TaskRunner,
        actor: Actor,
        *,
        may_request_information: bool = True,
        draft: ComposerDraft | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._detail, self._tickets, self._mail, self._tasks, self._actor = detail, tickets, mail, tasks, actor
        self._may_request_information = may_request_information
        self._templates = {info.code: info for info in mail.templates() if info.code in COMPOSER_TEMPLATES}
        self._busy = False
        self.sent = False
        self.setWindowTitle(_("Reply to customer · {number}").format(number=detail.number))

        self.to = QLineEdit(reply_address(detail, mail))
        self.to.setReadOnly(True)
        self.to.setToolTip(_("The ticket's contact address: the customer's answer comes back to this ticket."))
        self.template = QComboBox()
        for code in COMPOSER_TEMPLATES:
            self.template.addItem(template_title(code), code.value)
        if not may_request_information:
            _disable_item(self.template, 1, _("This ticket cannot wait on the customer now."))
        self.template.setToolTip(_("The mail the customer receives: the template with your text as its message."))
        self.tag = QLabel(ticket_tag(detail), objectName="muted")
        self.tag.setToolTip(_("The ticket's number stays in the subject, so the answer finds this ticket."))
        # Read-only, as the template writes it; a label shows a long subject whole.
        self.subject = QLabel(wordWrap=True)
        self.subject.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subject.setToolTip(_("The subject comes from the template (Settings → Mail templates)."))
        subject_row = QHBoxLayout()
        subject_row.addWidget(self.tag, 0, Qt.AlignmentFlag.AlignTop)
        subject_row.addWidget(self.subject, 1)

        self.body = QPlainTextEdit()
        self.body.setPlaceholderText(_("Write to the customer…"))
        self.body.setMinimumHeight(160)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.body, _("Message"))
        self.tabs.addTab(self.preview, _("Preview (as the customer receives it)"))

        self.files = AttachmentList()
        self.files.setMinimumHeight(110)
        self.files.setMaximumHeight(150)
        self.add_files_button = QPushButton(_("Add files…"))
        self.remove_file_button = QPushButton(_("Remove"))
        self.size_label = QLabel(objectName="muted")
        self.size_label.setWordWrap(True)
        files_buttons = QHBoxLayout()
        files_buttons.addWidget(self.add_files_button)
        files_buttons.addWidget(self.remove_file_button)
        files_buttons.addWidget(self.size_label, 1)

        self.error = QLabel(objectName="error")
        self.error.setWordWrap(True)
        self.error.hide()

        self.send_button = QPushButton(_("Send"), objectName="primary")
        self.request_button = QPushButton(_("Request information"))
        self.request_button.setToolTip(
            _("Queue the mail and put the ticket waiting on the customer: the clock stops (R9)")
        )
        self.cancel_button = QPushButton(_("Cancel"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.request_button)
        buttons.addWidget(self.send_button)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(_("To"), self.to)
        form.addRow(_("Template"), self.template)
        form.addRow(_("Subject"), subject_row)
        form.addRow(self.tabs)
        form.addRow(_("Files"), self.files)
        form.addRow("", files_buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.setMinimumWidth(640)
        self.resize(720, 640)

        if not self.to.text():
            self._show_error(
                _("This ticket has no e-mail address to write to: add one to the customer or a contact first.")
            )
        if draft is not None:
            self.template.setCurrentIndex(max(0, self.template.findData(draft.template)))
            self.body.setPlainText(draft.body)
            for pending in draft.files:
                self.files.add_content(pending.filename, pending.content, pending.media_type)

        self.add_files_button.clicked.connect(lambda _checked=False: self.choose_files())
        self.remove_file_button.clicked.connect(lambda _checked=False: self.files.remove_selected())
        self.send_button.clicked.connect(lambda _checked=False: self.send())
        self.request_button.clicked.connect(lambda _checked=False: self.request_information())
        self.cancel_button.clicked.connect(lambda _checked=False: self.reject())
        self.files.changed.connect(self._update_buttons)
        self.files.rejected.connect(self._show_error)
        self.files.itemSelectionChanged.connect(self._update_buttons)
        self.body.textChanged.connect(self._update_buttons)
        self.template.currentIndexChanged.connect(lambda _i: self._on_template_changed())
        self.tabs.currentChanged.connect(lambda _i: self.render_preview())
        QShortcut(QKeySequence("Ctrl+Return"), self, self.send)
        self._on_template_changed()

    # -- own API ---------------------------------------------------------------------------------

    def draft(self) -> ComposerDraft:
        return ComposerDraft(self.template.currentData() or "", self.body.toPlainText(), self.files.files)

    def chosen_template(self) -> TemplateCode:
        return TemplateCode(self.template.currentData())

    def attachments_bytes(self) -> int:
        return sum(len(f.content) for f in self.files.files)

    def render_preview(self) -> str:
        """The mail as the customer will read it: the template filled with this ticket's facts and
        the text written as its message (a quick read, on the GUI thread)."""
        info = self._templates.get(self.chosen_template().value)
        if info is None:
            return ""
        token = "MESSAGE5b0d1c"  # no braces: the preview never treats it as a placeholder
        try:
            subject, text = self._mail.preview(
                info.code, info.subject, info.body.replace("{message}", token), self._detail.id
            )
        except UserFacingError as exc:
            self._show_error(exc.message)
            return ""
        self.subject.setText(subject.replace(ticket_tag(self._detail), "").strip())
        text = text.replace(token, self.body.toPlainText().strip())
        self.preview.setPlainText(text)
        return text

    def choose_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, _("Add files to the mail"))
        self.files.add_paths([Path(p) for p in paths])

    def send(self) -> None:
        """Enviar: the chosen template with the text and the files. The reply counts as the
        response (R7) or the update (R10); the request for information also makes the ticket wait (R9)."""
        if self.send_button.isEnabled():
            self._queue(self.chosen_template())

    def request_information(self) -> None:
        """Pedir información: the request for information template; the ticket waits (R9)."""
        if self.request_button.isEnabled():
            self.template.setCurrentIndex(self.template.findData(TemplateCode.INFO_REQUEST.value))
            self._queue(TemplateCode.INFO_REQUEST)

    # -- internals -------------------------------------------------------------------------------

    def _queue(self, template: TemplateCode) -> None:
        body, files = self.body.toPlainText(), [f.as_attachment() for f in self.files.files]
        detail, tickets, actor = self._detail, self._tickets, self._actor
        self._busy = True
        self.error.hide()
        self._update_buttons()
        self._tasks.run(
            lambda: tickets.reply_to_customer(detail.id, body, files, actor=actor, template=template),
            self._on_sent,
            self._on_refused,
        )

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _on_template_changed(self) -> None:
        self.render_preview()
        if self.chosen_template() is TemplateCode.INFO_REQUEST:
            self.send_button.setToolTip(_("Queue the request; the ticket waits on the customer (R9) (Ctrl+Return)"))
        else:
            self.send_button.setToolTip(_("Queue the mail; it counts as the response to the customer (Ctrl+Return)"))
        self._update_buttons()

    def _update_buttons(self) -> None:
        total = self.attachments_bytes()
        count = len(self.files.files)
        too_big = total > MAX_MAIL_ATTACHMENTS_BYTES
        limit = format_size(MAX_MAIL_ATTACHMENTS_BYTES)
        if too_big:
            text = _("The files add up to {size}; a mail carries at most {limit}. Remove some or send a link.")
            self.size_label.setText(text.format(size=format_size(total), limit=limit))
        elif count:
            files = ngettext("{n} file", "{n} files", count).format(n=count)
            self.size_label.setText(
                _("{files} · {size} of {limit} per mail").format(files=files, size=format_size(total), limit=limit)
            )
        else:
            self.size_label.setText(_("Up to {limit} of files per mail.").format(limit=limit))
        self.size_label.setObjectName("error" if too_big else "muted")
        self.size_label.style().unpolish(self.size_label)
        self.size_label.style().polish(self.size_label)
        ready = not self._busy and bool(self.to.text()) and bool(self.body.toPlainText().strip()) and not too_big
        self.send_button.setEnabled(ready)
        self.request_button.setEnabled(ready and self._may_request_information)
        self.remove_file_button.setEnabled(bool(self.files.selectedItems()) and not self._busy)
        self.cancel_button.setEnabled(not self._busy)

    def _on_sent(self, detail: TicketDetail) -> None:
        self._busy = False
        self.sent = True
        self.ticket_changed.emit(detail)
        self.accept()

    def _on_refused(self, error: UserFacingError) -> None:
        # Everything typed stays: the person fixes what the message says and sends again.
        self._busy = False
        self._show_error(error.message)
        self._update_buttons()

    # -- Qt overrides ----------------------------------------------------------------------------

    def reject(self) -> None:
        if self._busy:  # the mail is being queued; closing now would hide its outcome
            return
        super().reject()


def _disable_item(combo: QComboBox, row: int, why: str) -> None:
    model = combo.model()
    item = model.item(row) if isinstance(model, QStandardItemModel) else None
    if item is not None:
        item.setEnabled(False)
        item.setToolTip(why)
