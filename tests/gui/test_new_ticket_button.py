"""The orange "Nuevo ticket" button above the queue, pressed with the mouse (issue 11).

Its ``clicked(bool)`` signal once reached ``new_ticket(machine_id=False)`` and the intake dialog opened
with "La máquina False no existe." Ctrl+N worked; the button, the first thing a newcomer clicks, did not.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.views.intake_dialog import IntakeDialog


def _new_ticket_button(window: MainWindow) -> QPushButton:
    header = window.queue_view.header_widget  # the queue page's title row, beside the search box
    buttons = [b for b in header.findChildren(QPushButton) if b.text() == "Nuevo ticket"]
    assert len(buttons) == 1, [b.text() for b in header.findChildren(QPushButton)]
    return buttons[0]


def test_the_new_ticket_button_opens_intake_with_no_machine_and_no_error(window: MainWindow, qtbot: QtBot) -> None:
    window._tasks.wait()
    button = _new_ticket_button(window)
    assert button.isVisible() and button.isEnabled()

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    dialogs = window.findChildren(IntakeDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    qtbot.waitExposed(dialog)
    window._tasks.wait()
    assert dialog.error.isHidden(), dialog.error.text()
    assert dialog._lookup is None  # nothing preselected: the user picks the machine
    assert dialog.search.text() == ""
    assert not dialog.machine_line.text()
    assert not dialog.create_button.isEnabled()
    dialog.reject()
