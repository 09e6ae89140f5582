"""Users (administrators only): who can sign in, with which role, and new users."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.model import ONSITE_CITIES, Role, User
from desktop_app.domain.permissions import Actor
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _
from desktop_app.services.users import UserService
from desktop_app.wording import role_label


class UsersDialog(QDialog):
    def __init__(self, users: UserService, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._users, self._actor = users, actor
        self.setWindowTitle(_("Users"))
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([_("User"), _("Full name"), _("Role"), _("City")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Twenty wrong passwords lock an account until an administrator lifts the lock here.
        self.unlock_button = QPushButton(_("Unlock selected user"))
        self.unlock_button.clicked.connect(self._on_unlock_clicked)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.username, self.full_name, self.email = QLineEdit(), QLineEdit(), QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role_label(role), role.value)
        self.city = QComboBox()
        self.city.addItems(ONSITE_CITIES)
        form = QFormLayout()
        form.addRow(_("User"), self.username)
        form.addRow(_("Full name"), self.full_name)
        form.addRow(_("E-mail"), self.email)
        form.addRow(_("Role"), self.role)
        form.addRow(_("City"), self.city)
        form.addRow(_("Password"), self.password)
        self.add_button = QPushButton(_("Add user"))
        self.add_button.clicked.connect(self.add_user)
        self.status = QLabel()
        self.status.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.unlock_button)
        layout.addWidget(QLabel(_("New user"), objectName="cardTitle"))
        layout.addLayout(form)
        layout.addWidget(self.add_button)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.resize(620, 620)
        self.reload()

    def reload(self) -> None:
        users = self._users.users(self._actor)
        self.table.setRowCount(len(users))
        for row, user in enumerate(users):
            for column, value in enumerate((user.username, user.full_name, role_label(user.role), user.city)):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, user.id)
                self.table.setItem(row, column, item)

    def _on_unlock_clicked(self) -> None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        if item is None:
            self.status.setText(_("Select a user in the list first."))
            return
        try:
            self._users.unlock(self._actor, item.data(Qt.ItemDataRole.UserRole))
        except UserFacingError as exc:
            self.status.setText(exc.message)
            return
        self.status.setText(_("{name} can sign in again.").format(name=item.text()))

    def add_user(self) -> None:
        user = User(
            self.username.text().strip(),
            self.full_name.text().strip(),
            self.email.text().strip(),
            Role(self.role.currentData()),
            self.city.currentText(),
        )
        try:
            if not user.username or not user.full_name:
                raise UserFacingError(_("Write the user name and the full name."))
            self._users.add_user(self._actor, user, self.password.text())
        except UserFacingError as exc:
            self.status.setText(exc.message)
            return
        finally:
            self.password.clear()
        self.status.setText(_("User {name} added.").format(name=user.username))
        for field in (self.username, self.full_name, self.email):
            field.clear()
        self.reload()
