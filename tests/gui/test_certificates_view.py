"""R15 through the window: a contract's certificate issued, previewed (QtPdf), printed to a file,
revoked; and a printed certificate verified from the scan dialog."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.devices.camera import FrameListSource
from desktop_app.devices.qr_decoder import default_chain
from desktop_app.devices.scanning import Scanner
from desktop_app.domain.certificate import Verdict
from desktop_app.signing import generate_keys
from desktop_app.ui.main_window import MainWindow, Page
from tests.gui.conftest import save_screenshot


def _select_active_contract(window: MainWindow, services: Services) -> str:
    view = window.contract_view
    window.show_page(Page.CONTRACTS)
    for row in range(view.model.rowCount()):
        contract = view.model.contract_at(row)
        if services.contracts.state_of(contract).in_force and contract.machines:
            view.table.selectRow(row)
            return contract.invoice_number
    raise AssertionError("the demo has active contracts with machines")


def test_r15_a_certificate_is_issued_previewed_printed_and_revoked(
    window: MainWindow, demo_services: Services, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_keys(demo_services.settings.keys_dir)
    invoice = _select_active_contract(window, demo_services)
    view = window.contract_view
    assert view.certificate_panel.issue_button.isVisible()
    with qtbot.waitSignal(view.message, timeout=10_000) as said:
        qtbot.mouseClick(view.certificate_panel.issue_button, Qt.MouseButton.LeftButton)
    assert "CERT-" in said.args[0]
    preview = view.certificate_panel.last_preview
    qtbot.waitUntil(lambda: preview.document.pageCount() == 1)
    page = preview.document.render(0, QSize(612, 792))  # Letter, the office's paper
    assert page.pixelColor(300, 12).name() == "#e8711a"  # the letterhead band: the page really renders
    letter = preview.document.pagePointSize(0)
    preview.paper.setCurrentIndex(preview.paper.findData("a4"))
    qtbot.waitUntil(lambda: preview.document.pagePointSize(0) != letter)
    assert round(preview.document.pagePointSize(0).height()) == 842  # A4 on request
    qtbot.wait(600)  # QPdfView paints its pages from a worker thread
    save_screenshot(preview, "certificate_preview_es_CO")
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed = tmp_path / "impreso.pdf"
    printer.setOutputFileName(str(printed))
    preview.print_to(printer)
    assert printed.stat().st_size > 10_000
    [code] = default_chain().decode_file(printed)  # the printed page's QR still verifies
    assert demo_services.certificates.verify(code).verdict is Verdict.VALID
    preview.reject()
    assert view.certificate_panel.certificates.topLevelItemCount() == 1
    number = view.certificate_panel.certificates.topLevelItem(0).text(0)
    view.certificate_panel.certificates.setCurrentItem(view.certificate_panel.certificates.topLevelItem(0))
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("Factura anulada", True))
    with qtbot.waitSignal(view.message, timeout=10_000):
        qtbot.mouseClick(view.certificate_panel.revoke_button, Qt.MouseButton.LeftButton)
    assert view.certificate_panel.certificates.topLevelItem(0).text(2) == "Revocado"
    assert demo_services.certificates.verify(code).verdict is Verdict.REVOKED
    assert invoice and number.startswith("CERT-")


def test_r15_the_scan_dialog_verifies_a_certificate(
    window: MainWindow, demo_services: Services, qtbot: QtBot, tmp_path: Path
) -> None:
    generate_keys(demo_services.settings.keys_dir)
    contract = next(
        c
        for c in demo_services.contracts.list_contracts()
        if demo_services.contracts.state_of(c).in_force and c.machines
    )
    issued = demo_services.certificates.issue(contract.id, actor=window._actor)
    pdf = tmp_path / "certificado.pdf"
    pdf.write_bytes(issued.pdf)
    window._scanner = Scanner(default_chain(), lambda: [], lambda _index: FrameListSource([]))
    dialog = window.scan_label()
    qtbot.waitUntil(lambda: not dialog.camera.isEnabled())
    dialog.scan_file(pdf)
    assert dialog.last_verification is not None and dialog.last_verification.verdict is Verdict.VALID
    assert dialog.verdict.isVisible() and "Certificado válido" in dialog.verdict.text()
    assert contract.invoice_number in dialog.verdict.text()
    assert "activo en esta base de datos" in dialog.verdict.text()
    save_screenshot(dialog, "certificate_verified_es_CO")
    words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert contract.invoice_number in words


def test_scenario_7_a_new_plan_is_recorded_and_certified(
    window: MainWindow, demo_services: Services, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Carolina records a Premium contract for a Barranquilla school (invoice FE-10234, three
    printers), then issues its certificate (SCENARIOS.md, 7)."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from PySide6.QtWidgets import QDialog, QMessageBox

    from desktop_app.ui.views.contract_dialog import ContractDialog

    generate_keys(demo_services.settings.keys_dir)
    window.show_page(Page.CONTRACTS)
    view = window.contract_view
    school = "Colegio Alemán de Barranquilla"
    questions: list[str] = []

    def fill(dialog: ContractDialog) -> int:
        dialog.customer.setCurrentIndex(dialog.customer.findText(f"{school} (Barranquilla)"))
        dialog.plan.setCurrentIndex(dialog.plan.findText("Premium"))
        dialog.invoice.setText("FE-10234")
        dialog.valid_from.setDate(date(2026, 12, 1))
        dialog.valid_to.setDate(date(2027, 11, 30))
        dialog.price.setValue(4_800_000)
        assert "$ 912.000" in dialog.totals.text() and "$ 5.712.000" in dialog.totals.text()  # IVA 19 %
        for row in range(dialog.machines.count()):
            dialog.machines.item(row).setCheckState(Qt.CheckState.Checked)
        assert dialog.machines.count() == 3
        save_screenshot(dialog, "contract_dialog_es_CO")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.saved is not None or not dialog.error.isHidden(), timeout=10_000)
        return QDialog.DialogCode.Accepted if dialog.saved else QDialog.DialogCode.Rejected

    def overlap(_parent, _title, text, *_args):  # type: ignore[no-untyped-def]
        questions.append(text)
        return QMessageBox.StandardButton.Yes  # the school upgrades its current plan

    monkeypatch.setattr(ContractDialog, "exec", fill)
    monkeypatch.setattr(QMessageBox, "question", overlap)
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    assert view.contract is not None and view.contract.invoice_number == "FE-10234"
    assert [m.serial for m in view.contract.machines] and view.contract.plan_name == "Premium"
    assert questions and "ya cubre" in questions[0]
    save_screenshot(window, "contract_detail_es_CO")
    with qtbot.waitSignal(view.message, timeout=10_000):
        qtbot.mouseClick(view.certificate_panel.issue_button, Qt.MouseButton.LeftButton)
    preview = view.certificate_panel.last_preview
    qtbot.waitUntil(lambda: preview.document.pageCount() == 1)
    shown = tmp_path / "mostrado.pdf"
    shown.write_bytes(preview._pdf)  # the very bytes on screen
    [code] = default_chain().decode_file(shown)
    assert demo_services.certificates.verify(code).verdict is Verdict.NOT_YET_VALID  # it starts 1 Dec
    demo_services.tickets._clock.set(datetime(2027, 3, 1, 10, 0, tzinfo=ZoneInfo("America/Bogota")))
    result = demo_services.certificates.verify(code)  # months later, at the school
    assert result.verdict is Verdict.VALID and result.data is not None and result.data.plan_name == "Premium"
    assert result.message.startswith("Certificado válido · Premium · vigente")
    assert result.data.invoice_number == "FE-10234" and len(result.data.machines) == 3
    preview.reject()


def test_r15_certificates_in_batch_show_progress_and_can_be_cancelled(
    window: MainWindow, demo_services: Services, qtbot: QtBot, tmp_path: Path
) -> None:
    generate_keys(demo_services.settings.keys_dir)
    window.show_page(Page.CONTRACTS)
    view = window.contract_view
    listed = [view.model.contract_at(r) for r in range(view.model.rowCount())]
    in_force = [c for c in listed if demo_services.contracts.state_of(c).in_force and c.machines]
    assert [c for c in listed if not demo_services.certificates.refusal(c)] == in_force  # the demo has no upcoming
    seen: list[int] = []
    first = tmp_path / "todos"
    first.mkdir()
    worker = view.issue_batch(first)
    assert worker is not None
    worker.progress.connect(lambda done, _total, _said: seen.append(done))
    with qtbot.waitSignal(view.message, timeout=60_000) as said:
        pass
    assert len(list(first.glob("CERT-*.pdf"))) == len(in_force) and seen and seen[-1] == len(in_force)
    assert f"{len(in_force)} certificados expedidos" in said.args[0]

    second = tmp_path / "cancelados"
    second.mkdir()
    worker = view.issue_batch(second)
    assert worker is not None
    # Cancel pressed right after the first certificate (directly on the worker's thread, so the
    # test does not depend on how fast the window handles its events).
    worker.progress.connect(lambda *_args: worker.cancel(), Qt.ConnectionType.DirectConnection)
    with qtbot.waitSignal(view.message, timeout=60_000) as said:
        pass
    issued = len(list(second.glob("CERT-*.pdf")))
    assert issued == 1 and "1 certificado expedido · cancelado" in said.args[0]


def test_r6_whoever_records_contracts_sees_what_each_plan_includes(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.ui.views.plans_dialog import PlansDialog

    shown: list[PlansDialog] = []
    monkeypatch.setattr(PlansDialog, "exec", lambda dialog: shown.append(dialog) or 0)
    window.show_page(Page.CONTRACTS)
    qtbot.mouseClick(window.contract_view.plans_button, Qt.MouseButton.LeftButton)
    [dialog] = shown
    rows = [[dialog.table.topLevelItem(r).text(c) for c in range(8)] for r in range(dialog.table.topLevelItemCount())]
    assert rows[0][:5] == ["Premium", "1", "Sí", "20", "4"]
    assert rows[0][5:] == ["$ 9.800.000", "$ 11.662.000", "$ 150.000"]  # IVA 19 % added
    save_screenshot(dialog, "plans_es_CO")


def test_R15_double_clicking_a_revoked_certificate_refuses_the_reprint_with_the_reason(
    window: MainWindow, demo_services: Services, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_keys(demo_services.settings.keys_dir)
    _select_active_contract(window, demo_services)
    panel = window.contract_view.certificate_panel
    with qtbot.waitSignal(window.contract_view.message, timeout=10_000):
        qtbot.mouseClick(panel.issue_button, Qt.MouseButton.LeftButton)
    first = panel.last_preview
    first.reject()
    viewport = panel.certificates.viewport()
    where = panel.certificates.visualItemRect(panel.certificates.topLevelItem(0)).center()
    # QTest sends only the double-click event, which item views ignore without the click before it.
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=where)
    reprinted = panel.last_preview
    assert reprinted is not first
    qtbot.waitUntil(lambda: reprinted.document.pageCount() == 1)  # while in force: the same page again
    reprinted.reject()
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("Factura anulada", True))
    with qtbot.waitSignal(window.contract_view.message, timeout=10_000):
        qtbot.mouseClick(panel.revoke_button, Qt.MouseButton.LeftButton)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *_a: warned.append(text))
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=where)
    assert len(warned) == 1 and "fue revocado" in warned[0] and "Factura anulada" in warned[0]
    assert panel.last_preview is reprinted  # no new copy of a revoked certificate
