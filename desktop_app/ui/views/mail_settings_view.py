"""The "Correo" tab of Settings (administrators): the SMTP server the desk sends through, the IMAP
mailbox it reads, the sender, the domain of our Message-IDs, the days within which a reply reopens
a closed ticket (R14), and whether sending and reading are on.

Passwords go to the system keyring through the service; the form only says whether one is kept and
is never filled with it (an empty field keeps the stored one). "Probar conexión" runs on its own
thread: a server that does not answer keeps nobody waiting but itself.
"""

from __future__ import annotations

import dataclasses
import sys
from datetime import tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import Actor
from desktop_app.errors import UserFacingError
from desktop_app.formatting import format_datetime
from desktop_app.i18n import _
from desktop_app.services.mail import MailService
from desktop_app.services.mail_dto import MailCheck, MailSettings
from desktop_app.services.mail_ports import MailSecurity, ServerSettings
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.workers.call_worker import CallWorker
from desktop_app.wording.mail import security_label

# The usual port of each protection: changing the protection moves a port still at the old usual one.
SMTP_PORTS = {MailSecurity.STARTTLS: 587, MailSecurity.TLS: 465, MailSecurity.NONE: 25}
IMAP_PORTS = {MailSecurity.STARTTLS: 143, MailSecurity.TLS: 993, MailSecurity.NONE: 143}


