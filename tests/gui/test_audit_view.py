"""R18 in the window: the audit log names records as people do, and a double-click opens them."""

from __future__ import annotations

import re
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.ui.main_window import MainWindow, Page
from tests.gui.conftest import admin_actor, save_screenshot


def _double_click(qtbot: QtBot, table: QTableWidget, row: int) -> None:
    rect = table.visualItemRect(table.item(row, 2))
    # A real double-click is press, release, then the double-click event (see test_main_window).
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_R18_double_clicking_a_ticket_row_opens_the_ticket(window: MainWindow, qtbot: QtBot) -> None:
    assert window._tasks.wait()  # the start-up escalation round, whose audit rows the page lists
    window.show_page(Page.AUDIT)
    view = window.audit_view
    view.entity.setCurrentIndex(view.entity.findData("ticket"))
    table = view.table
    assert table.rowCount() > 0  # the demo's tickets and the escalations of the start-up round
    records = [table.item(row, 2).text() for row in range(table.rowCount())]
    assert all(re.fullmatch(r"Ticket SOP-\d{4}-\d{5}", text) for text in records), records[:5]
    changes = " ".join(table.item(row, 4).text() for row in range(table.rowCount()))
    assert "escalation_level" not in changes and "assigned_agent_id" not in changes
    save_screenshot(window, "audit_references_es_CO")

    number = records[0].removeprefix("Ticket ")
    _double_click(qtbot, table, 0)
    assert window.pages.currentIndex() == Page.TICKET
    detail = window.ticket_view.detail
    assert detail is not None and detail.number == number
    assert window.ticket_view.number.text() == number


def test_R18_double_clicking_a_contract_row_opens_the_contract_selected(
    window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    contracts = demo_services.contracts
    current = contracts.list_contracts()[0]
    form = replace(contracts.renewal_form(current.id), invoice_number="FE-RENOVACION-77")
    renewed = contracts.save(form, actor=admin_actor(demo_services), confirm_overlap=True)
    window.show_page(Page.AUDIT)
    view = window.audit_view
    view.entity.setCurrentIndex(view.entity.findData("contract"))
    table = view.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 2).text() == "Contrato FE-RENOVACION-77")
    assert "Renueva: " in table.item(row, 4).text() and current.invoice_number in table.item(row, 4).text()

    _double_click(qtbot, table, row)
    assert window.pages.currentIndex() == Page.CONTRACTS
    shown = window.contract_view.contract
    assert shown is not None and shown.id == renewed.id
    selected = window.contract_view.table.selectionModel().selectedRows()
    assert [window.contract_view.model.contract_at(index.row()).id for index in selected] == [renewed.id]
