"""Where the database is: this computer's file, or the team's PostgreSQL server."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.connection import (
    Connection,
    keyring_available,
    load_connection,
    remember_password,
    save_connection,
)
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _
from desktop_app.services.connection_check import ConnectionCheck


class ConnectionDialog(QDialog):
    """Edits the connection file. The change applies the next time the desk starts."""

    def __init__(self, check: ConnectionCheck, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._check = check
        self.setWindowTitle(_("Database connection"))
        current = load_connection() or Connection()
        self.local = QRadioButton(_("This computer (a database file)"))
        self.team = QRadioButton(_("The team server (PostgreSQL)"))
        self.path = QLineEdit(current.sqlite_path)
        self.path.setPlaceholderText(_("default: the file in your user data folder"))
        self.host = QLineEdit(current.host)
        self.port = QSpinBox(minimum=1, maximum=65535, value=current.port)
        self.database = QLineEdit(current.database)
        self.user = QLineEdit(current.user)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(_("Remember the password in the system keyring"))
        self.remember.setEnabled(keyring_available())
        if not keyring_available():
            self.remember.setToolTip(_("No system keyring here: the password is asked when the desk starts."))
        self.status = QLabel()
        self.status.setWordWrap(True)
        test = QPushButton(_("Test the connection"))
        test.clicked.connect(self.test_connection)
        form = QFormLayout()
        form.addRow(self.local)
        form.addRow(_("File"), self.path)
        form.addRow(self.team)
        form.addRow(_("Server"), self.host)
        form.addRow(_("Port"), self.port)
        form.addRow(_("Database"), self.database)
        form.addRow(_("User"), self.user)
        form.addRow(_("Password"), self.password)
        form.addRow(self.remember)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(test)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        (self.team if current.kind == "postgresql" else self.local).setChecked(True)
        self.local.toggled.connect(self._on_kind_changed)
        self._on_kind_changed()
        self.setMinimumWidth(460)

    def connection(self) -> Connection:
        if self.local.isChecked():
            return Connection("sqlite", self.path.text().strip())
        return Connection(
            "postgresql",
            "",
            self.host.text().strip(),
            self.port.value(),
            self.database.text().strip(),
            self.user.text().strip(),
        )

    def test_connection(self) -> bool:
        try:
            url = self.connection().url(self.password.text())
            self._check.check(url)
        except UserFacingError as exc:
            self.status.setText(exc.message)
            return False
        self.status.setText(_("Connection works."))
        return True

    def save(self) -> None:
        connection = self.connection()
        if connection.kind == "postgresql" and not self.test_connection():
            return  # the message says why; nothing saved
        save_connection(connection)
        if connection.kind == "postgresql" and self.remember.isChecked() and self.password.text():
            remember_password(connection, self.password.text())
        self.status.setText(_("Saved. makeR Soporte uses this database the next time it starts."))
        self.accept()

    def _on_kind_changed(self) -> None:
        team = self.team.isChecked()
        self.path.setEnabled(not team)
        for widget in (self.host, self.port, self.database, self.user, self.password):
            widget.setEnabled(team)
        self.remember.setEnabled(team and keyring_available())
