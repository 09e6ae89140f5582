"""GUI fixtures: the real main window on a real SQLite file with the demo data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.domain.permissions import Actor
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.ui import theme
from desktop_app.ui.main_window import MainWindow

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "gui"


def admin_actor(services: Services) -> Actor:
    """Sign in as the demo administrator, through the real sign-in service."""
    return services.users.sign_in("admin", DEMO_PASSWORD)


_QT_TRANSLATORS: list[object] = []  # kept alive for the whole session, as app.py keeps its own


@pytest.fixture
def window(qtbot: QtBot, qapp: QApplication, demo_services: Services, tmp_path: Path) -> Iterator[MainWindow]:
    theme.apply_theme(qapp)
    if not _QT_TRANSLATORS:  # Qt's own buttons (Cancelar, Cerrar) in Spanish, as the app shows them
        _QT_TRANSLATORS.append(theme.install_qt_translator(qapp, "es_CO"))
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    main = MainWindow(
        demo_services.desk,
        settings,
        admin_actor(demo_services),
    )
    qtbot.addWidget(main)
    main.resize(1366, 768)  # a technician's laptop
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.close()


def save_screenshot(widget, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Keep what the test saw, for a person to look at (artifacts/gui/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    widget.grab().save(str(path))
    return path


@pytest.fixture(autouse=True)
def _application(qapp: QApplication) -> Iterator[QApplication]:
    """Models start timers, which need the application (and its event dispatcher) to exist.

    After the test its windows and dialogs are deleted for real. pytest-qt closes the widgets it knows
    and calls deleteLater(), but processEvents() never runs deferred deletes: every main window of every
    earlier test stayed alive (hidden), and the next test's theme.apply_theme restyled them all, a cost
    that grew by about a second per GUI test already run in the process."""
    yield qapp
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def empty_services(tmp_path: Path) -> Iterator[Services]:
    from desktop_app.bootstrap import build_services
    from desktop_app.services.clock import FixedClock
    from tests.conftest import DEMO_NOW, make_settings

    folder = tmp_path / "empty"
    folder.mkdir()
    services = build_services(make_settings(folder), clock=FixedClock(DEMO_NOW))
    yield services
    services.close()


@pytest.fixture(autouse=True)
def _no_unexpected_message_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal message box nobody clicks would hang the run: an unexpected one fails the test.
    Tests that expect a message replace these again with their own recorder."""
    from PySide6.QtWidgets import QMessageBox

    def unexpected(*args: object, **_kwargs: object) -> None:
        raise AssertionError(f"unexpected message box: {args[2] if len(args) > 2 else args}")

    for name in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, unexpected)
