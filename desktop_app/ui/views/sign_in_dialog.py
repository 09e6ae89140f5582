"""Sign-in, and on a new installation the creation of the first administrator."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import Actor
from desktop_app.domain.sla import SlaState
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _
from desktop_app.services.connection_check import ConnectionCheck
from desktop_app.services.users import UserService
from desktop_app.ui import theme
from desktop_app.ui.views.connection_dialog import ConnectionDialog


class _CredentialsDialog(QDialog):
    def __init__(self, title: str, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowIcon(theme.app_icon())
        self.actor: Actor | None = None
        self.form = QFormLayout()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.sla_colors(SlaState.BREACHED)[1].name()};")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_accepted)
        self.buttons.rejected.connect(self.reject)
        heading = QLabel(intro)
        heading.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def _field(self, label: str, *, secret: bool = False) -> QLineEdit:
        field = QLineEdit()
        if secret:
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(label, field)
        return field

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _on_accepted(self) -> None:
        try:
            self.actor = self.attempt()
        except UserFacingError as exc:
            self.show_error(exc.message)
            return
        self.accept()

    def attempt(self) -> Actor:
        raise NotImplementedError


class SignInDialog(_CredentialsDialog):
    def __init__(
        self, users: UserService, connection_check: ConnectionCheck | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("makeR Soporte — sign in"), _("Sign in with your makeR Soporte user."), parent)
        self._users = users
        self.username = self._field(_("User"))
        self.password = self._field(_("Password"), secret=True)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Sign in"))
        if connection_check is not None:
            # Before signing in a technician may need to point the desk at the team server.
            connection = self.buttons.addButton(_("Connection…"), QDialogButtonBox.ButtonRole.ResetRole)
            connection.clicked.connect(lambda: ConnectionDialog(connection_check, self).exec())
        self.username.setFocus(Qt.FocusReason.OtherFocusReason)

    def attempt(self) -> Actor:
        try:
            return self._users.sign_in(self.username.text().strip(), self.password.text())
        finally:
            self.password.clear()  # never keep a wrong password around


class FirstAdminDialog(_CredentialsDialog):
    def __init__(self, users: UserService, parent: QWidget | None = None) -> None:
        super().__init__(
            _("makeR Soporte — first administrator"),
            _("This installation has no administrator yet. Create one: it will manage users and the policy."),
            parent,
        )
        self._users = users
        self.username = self._field(_("User"))
        self.full_name = self._field(_("Full name"))
        self.email = self._field(_("E-mail"))
        self.password = self._field(_("Password"), secret=True)
        self.repeat = self._field(_("Repeat the password"), secret=True)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Create administrator"))

    def attempt(self) -> Actor:
        if self.password.text() != self.repeat.text():
            raise UserFacingError(_("The two passwords are different."))
        return self._users.create_first_admin(
            self.username.text(), self.full_name.text(), self.email.text(), self.password.text()
        )