def _card(title: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame(objectName="card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(12, 10, 12, 12)
    layout.addWidget(QLabel(title, objectName="cardTitle", wordWrap=True))
    return frame, layout


class ServerForm(QWidget):
    """One server's fields: host, port, protection, user and password (never shown, only replaced)."""

    changed = Signal()

    def __init__(self, ports: dict[MailSecurity, int], host_hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ports = ports
        self.host = QLineEdit(placeholderText=host_hint)
        self.port = QSpinBox(minimum=1, maximum=65535)
        self.port.setMaximumWidth(110)
        self.port.setGroupSeparatorShown(False)
        self.security = QComboBox()
        for security in MailSecurity:
            self.security.addItem(security_label(security), security.value)
        self.user = QLineEdit(placeholderText="soporte@somosmaker.com")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow(_("Server"), self.host)
        self.form.addRow(_("Port"), self.port)
        self.form.addRow(_("Security"), self.security)
        self.form.addRow(_("User"), self.user)
        self.form.addRow(_("Password"), self.password)
        self._security_shown = MailSecurity.STARTTLS
        self.security.currentIndexChanged.connect(lambda _index: self._on_security_changed())
        for field in (self.host, self.user, self.password):
            field.textEdited.connect(lambda _text: self.changed.emit())
        self.port.valueChanged.connect(lambda _value: self.changed.emit())

    def show_server(self, server: ServerSettings, default_security: MailSecurity, password_saved: bool) -> None:
        security = MailSecurity(server.security) if server.configured else default_security
        self._security_shown = security
        self.security.blockSignals(True)
        self.security.setCurrentIndex(self.security.findData(security.value))
        self.security.blockSignals(False)
        self.host.setText(server.host)
        self.port.setValue(server.port or self._ports[security])
        self.user.setText(server.user)
        self.password.clear()
        if password_saved:
            self.password.setPlaceholderText(_("saved in the keyring (type a new one to change it)"))
        else:
            self.password.setPlaceholderText(_("none saved yet"))

    def server(self) -> ServerSettings:
        return ServerSettings(
            host=self.host.text().strip(),
            port=self.port.value(),
            security=MailSecurity(self.security.currentData()),
            user=self.user.text().strip(),
        )

    def new_password(self) -> str | None:
        """The password typed, or None to keep the stored one."""
        return self.password.text() or None

    def _on_security_changed(self) -> None:
        new = MailSecurity(self.security.currentData())
        if self.port.value() == self._ports[self._security_shown]:
            self.port.setValue(self._ports[new])
        self._security_shown = new
        self.changed.emit()


class MailSettingsView(QWidget):
    """Signals:
    settings_saved(): the mail settings changed (the mail jobs use them from their next round).
    """

    settings_saved = Signal()

    def __init__(
        self, mail: MailService, tasks: TaskRunner, actor: Actor, tz: tzinfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._mail, self._tasks, self._actor, self._tz = mail, tasks, actor, tz
        self._settings = MailSettings()
        self._worker: CallWorker | None = None

        self.smtp = ServerForm(SMTP_PORTS, "smtp.gmail.com")
        self.imap = ServerForm(IMAP_PORTS, "imap.gmail.com")
        self.folder = QLineEdit(placeholderText="INBOX")
        self.imap.form.addRow(_("Folder"), self.folder)
        self.sending = QCheckBox(_("Send mail (acknowledgements, replies, closings…)"))
        self.fetching = QCheckBox(_("Read the support mailbox (replies and new requests)"))
        self.smtp.form.insertRow(0, self.sending)
        self.imap.form.insertRow(0, self.fetching)

        self.sender_address = QLineEdit(placeholderText="soporte@somosmaker.com")
        self.sender_name = QLineEdit(placeholderText=_("makeR Support"))
        self.message_id_domain = QLineEdit(placeholderText="somosmaker.com")
        self.message_id_domain.setToolTip(
            _(
                "The part after the @ in the identifier of each mail the desk sends; replies are recognised by it. "
                "Usually the sender's domain."
            )
        )
        self.reopen_days = QSpinBox(minimum=1, maximum=365, suffix=_(" days"))
        self.reopen_days.setValue(30)
        self.reopen_days.setMaximumWidth(110)
        sender_form = QFormLayout()
        sender_form.addRow(_("Sender address"), self.sender_address)
        sender_form.addRow(_("Sender name"), self.sender_name)
        sender_form.addRow(_("Domain of the Message-IDs"), self.message_id_domain)
        sender_form.addRow(_("Reopen by replying within"), self.reopen_days)
        reopen_hint = QLabel(
            _(
                "A customer's reply to a closed ticket reopens it within these days, with a new due time "
                "(R14); a later reply opens a new ticket linked to the old one."
            ),
            objectName="muted",
            wordWrap=True,
        )

        smtp_card, smtp_layout = _card(_("Sending (SMTP)"))
        smtp_layout.addWidget(self.smtp)
        smtp_layout.addStretch(1)
        imap_card, imap_layout = _card(_("Receiving (IMAP)"))
        imap_layout.addWidget(self.imap)
        imap_layout.addStretch(1)
        servers = QHBoxLayout()
        servers.addWidget(smtp_card, 1)
        servers.addWidget(imap_card, 1)
        sender_card, sender_layout = _card(_("Sender and replies"))
        sender_layout.addLayout(sender_form)
        sender_layout.addWidget(reopen_hint)

        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.hide()
        self.smtp_result = QLabel(objectName="coverage", wordWrap=True)
        self.imap_result = QLabel(objectName="coverage", wordWrap=True)
        for label in (self.smtp_result, self.imap_result):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.hide()
        results = QHBoxLayout()
        results.addWidget(self.smtp_result, 1)
        results.addWidget(self.imap_result, 1)
        self.state = QLabel(objectName="muted", wordWrap=True)
        self.test_button = QPushButton(_("Test connection"))
        self.test_button.setToolTip(_("Unsaved changes are saved first; the test uses what is saved."))
        self.discard_button = QPushButton(_("Discard changes"))
        self.save_button = QPushButton(_("Save"), objectName="primary")
        buttons = QHBoxLayout()
        buttons.addWidget(self.state, 1)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.save_button)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 8, 0, 0)
        body_layout.addWidget(
            QLabel(
                _(
                    "The desk sends its mail through the SMTP server and reads the support mailbox over IMAP. "
                    "Passwords are kept in this computer's keyring, never in the database."
                ),
                objectName="muted",
                wordWrap=True,
            )
        )
        body_layout.addLayout(servers)
        body_layout.addWidget(sender_card)
        body_layout.addWidget(self.error)
        body_layout.addLayout(results)
        body_layout.addLayout(buttons)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        self.save_button.clicked.connect(lambda _checked=False: self.save())
        self.discard_button.clicked.connect(lambda _checked=False: self.load())
        self.test_button.clicked.connect(lambda _checked=False: self.test_connection())
        self.load()

    # -- own API ---------------------------------------------------------------------------------

    def load(self) -> None:
        """The settings as saved (or the defaults of a desk that never sent mail)."""
        self.show_settings(self._mail.settings())
        self.error.hide()

    def show_settings(self, settings: MailSettings) -> None:
        self._settings = settings
        self.smtp.show_server(settings.smtp, MailSecurity.STARTTLS, settings.has_smtp_password)
        self.imap.show_server(settings.imap, MailSecurity.TLS, settings.has_imap_password)
        self.folder.setText(settings.folder or "INBOX")
        self.sender_address.setText(settings.sender_address)
        self.sender_name.setText(settings.sender_name)
        self.message_id_domain.setText(settings.message_id_domain)
        self.reopen_days.setValue(settings.reopen_window_days)
        self.sending.setChecked(settings.sending_enabled)
        self.fetching.setChecked(settings.fetching_enabled)
        # The start-up makes the row (the Message-ID key) before anyone configured mail: "saved" means
        # an administrator gave a server or a sender.
        configured = settings.smtp.configured or settings.imap.configured or bool(settings.sender_address)
        if settings.updated_at is not None and configured:
            # No full stop after the time: in Spanish it ends in "a. m.".
            self.state.setText(_("Saved on {when}").format(when=format_datetime(settings.updated_at, self._tz)))
        else:
            self.state.setText(_("Not saved yet: the desk sends and reads no mail until an administrator saves."))

    def read_form(self) -> MailSettings:
        """The settings as the form shows them (passwords apart: see new_passwords)."""
        return dataclasses.replace(
            self._settings,
            smtp=self.smtp.server(),
            imap=self.imap.server(),
            folder=self.folder.text().strip() or "INBOX",
            sender_address=self.sender_address.text().strip(),
            sender_name=self.sender_name.text().strip(),
            message_id_domain=self.message_id_domain.text().strip(),
            reopen_window_days=self.reopen_days.value(),
            sending_enabled=self.sending.isChecked(),
            fetching_enabled=self.fetching.isChecked(),
        )

    def is_dirty(self) -> bool:
        """Whether the form holds something not saved yet."""
        return (
            self.read_form() != self._settings
            or self.smtp.new_password() is not None
            or self.imap.new_password() is not None
            or not (self._settings.smtp.configured or self._settings.imap.configured)
        )

    def save(self, then_test: bool = False) -> None:
        """Saved off the GUI thread; a refusal is shown above the buttons and the form keeps what was typed."""
        settings, actor, mail = self.read_form(), self._actor, self._mail
        smtp_password, imap_password = self.smtp.new_password(), self.imap.new_password()
        self._busy(True)

        self._tasks.run(
            lambda: mail.save_settings(settings, actor=actor, smtp_password=smtp_password, imap_password=imap_password),
            lambda saved: self._on_saved(saved, then_test),
            self._on_refused,
        )

    def test_connection(self) -> None:
        """Sign in to both servers with the saved settings (unsaved changes are saved first)."""
        self._show_testing()
        if self.is_dirty():
            self.save(then_test=True)
            return
        self._start_test()

    # -- internals -------------------------------------------------------------------------------

    def _busy(self, busy: bool) -> None:
        for button in (self.save_button, self.test_button, self.discard_button):
            button.setEnabled(not busy)

    def _show_testing(self) -> None:
        self.error.hide()
        for label in (self.smtp_result, self.imap_result):
            label.setText(_("Testing…"))
            label.setProperty("state", "")
            self._repolish(label)
            label.show()

    def _start_test(self) -> None:
        self._busy(True)
        self._show_testing()
        mail, actor = self._mail, self._actor
        worker = CallWorker(lambda: mail.test_connection(actor=actor))
        worker.succeeded.connect(self._on_tested)
        worker.failed.connect(self._on_test_failed)
        self._worker = worker
        worker.start_call()

    @staticmethod
    def _repolish(label: QLabel) -> None:
        label.style().unpolish(label)
        label.style().polish(label)

    def _show_result(self, label: QLabel, server: str, ok: bool, message: str) -> None:
        message = message.removeprefix(f"{server}: ")  # the label names the server already
        message = message[:1].upper() + message[1:]
        if ok:
            text = _("{server} ✓ {message}").format(server=server, message=message or _("Connected."))
        else:
            text = _("{server} ✗ {message}").format(server=server, message=message)
        label.setText(text)
        label.setProperty("state", "ok" if ok else "refused")
        self._repolish(label)
        label.show()

    # -- slots -----------------------------------------------------------------------------------

    def _on_saved(self, settings: MailSettings, then_test: bool) -> None:
        self._busy(False)
        self.show_settings(settings)
        self.error.hide()
        self.settings_saved.emit()
        if then_test:
            self._start_test()

    def _on_refused(self, error: UserFacingError) -> None:
        self._busy(False)
        for label in (self.smtp_result, self.imap_result):
            label.hide()  # a refused save tests nothing
        self.error.setText(error.message)
        self.error.show()

    def _on_tested(self, check: MailCheck) -> None:
        self._worker = None
        self._busy(False)
        self._show_result(self.smtp_result, "SMTP", check.smtp_ok, check.smtp_message)
        self._show_result(self.imap_result, "IMAP", check.imap_ok, check.imap_message)

    def _on_test_failed(self, exc: BaseException) -> None:
        self._worker = None
        self._busy(False)
        if not isinstance(exc, UserFacingError):
            sys.excepthook(type(exc), exc, exc.__traceback__)  # a bug: the crash dialog and the log
            return
        for label in (self.smtp_result, self.imap_result):
            label.hide()
        self.error.setText(exc.message)
        self.error.show()
