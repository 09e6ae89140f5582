"""Signing in through the real dialogs, and what each role is offered."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.domain.model import Role
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.ui.main_window import MainWindow, Page
from desktop_app.ui.views.sign_in_dialog import FirstAdminDialog, SignInDialog
from tests.gui.conftest import save_screenshot


def _ok(dialog: QDialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()


def test_sign_in_dialog_refuses_a_wrong_password_and_accepts_the_right_one(
    qtbot: QtBot, demo_services: Services
) -> None:
    dialog = SignInDialog(demo_services.users)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "laura.perez")
    qtbot.keyClicks(dialog.password, "equivocada")
    _ok(dialog)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.error.text() == "Usuario o contraseña incorrectos."
    assert dialog.password.text() == ""  # a wrong password is not kept
    save_screenshot(dialog, "sign_in_error_es_CO")
    qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
    _ok(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None and dialog.actor.role is Role.AGENT


def test_the_worker_s_service_account_cannot_open_the_desk(qtbot: QtBot, demo_services: Services) -> None:
    dialog = SignInDialog(demo_services.users)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "tareas")
    qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
    _ok(dialog)
    assert dialog.isVisible() and dialog.actor is None
    assert dialog.error.text() == (
        "tareas es la cuenta de servicio de las tareas automáticas: ejecuta las tareas periódicas y nada más."
    )


def test_a_new_installation_creates_its_administrator(qtbot: QtBot, empty_services: Services) -> None:
    assert empty_services.users.needs_first_admin()
    dialog = FirstAdminDialog(empty_services.users)
    qtbot.addWidget(dialog)
    dialog.show()
    # QTest types ASCII only (an accent trips an assertion inside Qt): the full name is pasted.
    qtbot.keyClicks(dialog.username, "admin")
    dialog.full_name.setText("Administración")
    qtbot.keyClicks(dialog.email, "a@b.co")
    qtbot.keyClicks(dialog.password, "una-clave-larga")
    qtbot.keyClicks(dialog.repeat, "otra-clave-larga")
    _ok(dialog)
    assert "diferentes" in dialog.error.text() and empty_services.users.needs_first_admin()
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.repeat, "una-clave-larga")
    _ok(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not empty_services.users.needs_first_admin()


def test_an_agent_is_not_offered_the_policy_settings(qtbot: QtBot, demo_services: Services, tmp_path: Path) -> None:
    agent = demo_services.users.sign_in("laura.perez", DEMO_PASSWORD)
    window = MainWindow(
        demo_services.desk,
        QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat),
        agent,
    )
    qtbot.addWidget(window)
    window.show()
    assert window.navigation.item(Page.SETTINGS).isHidden()
    assert not window.navigation.item(Page.QUEUE).isHidden()
    assert window.user_status.text() == "Laura Pérez · agente"
    window.close()


def test_the_connection_dialog_saves_where_the_database_is(
    qtbot: QtBot, demo_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app import connection as conn
    from desktop_app.persistence.migrate import DatabaseProbe
    from desktop_app.ui.views.connection_dialog import ConnectionDialog

    monkeypatch.setenv(conn.CONFIG_DIR_ENV, str(tmp_path / "config"))
    dialog = ConnectionDialog(DatabaseProbe())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.team.setChecked(True)
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(1)  # nobody listens there
    dialog.user.setText("laura")
    dialog.save()
    assert dialog.isVisible() and "no responde" in dialog.status.text()
    assert conn.load_connection() is None  # nothing saved
    dialog.local.setChecked(True)
    dialog.path.setText(str(tmp_path / "otra.sqlite3"))
    dialog.save()
    assert conn.load_connection() == conn.Connection("sqlite", str(tmp_path / "otra.sqlite3"))


def test_an_administrator_adds_a_user_who_can_then_sign_in(qtbot: QtBot, demo_services: Services) -> None:
    from desktop_app.ui.views.users_dialog import UsersDialog

    admin = demo_services.users.sign_in("admin", DEMO_PASSWORD)
    dialog = UsersDialog(demo_services.users, admin)
    qtbot.addWidget(dialog)
    rows = dialog.table.rowCount()
    qtbot.keyClicks(dialog.username, "paula.osorio")
    dialog.full_name.setText("Paula Osorio")
    dialog.role.setCurrentIndex(dialog.role.findData(Role.TECHNICIAN.value))
    dialog.city.setCurrentText("Cali")
    qtbot.keyClicks(dialog.password, "corta")
    dialog.add_button.click()
    assert "al menos 10" in dialog.status.text() and dialog.table.rowCount() == rows
    qtbot.keyClicks(dialog.password, "clave-de-paula")
    dialog.add_button.click()
    assert dialog.table.rowCount() == rows + 1
    paula = demo_services.users.sign_in("paula.osorio", "clave-de-paula")
    assert paula.role is Role.TECHNICIAN and paula.city == "Cali"


def test_an_administrator_unlocks_a_user_after_many_wrong_passwords(qtbot: QtBot, demo_folder: Path) -> None:
    from datetime import timedelta

    from desktop_app.bootstrap import build_services
    from desktop_app.errors import SignInError
    from desktop_app.services.clock import FixedClock
    from desktop_app.ui.views.users_dialog import UsersDialog
    from tests.conftest import DEMO_NOW, make_settings

    clock = FixedClock(DEMO_NOW)
    services = build_services(make_settings(demo_folder), clock=clock)
    try:
        for _ in range(20):  # each attempt after the previous wait (at most 5 minutes) is over
            with pytest.raises(SignInError, match="Usuario o contraseña incorrectos"):
                services.users.sign_in("laura.perez", "no-es-la-clave")
            clock.set(clock.now() + timedelta(minutes=5))
        with pytest.raises(SignInError, match="bloqueada"):
            services.users.sign_in("laura.perez", DEMO_PASSWORD)
        dialog = UsersDialog(services.users, services.users.sign_in("admin", DEMO_PASSWORD))
        qtbot.addWidget(dialog)
        dialog.unlock_button.click()
        assert dialog.status.text() == "Primero seleccione un usuario de la lista."
        row = next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).text() == "laura.perez")
        dialog.table.selectRow(row)
        dialog.unlock_button.click()
        assert dialog.status.text() == "laura.perez ya puede volver a ingresar."
        assert services.users.sign_in("laura.perez", DEMO_PASSWORD).role is Role.AGENT
    finally:
        services.close()
