"""Settings → product catalogue and company data, pressed as a person would: a model's end of life
set in the catalogue shows on the machines page (R5); the company's NIT with a wrong check digit is
refused with the right digit named, and saved once fixed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.signing import generate_keys
from desktop_app.ui import theme
from desktop_app.ui.main_window import MainWindow, Page
from desktop_app.ui.views.catalogue_view import CatalogueColumn
from desktop_app.ui.views.machine_view import MachineColumn
from tests.gui.conftest import save_screenshot


def _click(qtbot: QtBot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _click_row(qtbot: QtBot, table, row: int) -> None:  # type: ignore[no-untyped-def]
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_R5_an_end_of_life_set_in_settings_is_marked_on_the_machines_page(
    window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    window.show_page(Page.SETTINGS)
    settings = window.settings_view
    settings.tabs.tabBar().setCurrentIndex(settings.catalogue_tab)
    catalogue = settings.catalogue_view
    assert catalogue.isVisible()
    row = catalogue.model.row_of("M3")
    assert row is not None
    _click_row(qtbot, catalogue.table, row)
    _click(qtbot, catalogue.edit_button)
    dialog = catalogue.dialog
    assert dialog is not None and dialog.isVisible() and dialog.code.text() == "M3" and dialog.code.isReadOnly()
    qtbot.mouseClick(dialog.has_end_of_life, Qt.MouseButton.LeftButton)
    dialog.end_of_life.setDate(QDate(2026, 10, 31))
    save_screenshot(dialog, "catalogue_model_dialog_es_CO")
    with qtbot.waitSignal(catalogue.model_saved, timeout=10_000):
        _click(qtbot, dialog.save_button)
    assert not dialog.isVisible()
    shown = catalogue.model.index(catalogue.model.row_of("M3"), CatalogueColumn.END_OF_LIFE).data()
    assert shown == "fin de vida desde 31 oct 2026"
    save_screenshot(window, "settings_catalogue_es_CO")
    assert next(m for m in demo_services.catalogue.models() if m.code == "M3").end_of_life == date(2026, 10, 31)

    window.show_page(Page.MACHINES)
    machines = window.machine_view
    texts = [machines.model.index(r, MachineColumn.MODEL).data() for r in range(machines.model.rowCount())]
    assert "makeR M3 · fin de vida desde 31 oct 2026" in texts
    assert all(t == "makeR Pro 2" for t in texts if t.startswith("makeR Pro 2"))  # others unmarked
    m3 = texts.index("makeR M3 · fin de vida desde 31 oct 2026")
    _click_row(qtbot, machines.table, m3)
    qtbot.waitUntil(lambda: machines.page is not None and machines.subtitle.text().startswith("makeR M3 · fin de vida"))
    assert machines.coverage.text().startswith("Sin soporte: este modelo está descontinuado desde el 31 oct 2026")
    save_screenshot(window, "machines_end_of_life_es_CO")

    covering = next(
        c for c in demo_services.contracts.list_contracts("") if any(m.model_name == "makeR M3" for m in c.machines)
    )
    window.open_contract(int(covering.id))
    covered = window.contract_view.machine_model
    models = [covered.index(r, 1).data() for r in range(covered.rowCount())]
    assert "makeR M3 · fin de vida desde 31 oct 2026" in models

    window.show_page(Page.AUDIT)  # R18: who changed the model, field by field
    audit = window.audit_view
    audit.entity.setCurrentIndex(audit.entity.findData("product_model"))
    assert audit.entity.currentText() == "Modelo de producto"
    assert [audit.table.item(0, c).text() for c in (1, 2, 3)] == [
        "Administrador del sistema",
        "Modelo de producto M3",
        "modificado",
    ]
    assert audit.table.item(0, 4).text() == "Fin de vida: ∅ → 31 oct 2026"


def test_company_data_with_a_wrong_nit_check_digit_is_refused_then_saved(
    window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    window.show_page(Page.SETTINGS)
    settings = window.settings_view
    settings.tabs.tabBar().setCurrentIndex(settings.company_tab)
    company = settings.company_view
    assert company.isVisible()
    assert "Aún sin guardar" in company.state.text()
    assert "no puede expedir certificados" in company.can_issue.text()
    nit = company.fields["tax_id"]
    nit.clear()
    qtbot.keyClicks(nit, "900.123.456-3")
    company.fields["address"].setText("Calle 77 # 65-37, Barranquilla")
    _click(qtbot, company.save_button)
    qtbot.waitUntil(lambda: company.error.isVisible(), timeout=10_000)
    assert company.error.text() == "El dígito de verificación del NIT 900.123.456-3 debe ser 8, no 3."
    assert not demo_services.company.is_saved()
    save_screenshot(window, "settings_company_wrong_nit_es_CO")

    nit.clear()
    qtbot.keyClicks(nit, "900.123.456-8")
    _click(qtbot, company.save_button)
    qtbot.waitUntil(lambda: company.state.text().startswith("Guardado por"), timeout=10_000)
    assert not company.error.isVisible()
    assert nit.text() == "900123456-8"  # the one stored form
    saved = demo_services.company.profile()
    assert (saved.tax_id, saved.address) == ("900123456-8", "Calle 77 # 65-37, Barranquilla")
    assert "Datos de la empresa guardados" in window.statusBar().currentMessage()
    save_screenshot(window, "settings_company_es_CO")


def test_the_company_tab_shows_the_signing_keys_fingerprint(
    qtbot: QtBot, qapp: QApplication, demo_services: Services, tmp_path: Path
) -> None:
    generate_keys(demo_services.settings.keys_dir)
    theme.apply_theme(qapp)
    window = MainWindow(
        demo_services.desk,
        QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat),
        demo_services.users.sign_in("admin", DEMO_PASSWORD),
    )
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.show_page(Page.SETTINGS)
    window.settings_view.tabs.tabBar().setCurrentIndex(window.settings_view.company_tab)
    company = window.settings_view.company_view
    key = demo_services.company.signing_key()
    assert "puede expedir certificados" in company.can_issue.text() and "no puede" not in company.can_issue.text()
    assert company.fingerprint.text() == key.fingerprint and len(key.fingerprint) == 79
    assert company.key_id.text() == key.key_id
    save_screenshot(window, "settings_company_key_es_CO")
    window.close()


def test_a_coordinator_keeps_the_catalogue_but_neither_the_policy_nor_the_company_data(
    qtbot: QtBot, qapp: QApplication, demo_services: Services, tmp_path: Path
) -> None:
    window = MainWindow(
        demo_services.desk,
        QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat),
        demo_services.users.sign_in("carolina.rojas", DEMO_PASSWORD),
    )
    qtbot.addWidget(window)
    window.show()
    assert not window.navigation.item(Page.SETTINGS).isHidden()
    window.show_page(Page.SETTINGS)
    settings = window.settings_view
    assert settings.policy_view is None
    assert [settings.tabs.tabText(i) for i in range(settings.tabs.count())] == [
        "Catálogo de productos",
        "Datos de la empresa",
    ]
    assert settings.catalogue_view.new_button.isVisibleTo(settings)
    company = settings.company_view
    assert company.fields["tax_id"].isReadOnly() and not company.save_button.isVisibleTo(settings)
    _click(qtbot, settings.catalogue_view.new_button)
    dialog = settings.catalogue_view.dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.code, "m3")
    qtbot.keyClicks(dialog.name, "Otra")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)  # present, not pressed
    _click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert dialog.error.text() == "Código: M3 ya es el código de otro modelo."
    dialog.reject()
    window.close()


def test_a_new_machines_warranty_follows_its_models_months_until_typed(qtbot: QtBot, demo_services: Services) -> None:
    from desktop_app.services.catalogue import ModelForm
    from desktop_app.ui.tasks import TaskRunner
    from desktop_app.ui.views.machine_dialog import MachineDialog

    admin = demo_services.users.sign_in("admin", DEMO_PASSWORD)
    r1 = next(m for m in demo_services.catalogue.models() if m.code == "R1")
    demo_services.catalogue.save(
        ModelForm(r1.code, r1.name, r1.technology, 18, None, None, "", r1.version), actor=admin
    )
    tasks = TaskRunner()
    dialog = MachineDialog(demo_services.machines, tasks, admin, date(2026, 11, 26))
    qtbot.addWidget(dialog)
    dialog.model.setCurrentIndex(dialog.model.findData("R1"))
    dialog.purchased.setDate(QDate(2026, 3, 15))
    assert dialog.warranty.date().toPython() == date(2027, 9, 14)  # 18 months, the day before
    dialog.model.setCurrentIndex(dialog.model.findData("M3"))
    assert dialog.warranty.date().toPython() == date(2027, 3, 14)  # M3: 12 months
    dialog.warranty.setDate(QDate(2027, 12, 31))  # typed by hand: kept from now on
    dialog.model.setCurrentIndex(dialog.model.findData("R1"))
    assert dialog.warranty.date().toPython() == date(2027, 12, 31)
    tasks.wait()
