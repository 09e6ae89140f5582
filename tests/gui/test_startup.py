"""Opening the desk: on a database it cannot use, a dialog that says why, exit code 2, file untouched;
on the demo database, the sign-in dialog and then the main window."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop_app import app as desktop_app_module
from desktop_app.bootstrap import Services
from desktop_app.config import Settings
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.views.sign_in_dialog import SignInDialog
from tests.conftest import make_settings


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"Informe de mantenimiento, no una base de datos.\n" * 40,
            "no es una base de datos de makeR Soporte",
        ),
        (None, "no existe"),
    ],
)
def test_a_database_that_cannot_be_opened_gets_a_dialog_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None, expected: str
) -> None:
    if content is None:
        target = tmp_path / "missing-folder" / "db.sqlite3"
    else:
        target = tmp_path / "informe.sqlite3"
        target.write_bytes(content)
    shown: list[str] = []
    monkeypatch.setattr(desktop_app_module.QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    code = desktop_app_module.run_gui(Settings(db_url=f"sqlite:///{target}", data_dir=tmp_path, language="es_CO"))
    assert code == 2
    assert len(shown) == 1 and expected in shown[0]
    if content is not None:
        assert target.read_bytes() == content
    else:
        assert not target.parent.exists()


def test_signing_in_at_start_up_opens_the_main_window(
    qtbot: QtBot, demo_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real start path: app.py loads the main window's pages only after sign-in (issue 11), so
    this signs in through the dialog run_gui shows and waits for the window it then opens."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own; restored after
    opened: list[str] = []

    def drive() -> None:
        for widget in QApplication.topLevelWidgets():
            if not widget.isVisible():
                continue
            if isinstance(widget, SignInDialog) and not widget.username.text():
                widget.username.setText("admin")
                widget.password.setText(DEMO_PASSWORD)
                widget.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
            elif isinstance(widget, MainWindow):
                opened.append(widget.windowTitle())
                widget.close()  # the last window: run_gui's event loop ends

    timer = QTimer()
    timer.timeout.connect(drive)
    timer.start(50)
    try:
        code = desktop_app_module.run_gui(
            Settings(db_url=make_settings(demo_folder).db_url, data_dir=demo_folder, language="es_CO")
        )
    finally:
        timer.stop()
    assert code == 0
    assert opened == ["makeR Soporte"]


def test_the_smoke_run_leaves_once_the_sign_in_dialog_is_drawn(qapp: QApplication, demo_services: Services) -> None:
    """`gui --smoke` proves the first window was drawn, then leaves (not after a fixed wait)."""
    painted: list[str] = []

    class PaintSpy(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if isinstance(watched, SignInDialog) and event.type() == QEvent.Type.Paint:
                painted.append(watched.windowTitle())
            return False

    spy = PaintSpy()
    qapp.installEventFilter(spy)
    started = time.monotonic()
    try:
        first_admin = demo_services.users.needs_first_admin()
        actor = desktop_app_module._sign_in(demo_services, first_admin=first_admin, smoke=True)
    finally:
        qapp.removeEventFilter(spy)
    assert actor is None
    assert painted and painted[0] == "makeR Soporte — inicio de sesión"
    assert time.monotonic() - started < desktop_app_module.SMOKE_LIMIT_MS / 1000
