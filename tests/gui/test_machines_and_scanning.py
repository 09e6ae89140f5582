"""Issue 6 through the real widgets: the webcam (a synthetic video as the camera) reads a label and
lands on the machine's page, from where a new ticket starts pre-filled; foreign codes, a missing
or busy camera and photos; registering and correcting a machine."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import cv2
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.devices.camera import CameraError, CameraInfo, FrameListSource, VideoFileSource, write_video
from desktop_app.devices.qr_decoder import default_chain
from desktop_app.devices.scanning import Scanner
from desktop_app.domain.qr import label_payload
from desktop_app.ui.main_window import MainWindow, Page
from desktop_app.ui.views.machine_dialog import MachineDialog
from desktop_app.ui.views.machine_view import MachineView
from tests.gui.conftest import save_screenshot
from tests.qr_frames import Degradation, webcam_frame

SERIAL = "MK-R2-230055"  # Gimnasio Moderno, Bogotá
ONE_CAMERA = [CameraInfo(0, "Camera 1")]


def _frames(text: str | None, count: int, seed: int) -> list:  # type: ignore[type-arg]
    return [
        webcam_frame(seed + n, text, Degradation(4, rotation=15 * n, perspective=0.05, blur=0.5, noise=5, contrast=0.7))
        for n in range(count)
    ]


def test_a_label_seen_by_the_webcam_opens_its_machine_and_a_new_ticket_starts_from_it(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    video = write_video(tmp_path / "camara.avi", _frames(None, 4, 10) + _frames(label_payload(SERIAL), 8, 20))
    window._scanner = Scanner(default_chain(), lambda: ONE_CAMERA, lambda _index: VideoFileSource(video, loop=True))
    dialog = window.scan_label()
    with qtbot.waitSignal(dialog.machine_found, timeout=20_000) as found:
        pass
    assert window.pages.currentIndex() == Page.MACHINES
    page = window.machine_view.page
    assert page is not None and page.detail.serial == SERIAL and found.args == [int(page.detail.id)]
    assert "Gimnasio Moderno" in window.machine_view.subtitle.text()
    assert window.machine_view.coverage.property("state") == "ok"
    assert dialog.preview.pixmap() is not None and not dialog.preview.pixmap().isNull()  # frames were shown
    save_screenshot(window, "machine_page_es_CO")
    intake = window.new_ticket()  # Ctrl+N on a machine's page starts from that machine
    assert intake is not None and intake._lookup is not None and intake._lookup.machine.serial == SERIAL
    intake.reject()


def test_a_foreign_code_is_named_and_scanning_goes_on(window: MainWindow, qtbot: QtBot) -> None:
    opened: list[int] = []
    foreign, label = _frames("https://example.com/wifi", 6, 30), _frames(label_payload(SERIAL), 6, 40)

    def camera(_index: int) -> FrameListSource:
        opened.append(1)
        return FrameListSource(foreign if len(opened) == 1 else label, fps=30)

    window._scanner = Scanner(default_chain(), lambda: ONE_CAMERA, camera)
    dialog = window.scan_label()
    qtbot.waitUntil(lambda: "no es una etiqueta" in dialog.status.text(), timeout=15_000)
    assert "example.com" in dialog.status.text()
    assert [b.text() for b in dialog.findChildren(QPushButton) if b.text() == "Cerrar"]  # Qt's own, in Spanish
    save_screenshot(dialog, "scan_foreign_es_CO")
    with qtbot.waitSignal(dialog.machine_found, timeout=15_000):
        pass
    assert len(opened) == 2 and window.machine_view.page.detail.serial == SERIAL


def test_without_a_camera_a_photo_of_the_label_is_scanned(window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    window._scanner = Scanner(default_chain(), lambda: [], lambda _index: FrameListSource([]))
    dialog = window.scan_label()
    qtbot.waitUntil(lambda: not dialog.camera.isEnabled())
    assert "No se encontró ninguna cámara" in dialog.preview.text()
    save_screenshot(dialog, "scan_no_camera_es_CO")
    blank = tmp_path / "pared.png"
    cv2.imwrite(str(blank), webcam_frame(1, None, Degradation(4)))
    dialog.scan_file(blank)
    assert "No se encontró ningún código QR" in dialog.status.text() and dialog.isVisible()
    photo = tmp_path / "etiqueta.jpg"
    cv2.imwrite(str(photo), _frames(label_payload(SERIAL), 1, 50)[0])
    with qtbot.waitSignal(dialog.machine_found, timeout=5_000):
        dialog.scan_file(photo)
    assert window.machine_view.page.detail.serial == SERIAL


def test_a_busy_camera_says_so_and_offers_the_photo_instead(window: MainWindow, qtbot: QtBot) -> None:
    class BusyCamera(FrameListSource):
        def open(self) -> None:
            raise CameraError("camera 0 cannot be opened (missing, or in use by another program)")

    window._scanner = Scanner(default_chain(), lambda: ONE_CAMERA, lambda _index: BusyCamera([]))
    dialog = window.scan_label()
    qtbot.waitUntil(lambda: "otro programa" in dialog.status.text(), timeout=5_000)
    assert dialog.from_file.isEnabled()
    dialog.reject()


def test_machines_are_registered_and_corrected_in_the_registry(
    window: MainWindow, demo_services: Services, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.show_page(Page.MACHINES)
    view = window.machine_view
    view.search.setText("gimnasio")
    view.reload()
    assert view.model.rowCount() >= 2 and all(m.customer_name == "Gimnasio Moderno" for m in view.model.rows)
    typed: list[str] = []

    def fill(dialog: MachineDialog) -> int:
        dialog.serial.setText(typed.pop(0))
        dialog.customer.setCurrentIndex(dialog.customer.findText("Gimnasio Moderno (Bogotá)"))
        dialog.purchased.setDate(date(2026, 3, 2))
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.saved is not None or not dialog.error.isHidden(), timeout=10_000)
        if dialog.saved is None:
            typed.append(dialog.error.text())
            return QDialog.DialogCode.Rejected
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(MachineDialog, "exec", fill)
    typed.append("mk-m3-261234")
    view.register_machine()
    assert view.page is not None and view.page.detail.serial == "MK-M3-261234"
    assert view.page.detail.customer_name == "Gimnasio Moderno"
    typed.append(SERIAL)  # a serial already registered: refused in the dialog, nothing saved
    view.register_machine()
    assert "ya está registrado" in typed[-1]
    save_screenshot(view, "machines_es_CO")
    assert demo_services.machines.search("MK-M3-261234")[0].customer_name == "Gimnasio Moderno"
    assert isinstance(view, MachineView)


def test_a_customer_typed_that_matches_no_one_is_named_not_guessed(
    window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    dialog = MachineDialog(demo_services.machines, window._tasks, window._actor, date(2026, 11, 26))
    qtbot.addWidget(dialog)
    dialog.serial.setText("MK-M3-269999")
    dialog.customer.setCurrentIndex(1)
    dialog.customer.setEditText("Cliente que no existe")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.error.isHidden(), timeout=10_000)
    assert "Elija el cliente" in dialog.error.text() and dialog.saved is None
    assert dialog.serial.text() == "MK-M3-269999"  # nothing typed is lost
    assert demo_services.machines.search("MK-M3-269999") == []
