"""Day one at a real office (issue 13, "Done when"), through the real widgets on an empty database
file: the first administrator is created, the first-run guide takes the company data, the signing
key and the customers file (one row refused and shown), comes back at the step reached after being
closed, and is finished; the machines file is imported from File → Importar (one row refused), a
machine registered, a ticket taken for it, a contract recorded and its certificate issued with the
company's NIT printed on it."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QFileDialog
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.domain.model import Severity
from desktop_app.ui import theme
from desktop_app.ui.main_window import MainWindow, Page
from desktop_app.ui.views.contract_dialog import ContractDialog
from desktop_app.ui.views.customer_dialogs import TrainingDialog
from desktop_app.ui.views.first_run_guide import FirstRunGuide, GuideProgress, offer_guide
from desktop_app.ui.views.import_dialog import ImportDialog
from desktop_app.ui.views.machine_dialog import MachineDialog
from desktop_app.ui.views.sign_in_dialog import FirstAdminDialog
from tests.gui.conftest import _QT_TRANSLATORS, save_screenshot

COMPANY_NIT = "900123456-8"
CUSTOMER = "Colegio Los Andes"  # Pereira
OTHER_CUSTOMER = "Laboratorio Nuevo S.A.S."  # Cali
REGISTERED_SERIAL = "MK-M3-260003"
DESCRIPTION = "La boquilla se tapa a los diez minutos de cada impresión con PLA."


def _click(qtbot: QtBot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _import(qtbot: QtBot, dialog: ImportDialog) -> None:
    """Choose the file (the file dialog is answered by the test), check it, import the valid rows."""
    _click(qtbot, dialog.choose_button)
    qtbot.waitUntil(lambda: dialog.columns_table.rowCount() > 0 and dialog.check_button.isEnabled(), timeout=20_000)
    _click(qtbot, dialog.check_button)
    qtbot.waitUntil(lambda: dialog.check_button.isEnabled(), timeout=30_000)
    assert dialog.valid_only.isChecked()
    _click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.check_button.isEnabled(), timeout=30_000)


def _problems(dialog: ImportDialog) -> list[tuple[str, str]]:
    table = dialog.problems_table
    return [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]


def _main_window(qtbot: QtBot, services: Services, settings: QSettings, actor) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(services.desk, settings, actor)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_day_one_on_an_empty_database(
    qtbot: QtBot,
    qapp: QApplication,
    empty_services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services = empty_services
    theme.apply_theme(qapp)
    if not _QT_TRANSLATORS:  # Qt's own buttons (Cerrar) in Spanish, as the app shows them
        _QT_TRANSLATORS.append(theme.install_qt_translator(qapp, "es_CO"))
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)

    # The first administrator, as app.py asks on a new installation.
    assert services.users.needs_first_admin()
    first_admin = FirstAdminDialog(services.users)
    qtbot.addWidget(first_admin)
    first_admin.show()
    qtbot.keyClicks(first_admin.username, "carolina")
    first_admin.full_name.setText("Carolina Gómez")  # QTest types ASCII only
    qtbot.keyClicks(first_admin.email, "carolina@somosmaker.com")
    qtbot.keyClicks(first_admin.password, "una-clave-larga")
    qtbot.keyClicks(first_admin.repeat, "una-clave-larga")
    first_admin.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert first_admin.result() == QDialog.DialogCode.Accepted
    actor = first_admin.actor
    assert actor is not None

    window = _main_window(qtbot, services, settings, actor)
    guide = offer_guide(window.menus, services.desk, actor, settings, first_admin_created=True)
    assert isinstance(guide, FirstRunGuide)
    qtbot.waitExposed(guide)
    assert guide.windowTitle() == "Guía de inicio"
    assert guide.heading.text() == "Paso 1 de 4: Datos de la empresa"
    assert [guide.steps.item(r).text().split("\n")[1] for r in range(4)] == ["pendiente"] * 4

    # Step 1: the company data, in the guide (the same form as Settings → Datos de la empresa).
    company = guide.company_view
    company.fields["legal_name"].setText("3D makeR Technologies SAS")
    company.fields["tax_id"].clear()
    qtbot.keyClicks(company.fields["tax_id"], "900.123.456-8")
    company.fields["address"].setText("Calle 77 # 65-37, Barranquilla")
    company.fields["support_email"].setText("soporte@somosmaker.com")
    _click(qtbot, company.save_button)
    qtbot.waitUntil(lambda: company.state.text().startswith("Guardado por"), timeout=10_000)
    assert services.company.profile().tax_id == COMPANY_NIT
    assert guide.step_state.text() == "Hecho: los datos de la empresa están guardados."
    assert guide.steps.item(0).text().endswith("hecho")
    guide.resize(1040, 660)
    save_screenshot(guide, "first_run_guide_company_es_CO")

    # Step 2: the signing key, made here; its fingerprint shown.
    _click(qtbot, guide.next_button)
    assert guide.heading.text() == "Paso 2 de 4: Llave de firma"
    assert guide.fingerprint.text() == "—"
    _click(qtbot, guide.create_key_button)
    qtbot.waitUntil(lambda: guide.fingerprint.text() != "—", timeout=10_000)
    assert guide.fingerprint.text() == services.company.signing_key().fingerprint
    assert not guide.create_key_button.isVisible()  # made once, never replaced
    assert guide.step_state.text() == "Hecho: esta instalación puede firmar certificados."
    save_screenshot(guide, "first_run_guide_key_es_CO")

    # Step 3: the customers file through the import dialog; one row refused and listed.
    _click(qtbot, guide.next_button)
    assert guide.customers_count.text() == "0 clientes hasta ahora."
    customers_file = tmp_path / "clientes.csv"
    customers_file.write_text(
        "Razón social;NIT;Ciudad;Correo\n"
        f"{CUSTOMER};800200300-5;Pereira;compras@losandes.edu.co\n"
        "NIT con dígito malo;901234567-1;Cali;\n"
        f"{OTHER_CUSTOMER};901234567-7;Cali;compras@nuevo.co\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(customers_file), ""))
    _click(qtbot, guide.import_button)
    importing = guide.findChild(ImportDialog)
    assert importing is not None and importing.isVisible()
    _import(qtbot, importing)
    assert _problems(importing) == [("3", "NIT")]
    assert "debe ser 7, no 1" in importing.problems_table.item(0, 2).text()
    assert importing.summary.text() == "2 registros creados, 0 actualizados; 1 fila rechazada."
    importing.close()
    qtbot.waitUntil(lambda: guide.customers_count.text() == "2 clientes hasta ahora.")
    assert guide.steps.item(2).text().endswith("hecho")
    save_screenshot(guide, "first_run_guide_customers_es_CO")

    # Closed half-way ("Seguir después"): it comes back at step 3 the next time, until finished.
    _click(qtbot, guide.later_button)
    assert not guide.isVisible()
    assert GuideProgress(settings, services.desk.database_label).value() == "step:2"
    again = offer_guide(window.menus, services.desk, actor, settings, first_admin_created=False)
    assert again is not None
    qtbot.waitExposed(again)
    assert again.heading.text() == "Paso 3 de 4: Primeros clientes"
    _click(qtbot, again.next_button)
    assert again.users_count.text() == "1 persona puede entrar hasta ahora."
    assert again.step_state.text() == "Pendiente: al menos una persona más aparte de usted."
    _click(qtbot, again.finish_button)
    assert not again.isVisible()
    assert offer_guide(window.menus, services.desk, actor, settings, first_admin_created=True) is None
    assert window.menus.guide_action is not None and window.menus.guide_action.text() == "&Guía de inicio"

    # A model in the catalogue (Settings), so machines can name it.
    window.show_page(Page.SETTINGS)
    catalogue = window.settings_view.catalogue_view
    window.settings_view.show_catalogue()
    _click(qtbot, catalogue.new_button)
    model_dialog = catalogue.dialog
    assert model_dialog is not None
    model_dialog.code.setText("M3")
    model_dialog.name.setText("makeR M3")
    with qtbot.waitSignal(catalogue.model_saved, timeout=10_000):
        _click(qtbot, model_dialog.save_button)

    # The machines file from File → Importar; a machine of an unknown customer is refused.
    book = openpyxl.Workbook()
    for row in (
        ("Serie", "Modelo", "NIT", "Fecha de compra"),
        ("MK-M3-260001", "makeR M3", "800200300-5", "2026-02-10"),
        ("MK-M3-260002", "makeR M3", "830111222-6", "2026-02-10"),
        ("MK-M3-260004", "makeR M3", "901234567-7", "15/03/2026"),
    ):
        book.active.append(list(row))
    machines_file = tmp_path / "maquinas.xlsx"
    book.save(machines_file)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(machines_file), ""))
    assert window.menus.import_action is not None
    window.menus.import_action.trigger()
    importing = window.findChild(ImportDialog)
    assert importing is not None
    importing.kind_combo.setCurrentIndex(importing.kind_combo.findText("Máquinas"))
    _import(qtbot, importing)
    assert _problems(importing) == [("3", "NIT")]
    assert importing.summary.text() == "2 registros creados, 0 actualizados; 1 fila rechazada."
    importing.resize(1366, 700)
    save_screenshot(importing, "day_one_import_machines_es_CO")
    importing.close()
    assert {m.serial for m in services.machines.search("MK-M3")} == {"MK-M3-260001", "MK-M3-260004"}

    # A machine registered by hand (Máquinas → Nueva máquina).
    def fill_machine(dialog: MachineDialog) -> int:
        dialog.serial.setText(REGISTERED_SERIAL)
        dialog.customer.setCurrentIndex(dialog.customer.findText(f"{CUSTOMER} (Pereira)"))
        assert dialog.model.currentText().startswith("makeR M3")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # exec() replaced: never shown
        qtbot.waitUntil(lambda: dialog.saved is not None or not dialog.error.isHidden(), timeout=10_000)
        assert dialog.saved is not None, dialog.error.text()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(MachineDialog, "exec", fill_machine)
    window.show_page(Page.MACHINES)
    _click(qtbot, window.machine_view.new_button)
    assert window.machine_view.page is not None and window.machine_view.page.detail.serial == REGISTERED_SERIAL

    # Free support needs the customer paid up and trained (R3): both set on the customers page.
    window.show_page(Page.CUSTOMERS)
    customers = window.customers_view
    customers.reload()
    row = customers.model.row_of(int(services.customers.search(CUSTOMER).rows[0].id))
    assert row is not None
    rect = customers.table.visualRect(customers.model.index(row, 0))
    qtbot.mouseClick(customers.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: customers.page is not None and customers.page.view.customer.name == CUSTOMER)
    _click(qtbot, customers.paid_up_button)
    qtbot.waitUntil(lambda: customers.page is not None and customers.page.view.customer.paid_up, timeout=10_000)

    def fill_training(dialog: TrainingDialog) -> int:
        dialog.topic.setText("Manejo de la M3 y cambio de boquilla")
        dialog.trainer.setText("Carolina Gomez")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # exec() replaced: never shown
        qtbot.waitUntil(lambda: dialog.saved is not None or not dialog.error.isHidden(), timeout=10_000)
        assert dialog.saved is not None, dialog.error.text()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(TrainingDialog, "exec", fill_training)
    customers.tabs.setCurrentIndex(customers.tabs.indexOf(customers.add_training_button.parentWidget()))
    _click(qtbot, customers.add_training_button)
    qtbot.waitUntil(lambda: customers.trainings.topLevelItemCount() == 1, timeout=10_000)
    save_screenshot(window, "day_one_customers_es_CO")

    # A ticket taken for it (Archivo → Nuevo ticket).
    intake = window.new_ticket()
    assert intake is not None
    qtbot.waitExposed(intake)
    intake.search.setText(REGISTERED_SERIAL.lower())
    qtbot.waitUntil(lambda: intake.results.count() == 1, timeout=10_000)
    item = intake.results.item(0)
    qtbot.mouseClick(
        intake.results.viewport(), Qt.MouseButton.LeftButton, pos=intake.results.visualItemRect(item).center()
    )
    qtbot.waitUntil(lambda: intake._lookup is not None and intake._lookup.machine.serial == REGISTERED_SERIAL)
    assert CUSTOMER in intake.machine_line.text()
    intake.description.setPlainText(DESCRIPTION)
    intake.severity.setCurrentIndex(intake.severity.findData(Severity.HIGH.value))
    with qtbot.waitSignal(intake.ticket_created, timeout=10_000) as created:
        _click(qtbot, intake.create_button)
    ticket_id = created.args[0].id
    qtbot.waitUntil(lambda: window.ticket_view.detail is not None and window.ticket_view.detail.id == ticket_id)
    assert window.ticket_view.detail.machine_serial == REGISTERED_SERIAL

    # A contract for the customer's machine (Contratos → Nuevo contrato), then its certificate.
    def fill_contract(dialog: ContractDialog) -> int:
        dialog.customer.setCurrentIndex(dialog.customer.findText(f"{CUSTOMER} (Pereira)"))
        dialog.plan.setCurrentIndex(dialog.plan.findText("Básico"))
        dialog.invoice.setText("FE-0001")
        dialog.valid_from.setDate(date(2026, 11, 1))
        dialog.valid_to.setDate(date(2027, 10, 31))
        dialog.price.setValue(1_200_000)
        for row in range(dialog.machines.count()):
            dialog.machines.item(row).setCheckState(Qt.CheckState.Checked)
        assert dialog.machines.count() == 2  # the imported one and the registered one
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # exec() replaced: never shown
        qtbot.waitUntil(lambda: dialog.saved is not None or not dialog.error.isHidden(), timeout=10_000)
        assert dialog.saved is not None, dialog.error.text()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ContractDialog, "exec", fill_contract)
    window.show_page(Page.CONTRACTS)
    view = window.contract_view
    _click(qtbot, view.new_button)
    assert view.contract is not None and view.contract.invoice_number == "FE-0001"
    with qtbot.waitSignal(view.message, timeout=10_000) as said:
        _click(qtbot, view.certificate_panel.issue_button)
    assert "CERT-" in said.args[0]
    preview = view.certificate_panel.last_preview
    qtbot.waitUntil(lambda: preview.document.pageCount() == 1)
    pdf = tmp_path / "certificado.pdf"
    pdf.write_bytes(preview._pdf)  # the very bytes on screen
    words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert f"NIT {COMPANY_NIT}" in words
    assert "3D makeR Technologies SAS" in words and CUSTOMER in words
    preview.reject()
    window.close()
