"""Buttons pressed with the mouse that once failed (issue 11), each found by test_every_button.py or by hand.

The orange "Nuevo ticket" button above the queue reached ``new_ticket(machine_id=False)`` and the intake
dialog opened with "La máquina False no existe." Ctrl+N worked; the button, the first thing a newcomer
clicks, did not. "Certificados en lote…" reached ``issue_batch(folder=False)`` the same way. "Pegar" in
the intake dialog read an empty clipboard's data, which is no data at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.signing import generate_keys
from desktop_app.ui.main_window import MainWindow, Page
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


def test_r15_the_certificates_in_batch_button_asks_for_a_folder_and_fills_it(
    window: MainWindow, demo_services: Services, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch button's clicked(bool) once reached issue_batch(folder=False): no folder was asked for
    and the batch failed writing to ``False / "CERT-….pdf"``."""
    generate_keys(demo_services.settings.keys_dir)
    folder = tmp_path / "certificados"
    folder.mkdir()
    asked: list[str] = []
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", lambda _parent, title, *_a: asked.append(title) or str(folder)
    )
    window.show_page(Page.CONTRACTS)
    view = window.contract_view
    assert view.batch_button.isVisible() and view.batch_button.isEnabled()

    with qtbot.waitSignal(view.message, timeout=30_000) as said:
        qtbot.mouseClick(view.batch_button, Qt.MouseButton.LeftButton)

    assert asked == ["Carpeta para los certificados"]
    issued = list(folder.glob("CERT-*.pdf"))
    assert issued and f"{len(issued)} certificados expedidos" in said.args[0]


def test_paste_with_an_empty_clipboard_says_there_is_nothing_to_paste(window: MainWindow, qtbot: QtBot) -> None:
    """An empty clipboard has no data at all on some systems; "Pegar" once ended in an AttributeError."""
    QGuiApplication.clipboard().clear()
    dialog = window.new_ticket()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    paste = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Pegar")

    qtbot.mouseClick(paste, Qt.MouseButton.LeftButton)

    assert dialog.attachment_message.isVisible()
    assert dialog.attachment_message.text() == "El portapapeles no tiene imágenes ni archivos."
    assert dialog.attachments.files == ()
    dialog.reject()


def test_a_bug_in_one_certificate_of_a_batch_still_ends_the_batch(qtbot: QtBot) -> None:
    """With the batch button's old bug the progress dialog stayed open forever: the worker died on its
    first item and never said it had finished."""
    from desktop_app.errors import UserFacingError
    from desktop_app.ui.workers.batch_worker import BatchWorker

    def work(item: int) -> tuple[int, str]:
        if item == 2:
            raise UserFacingError("El contrato FE-2 no tiene máquinas.")
        if item == 3:
            raise TypeError("unsupported operand type(s) for /: 'bool' and 'str'")
        return item, f"certificado {item}"

    worker = BatchWorker([1, 2, 3, 4], work)
    with qtbot.captureExceptions() as exceptions:
        with qtbot.waitSignal(worker.finished_batch, timeout=10_000) as ended:
            worker.start()
        worker.wait()  # the bug reaches sys.excepthook on the worker's thread, after the last signal
    assert ended.args == [[1], ["El contrato FE-2 no tiene máquinas."]]  # what was done before the bug
    assert [type(e[1]) for e in exceptions] == [TypeError]  # the bug itself still reaches the crash report
