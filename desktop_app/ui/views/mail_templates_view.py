"""The "Plantillas de correo" tab of Settings (administrators): each mail the desk sends, its
subject and text with `{placeholders}` filled from the ticket's facts, a preview as the customer
would read it (with example facts or a real ticket's), and the shipped text one click away.

A placeholder the template does not offer is refused before anything is saved; leaving a template
with unsaved changes asks first.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import Actor
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _
from desktop_app.services.mail import MailService
from desktop_app.services.mail_dto import TemplateInfo
from desktop_app.ui import theme
from desktop_app.ui.tasks import TaskRunner
from desktop_app.wording.mail import placeholder_label, template_title

PREVIEW_DELAY_MS = 350  # typing pauses this long before the preview is drawn again


def _card(title: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame(objectName="card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(12, 10, 12, 12)
    layout.addWidget(QLabel(title, objectName="cardTitle", wordWrap=True))
    return frame, layout


class MailTemplatesView(QWidget):
    """Signals:
    template_saved(str): a template was saved or restored (its code).
    """

    template_saved = Signal(str)

    def __init__(
        self,
        mail: MailService,
        tasks: TaskRunner,
        actor: Actor,
        find_ticket: Callable[[str], int] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._mail, self._tasks, self._actor, self._find_ticket = mail, tasks, actor, find_ticket
        self._templates: dict[str, TemplateInfo] = {}
        self._shown: TemplateInfo | None = None  # the template in the editors, as saved
        self._switching = False
        self._preview_seq = 0
        self._target: QLineEdit | QPlainTextEdit | None = None

        self.list = QListWidget()
        self.list.setMinimumWidth(230)
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        list_card, list_layout = _card(_("Mails the desk sends"))
        list_layout.addWidget(self.list, 1)

        self.title = QLabel(objectName="pageTitle", wordWrap=True)
        title_font = QFont(self.title.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 0.8)
        self.title.setFont(title_font)
        self.subject = QLineEdit()
        self.body = QPlainTextEdit()
        self.body.setTabChangesFocus(True)
        self.placeholders = QListWidget()
        self.placeholders.setViewMode(QListView.ViewMode.ListMode)
        self.placeholders.setFlow(QListView.Flow.LeftToRight)
        self.placeholders.setWrapping(True)
        self.placeholders.setResizeMode(QListView.ResizeMode.Adjust)
        self.placeholders.setSpacing(3)
        self.placeholders.setFixedHeight(72)
        self.placeholders.setFrameShape(QFrame.Shape.NoFrame)
        c = theme.colors()
        self.placeholders.setStyleSheet(
            f"QListWidget {{ background: transparent; border: none; }}"
            f"QListWidget::item {{ background: {c.chip}; border-radius: 9px; padding: 2px 8px; color: {c.text}; }}"
            f"QListWidget::item:hover {{ background: {c.accent_soft}; }}"
        )
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.hide()
        self.state = QLabel(objectName="muted", wordWrap=True)
        self.reset_button = QPushButton(_("Restore the original"))
        self.save_button = QPushButton(_("Save"), objectName="primary")
        buttons = QHBoxLayout()
        buttons.addWidget(self.state, 1)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.save_button)
        editor_card, editor_layout = _card(_("Template"))
        editor_layout.addWidget(self.title)
        form = QFormLayout()
        form.addRow(_("Subject"), self.subject)
        editor_layout.addLayout(form)
        editor_layout.addWidget(QLabel(_("Text"), objectName="muted"))
        editor_layout.addWidget(self.body, 1)
        editor_layout.addWidget(QLabel(_("Placeholders (click one to insert it):"), objectName="muted", wordWrap=True))
        editor_layout.addWidget(self.placeholders)
        editor_layout.addWidget(self.error)
        editor_layout.addLayout(buttons)

        self.ticket = QLineEdit(placeholderText=_("Empty: example facts"))
        self.ticket.setClearButtonEnabled(True)
        self.preview_subject = QLabel(wordWrap=True)
        self.preview_subject.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bold = QFont(self.preview_subject.font())
        bold.setBold(True)
        self.preview_subject.setFont(bold)
        self.preview_body = QPlainTextEdit(readOnly=True)
        self.preview_error = QLabel(objectName="error", wordWrap=True)
        self.preview_error.hide()
        preview_card, preview_layout = _card(_("Preview"))
        preview_form = QFormLayout()
        preview_form.addRow(_("With the ticket"), self.ticket)
        self.ticket.setToolTip(_("A ticket number (SOP-2026-00123): the preview uses its facts."))
        preview_layout.addLayout(preview_form)
        preview_layout.addWidget(self.preview_error)
        preview_layout.addWidget(self.preview_subject)
        preview_layout.addWidget(self.preview_body, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        for widget in (list_card, editor_card, preview_card):
            splitter.addWidget(widget)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([250, 520, 380])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(splitter)

        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.refresh_preview)
        self.list.currentRowChanged.connect(self._on_current_row_changed)
        self.placeholders.itemClicked.connect(self._on_placeholder_clicked)
        self.subject.textChanged.connect(lambda _text: self._on_text_changed())
        self.body.textChanged.connect(self._on_text_changed)
        self.ticket.textChanged.connect(lambda _text: self._preview_timer.start())
        self.save_button.clicked.connect(lambda _checked=False: self.save())
        self.reset_button.clicked.connect(lambda _checked=False: self.reset())
        for editor in (self.subject, self.body):
            editor.installEventFilter(self)
        self.reload()

    # -- own API ---------------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """The templates as saved; the one shown (or `select`) stays selected."""
        wanted = select or self.current_code()
        templates = list(self._mail.templates())
        self._templates = {str(t.code): t for t in templates}
        self._switching = True
        self.list.clear()
        for template in templates:
            item = QListWidgetItem(self._item_text(template))
            item.setData(Qt.ItemDataRole.UserRole, str(template.code))
            item.setToolTip(str(template.code))
            self.list.addItem(item)
        self._switching = False
        codes = list(self._templates)
        row = codes.index(wanted) if wanted in self._templates else 0
        if codes:
            self._switching = True
            self.list.setCurrentRow(row)
            self._switching = False
            self._show(self._templates[codes[row]])

    def current_code(self) -> str | None:
        return None if self._shown is None else str(self._shown.code)

    def select(self, code: str) -> None:
        """Select a template as a click on the list would (asking about unsaved changes)."""
        codes = list(self._templates)
        if code in codes:
            self.list.setCurrentRow(codes.index(code))

    def is_dirty(self) -> bool:
        shown = self._shown
        return shown is not None and (self.subject.text(), self.body.toPlainText()) != (shown.subject, shown.body)

    def save(self, then_select: str | None = None) -> None:
        """Saved off the GUI thread; the service refuses a placeholder the template's mail cannot fill
        (the message names it and the ones allowed) and the editors keep what was typed."""
        shown = self._shown
        if shown is None:
            return
        code, subject, body = str(shown.code), self.subject.text(), self.body.toPlainText()
        mail, actor = self._mail, self._actor
        self._busy(True)
        self._tasks.run(
            lambda: mail.save_template(code, subject, body, actor=actor),
            lambda _result: self._on_saved(str(code), then_select),
            self._on_refused,
        )

    def reset(self) -> None:
        """Back to the text shipped with the program, after a confirmation."""
        shown = self._shown
        if shown is None:
            return
        answer = QMessageBox.question(
            self,
            _("Restore the original"),
            _("Restore “{title}” to the text shipped with the program? The edited text is lost.").format(
                title=template_title(shown.code)
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        code, mail, actor = shown.code, self._mail, self._actor
        self._busy(True)
        self._tasks.run(
            lambda: mail.reset_template(code, actor=actor),
            lambda _result: self._on_saved(str(code), None),
            self._on_refused,
        )

    def refresh_preview(self) -> None:
        """Render the editors' text now (off the GUI thread); a later request wins over an earlier one."""
        self._preview_timer.stop()
        shown = self._shown
        if shown is None:
            return
        self._preview_seq += 1
        seq, code = self._preview_seq, shown.code
        subject, body, number = self.subject.text(), self.body.toPlainText(), self.ticket.text().strip()
        mail, find_ticket = self._mail, self._find_ticket

        def work() -> tuple[str, str]:
            ticket_id = find_ticket(number) if number and find_ticket is not None else None
            return tuple(mail.preview(code, subject, body, ticket_id=ticket_id))  # type: ignore[return-value]

        self._tasks.run(
            work,
            lambda result: self._on_previewed(seq, result),
            lambda error: self._on_preview_refused(seq, error),
        )

    # -- internals -------------------------------------------------------------------------------

    def _item_text(self, template: TemplateInfo) -> str:
        title = template_title(template.code)
        return _("{title} · edited").format(title=title) if template.edited else title

    def _show(self, template: TemplateInfo) -> None:
        self._shown = template
        self.title.setText(template_title(template.code))
        self.subject.blockSignals(True)
        self.body.blockSignals(True)
        self.subject.setText(template.subject)
        self.body.setPlainText(template.body)
        self.subject.blockSignals(False)
        self.body.blockSignals(False)
        self.placeholders.clear()
        for name in template.placeholders:
            item = QListWidgetItem("{" + name + "}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(placeholder_label(name))
            self.placeholders.addItem(item)
        self.error.hide()
        self.reset_button.setEnabled(bool(template.edited))
        self.state.setText(
            _("Edited by an administrator.") if template.edited else _("The text shipped with the program.")
        )
        self.refresh_preview()

    def _busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.reset_button.setEnabled(not busy and self._shown is not None and bool(self._shown.edited))

    def _refuse(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A placeholder goes where the person was typing: the subject or the text (the text by default).
        if event.type() == QEvent.Type.FocusIn and watched in (self.subject, self.body):
            self._target = watched  # type: ignore[assignment]
        return super().eventFilter(watched, event)

    # -- slots -----------------------------------------------------------------------------------

    def _on_current_row_changed(self, row: int) -> None:
        if self._switching or row < 0:
            return
        code = str(self.list.item(row).data(Qt.ItemDataRole.UserRole))
        if self._shown is not None and code == str(self._shown.code):
            return
        if self.is_dirty():
            answer = QMessageBox.question(
                self,
                _("Unsaved changes"),
                _("“{title}” has changes that are not saved. Save them before opening another template?").format(
                    title=template_title(self._shown.code)
                ),
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Save,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                self._reselect_shown()
                return
            if answer == QMessageBox.StandardButton.Save:
                self._reselect_shown()
                self.save(then_select=code)  # opened once the save went through
                return
        self._show(self._templates[code])

    def _reselect_shown(self) -> None:
        codes = list(self._templates)
        self._switching = True
        self.list.setCurrentRow(codes.index(str(self._shown.code)))
        self._switching = False

    def _on_placeholder_clicked(self, item: QListWidgetItem) -> None:
        text = "{" + str(item.data(Qt.ItemDataRole.UserRole)) + "}"
        target = self._target or self.body
        if isinstance(target, QPlainTextEdit):
            target.insertPlainText(text)
        else:
            target.insert(text)
        target.setFocus()

    def _on_text_changed(self) -> None:
        self.error.hide()
        self._preview_timer.start()

    def _on_saved(self, code: str, then_select: str | None) -> None:
        self._busy(False)
        self.reload(select=code)
        self.template_saved.emit(code)
        if then_select is not None:
            self.select(then_select)

    def _on_refused(self, error: UserFacingError) -> None:
        self._busy(False)
        self._refuse(error.message)

    def _on_previewed(self, seq: int, result: tuple[str, str]) -> None:
        if seq != self._preview_seq:
            return  # an older request answered late; a newer one is on its way
        subject, text = result
        self.preview_error.hide()
        self.preview_subject.setText(subject)
        self.preview_body.setPlainText(text)

    def _on_preview_refused(self, seq: int, error: UserFacingError) -> None:
        if seq != self._preview_seq:
            return
        self.preview_error.setText(error.message)
        self.preview_error.show()
