"""The import dialog (File → Importar desde una hoja de cálculo…), its real buttons pressed on the demo data."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop_app.domain.importing import Field, ImportKind
from desktop_app.persistence.tables import CustomerRecord, MachineRecord
from desktop_app.ui.main_window import MainWindow, Page
from desktop_app.ui.views.import_dialog import ImportDialog
from tests.gui.conftest import save_screenshot

NEW_NIT = "901234567-7"


def _rows(engine, table: type) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def _open_dialog(window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, path: Path) -> ImportDialog:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(path), ""))
    assert window.menus.import_action is not None
    window.menus.import_action.trigger()
    dialog = window.findChild(ImportDialog)
    assert dialog is not None
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.columns_table.rowCount() > 0 and dialog.check_button.isEnabled(), timeout=20_000)
    return dialog


def _press(dialog: ImportDialog, qtbot: QtBot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.check_button.isEnabled(), timeout=30_000)


def test_import_dialog_checks_lists_the_refused_row_and_writes_as_chosen(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo_services, tmp_path: Path
) -> None:
    path = tmp_path / "clientes.csv"
    path.write_text(
        "Razón social;NIT;Ciudad;Correo\n"
        f"Laboratorio Nuevo S.A.S.;{NEW_NIT};Pereira;compras@nuevo.co\n"
        "NIT con dígito malo;901234567-1;Cali;\n"
        "Ciudad que no existe;800200300-5;Barranqilla;\n",
        encoding="utf-8",
    )
    customers = _rows(demo_services.engine, CustomerRecord)
    dialog = _open_dialog(window, qtbot, monkeypatch, path)
    assert dialog.mapping() == [Field.NAME, Field.TAX_ID, Field.CITY, Field.EMAIL]
    assert dialog.preview_table.rowCount() == 3 and dialog.preview_table.item(0, 0).text() == "Laboratorio Nuevo S.A.S."

    _press(dialog, qtbot, dialog.check_button)
    shown = [
        (dialog.problems_table.item(r, 0).text(), dialog.problems_table.item(r, 1).text())
        for r in range(dialog.problems_table.rowCount())
    ]
    assert shown == [("3", "NIT"), ("4", "Ciudad")]
    assert "debe ser 7, no 1" in dialog.problems_table.item(0, 2).text()
    assert "¿Quiso decir: Barranquilla (Atlántico)" in dialog.problems_table.item(1, 2).text()
    assert dialog.summary.text().startswith("Simulacro: 3 filas leídas, 1 válida, 2 filas rechazadas")
    dialog.resize(1366, 700)
    save_screenshot(dialog, "import_dialog_problems")

    qtbot.mouseClick(dialog.all_or_nothing, Qt.MouseButton.LeftButton)
    _press(dialog, qtbot, dialog.import_button)
    assert dialog.summary.text().startswith("No se guardó nada")
    assert _rows(demo_services.engine, CustomerRecord) == customers

    qtbot.mouseClick(dialog.valid_only, Qt.MouseButton.LeftButton)
    _press(dialog, qtbot, dialog.import_button)
    assert dialog.summary.text() == "1 registro creado, 0 actualizados; 2 filas rechazadas."
    assert _rows(demo_services.engine, CustomerRecord) == customers + 1
    assert dialog.problems_table.rowCount() == 2  # the refused rows stay listed after the import


def test_import_dialog_machines_with_a_chosen_field_and_a_refused_row(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo_services, tmp_path: Path
) -> None:
    with demo_services.uow_factory() as uow:
        tax_id = next(iter(uow.imports.customers_by_tax_id()))
        model = uow.imports.models()[0].name
    book = openpyxl.Workbook()
    for row in (
        ("Número", "Modelo", "NIT", "Fecha de compra"),
        ("MK-GUI-0001", model, tax_id, "2026-01-15"),
        ("MK-GUI-0002", model, tax_id, "15/13/2026"),
    ):
        book.active.append(list(row))
    path = tmp_path / "maquinas.xlsx"
    book.save(path)
    machines = _rows(demo_services.engine, MachineRecord)
    dialog = _open_dialog(window, qtbot, monkeypatch, path)
    dialog.kind_combo.setCurrentIndex(list(ImportKind).index(ImportKind.MACHINES))
    qtbot.waitUntil(lambda: dialog.check_button.isEnabled() and dialog.mapping()[1] is Field.MODEL, timeout=20_000)
    assert dialog.mapping()[0] is None  # "Número" is not a header the import knows
    combo = dialog.columns_table.cellWidget(0, 1)
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData(Field.SERIAL.value))
    _press(dialog, qtbot, dialog.import_button)
    assert [dialog.problems_table.item(0, c).text() for c in (0, 1)] == ["3", "Fecha de compra"]
    assert _rows(demo_services.engine, MachineRecord) == machines + 1


def test_file_export_writes_the_machines_to_the_chosen_file(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, demo_services, tmp_path: Path
) -> None:
    target = tmp_path / "maquinas.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    [export_menu] = [a.menu() for a in window.menuBar().actions()[0].menu().actions() if a.menu() is not None]
    [machines] = [a for a in export_menu.actions() if a.text() == "Máquinas…"]
    machines.trigger()
    said = f"registros escritos en {target}"
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().endswith(said), timeout=20_000)
    book = openpyxl.load_workbook(target, read_only=True)
    header = next(book.worksheets[0].iter_rows(values_only=True))
    assert header[:3] == ("Serie", "Modelo", "NIT del cliente")
    assert sum(1 for _row in book.worksheets[0].iter_rows()) == _rows(demo_services.engine, MachineRecord) + 1
    book.close()


def test_the_customers_page_opens_the_import_dialog(window: MainWindow, qtbot: QtBot) -> None:
    window.show_page(Page.CUSTOMERS)
    button = window.import_customers_button
    assert button.isVisible() and button.text() == "Importar…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(ImportDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.kind is ImportKind.CUSTOMERS and not dialog.check_button.isEnabled()  # no file chosen yet
    dialog.reject()
