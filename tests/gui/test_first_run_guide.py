"""The first-run guide (issue 13): when it opens by itself and when it does not, skipping it, the
users step reflecting reality, and the signing key made once."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.domain.model import Role, User
from desktop_app.errors import PermissionDeniedError, UserFacingError
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.ui import theme
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.views.first_run_guide import FirstRunGuide, GuideProgress, guide_is_due, offer_guide
from desktop_app.ui.views.users_dialog import UsersDialog
from tests.gui.conftest import admin_actor


def _window(qtbot: QtBot, services: Services, settings: QSettings, actor) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(services.desk, settings, actor)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def _first_admin(services: Services):  # type: ignore[no-untyped-def]
    return services.users.create_first_admin("carolina", "Carolina Gómez", "c@somosmaker.com", "una-clave-larga")


def test_the_demo_data_never_opens_the_guide_by_itself(
    qtbot: QtBot, qapp: QApplication, demo_services: Services, tmp_path: Path
) -> None:
    theme.apply_theme(qapp)
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    actor = admin_actor(demo_services)
    progress = GuideProgress(settings, demo_services.desk.database_label)
    # Even if the first administrator had just been made: a database with customers is at work.
    assert not guide_is_due(demo_services.desk, actor, progress, first_admin_created=True)
    window = _window(qtbot, demo_services, settings, actor)
    assert offer_guide(window.menus, demo_services.desk, actor, settings, first_admin_created=False) is None
    assert window.findChild(FirstRunGuide) is None
    # Help → Guía de inicio still opens it, showing what the demo already has.
    assert window.menus.guide_action is not None
    window.menus.guide_action.trigger()
    guide = window.findChild(FirstRunGuide)
    assert guide is not None and guide.isVisible()
    assert guide.facts is not None and guide.facts.has_customers and guide.facts.has_colleagues
    guide.close()


def test_an_agent_is_offered_no_guide(
    qtbot: QtBot, qapp: QApplication, demo_services: Services, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    agent = demo_services.users.sign_in("laura.perez", DEMO_PASSWORD)
    progress = GuideProgress(settings, demo_services.desk.database_label)
    progress.set_step(1)  # left half-way by an administrator on this desk
    assert not guide_is_due(demo_services.desk, agent, progress, first_admin_created=False)
    window = _window(qtbot, demo_services, settings, agent)
    assert window.menus.guide_action is None
    assert demo_services.first_run is not None
    with pytest.raises(PermissionDeniedError):
        demo_services.first_run.progress(agent)
    with pytest.raises(PermissionDeniedError):
        demo_services.first_run.create_signing_key(agent)


def test_skipping_the_guide_keeps_it_closed_and_the_users_step_follows_reality(
    qtbot: QtBot, qapp: QApplication, empty_services: Services, tmp_path: Path
) -> None:
    services = empty_services
    theme.apply_theme(qapp)
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    actor = _first_admin(services)
    window = _window(qtbot, services, settings, actor)
    guide = offer_guide(window.menus, services.desk, actor, settings, first_admin_created=True)
    assert guide is not None
    qtbot.waitExposed(guide)
    qtbot.mouseClick(
        guide.steps.viewport(), Qt.MouseButton.LeftButton, pos=guide.steps.visualItemRect(guide.steps.item(3)).center()
    )
    assert guide.heading.text() == "Paso 4 de 4: Cuentas del equipo"
    assert guide.steps.item(3).text().endswith("pendiente")

    def add_colleague(dialog: UsersDialog) -> None:
        services.users.add_user(
            actor, User("laura", "Laura Pérez", "laura@somosmaker.com", Role.AGENT, "Bogotá"), "otra-clave-larga"
        )
        dialog.reject()

    qtbot.mouseClick(guide.users_button, Qt.MouseButton.LeftButton)
    users = guide.findChild(UsersDialog)
    assert users is not None and users.isVisible()
    add_colleague(users)
    qtbot.waitUntil(lambda: guide.users_count.text() == "2 personas pueden entrar hasta ahora.")
    assert guide.step_state.text() == "Hecho: sus compañeros tienen sus cuentas."
    assert guide.steps.item(3).text().endswith("hecho")

    qtbot.mouseClick(guide.skip_button, Qt.MouseButton.LeftButton)
    assert not guide.isVisible()
    assert GuideProgress(settings, services.desk.database_label).value() == "skipped"
    assert offer_guide(window.menus, services.desk, actor, settings, first_admin_created=True) is None
    # Help → Guía de inicio shows it again for reference; walking it does not bring it back by itself.
    assert window.menus.guide_action is not None
    window.menus.guide_action.trigger()
    [reopened] = [g for g in window.findChildren(FirstRunGuide) if g.isVisible()]  # the closed one goes later
    assert reopened is not guide
    assert reopened.heading.text() == "Paso 1 de 4: Datos de la empresa"
    qtbot.mouseClick(reopened.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(reopened.later_button, Qt.MouseButton.LeftButton)
    assert GuideProgress(settings, services.desk.database_label).value() == "skipped"
    assert offer_guide(window.menus, services.desk, actor, settings, first_admin_created=False) is None


def test_the_signing_key_is_made_once(empty_services: Services) -> None:
    actor = _first_admin(empty_services)
    first_run = empty_services.first_run
    assert not first_run.progress(actor).key_created
    key = first_run.create_signing_key(actor)
    assert key.can_issue and len(key.fingerprint.split()) == 16
    assert first_run.progress(actor).key_created
    with pytest.raises(UserFacingError, match="nunca se reemplaza"):
        first_run.create_signing_key(actor)
    assert empty_services.company.signing_key().fingerprint == key.fingerprint
