"""Scenario 6 of SCENARIOS.md through the real window: Diego, technician in Bogotá, scans a printer's
label at the customer's workshop, lands on the machine page, opens its ticket and records a
maintenance visit; the visit counts against the plan and its travel expenses become a billing line."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.devices.camera import CameraInfo, VideoFileSource, write_video
from desktop_app.devices.qr_decoder import default_chain
from desktop_app.devices.scanning import Scanner
from desktop_app.domain.billing import LineKind
from desktop_app.domain.qr import label_payload
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.ui import theme
from desktop_app.ui.main_window import MainWindow, Page
from desktop_app.ui.views.scan_dialog import ScanDialog
from desktop_app.ui.views.visit_dialog import VisitDialog
from tests.gui.conftest import save_screenshot
from tests.qr_frames import Degradation, webcam_frame

SERIAL = "MK-XL-230064"  # Colegio Nueva Granada, Bogotá: Premium with on-site support, one open ticket


def test_scenario_6_on_site_at_the_customer(
    qtbot: QtBot, qapp: QApplication, demo_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theme.apply_theme(qapp)
    diego = demo_services.users.sign_in("diego.martinez", DEMO_PASSWORD)
    assert diego.city == "Bogotá"
    window = MainWindow(demo_services.desk, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat), diego)
    qtbot.addWidget(window)
    window.resize(1366, 768)  # his laptop
    window.show()
    qtbot.waitExposed(window)
    frames = [webcam_frame(n, label_payload(SERIAL), Degradation(3.5, rotation=8 * n, blur=0.7, noise=6))
              for n in range(6)]  # fmt: skip
    video = write_video(tmp_path / "webcam.avi", frames)
    window._scanner = Scanner(
        default_chain(), lambda: [CameraInfo(0, "Camera 1")], lambda _i: VideoFileSource(video, loop=True)
    )

    # The scan button on the machines page; the machine page opens.
    window.show_page(Page.MACHINES)
    qtbot.mouseClick(window.machine_view.scan_button, Qt.MouseButton.LeftButton)
    [dialog] = window.findChildren(ScanDialog)
    with qtbot.waitSignal(dialog.machine_found, timeout=20_000):
        pass
    page = window.machine_view.page
    assert page is not None and page.detail.serial == SERIAL
    assert page.detail.customer_name == "Colegio Nueva Granada" and "Premium" in window.machine_view.coverage.text()
    assert window.machine_view.tickets.topLevelItemCount() >= 1
    maintenances_before = demo_services.billing.contract_statement(page.contracts[0].id).balance.maintenances_used

    # The open ticket, from the machine page.
    open_ticket = next(
        window.machine_view.tickets.topLevelItem(i)
        for i in range(window.machine_view.tickets.topLevelItemCount())
        if window.machine_view.tickets.topLevelItem(i).text(1) == "Nuevo"
    )
    window.machine_view.tickets.itemActivated.emit(open_ticket, 0)
    assert window.pages.currentIndex() == Page.TICKET
    assert window.ticket_view.detail.machine_serial == SERIAL

    # A maintenance visit: 3 h 30 min, a replaced nozzle, $ 180.000 of travel expenses.
    def record(dialog: VisitDialog) -> int:
        assert dialog.technician.currentText().startswith("Diego Martínez") and not dialog.technician.isEnabled()
        assert dialog.city.currentText() == "Bogotá"
        dialog.started.setDateTime(dialog.ended.dateTime().addSecs(-int(4.5 * 3600)))
        assert "se marcará" in dialog.length.text()  # 4 h 30 min would be flagged
        dialog.started.setDateTime(dialog.ended.dateTime().addSecs(-int(3.5 * 3600)))
        dialog.work_done.setPlainText("Mantenimiento preventivo: limpieza, calibración y cambio de boquilla.")
        dialog.parts.setText("Boquilla 0,4 mm")
        dialog.expenses.setValue(180_000)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.saved is not None or not dialog.error.isHidden(), timeout=10_000)
        assert dialog.error.isHidden(), dialog.error.text()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(VisitDialog, "exec", record)
    with qtbot.waitSignal(window.actions.ticket_changed, timeout=10_000):
        window.actions.visit.trigger()
    assert "Boquilla 0,4 mm" in window.ticket_view.visits.text() and "$ 180.000" in window.ticket_view.visits.text()
    save_screenshot(window, "scenario_6_visit_es_CO")

    # It counts against the plan; the travel expenses are a billing line before IVA.
    statement = demo_services.billing.contract_statement(page.contracts[0].id)
    assert statement.balance.maintenances_used == maintenances_before + 1
    travel = [line for line in statement.lines if line.kind is LineKind.TRAVEL and line.amount == 180_000]
    assert travel and SERIAL in travel[-1].reference
    window.close()
