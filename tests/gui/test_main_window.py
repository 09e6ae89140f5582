"""The main window driven through its real widgets, on a real database file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.domain.model import Severity, TicketStatus
from desktop_app.services.dto import QueueFilter
from desktop_app.ui.main_window import MainWindow, Page
from desktop_app.ui.models.contract_model import ContractColumn
from desktop_app.ui.models.queue_model import QueueColumn, QueueRole
from tests.gui.conftest import admin_actor, save_screenshot


def test_queue_shows_the_open_tickets_in_policy_order(window: MainWindow, demo_services: Services) -> None:
    table = window.queue_view.table
    model = window.queue_view.model
    expected = [r.entry.number for r in demo_services.tickets.list_queue(QueueFilter(), 0, 1000).rows]
    shown = [model.index(r, QueueColumn.NUMBER).data() for r in range(model.rowCount())]
    assert shown == expected[: len(shown)] and len(shown) == model.rowCount() > 0
    assert table.isVisible()
    assert window.queue_view.count_label.text() == f"{len(expected)} tickets"
    assert window.counts_status.text().startswith("Abiertos: ")
    save_screenshot(window, "queue_es_CO")


def test_spanish_ui_has_spanish_navigation_and_headers(window: MainWindow) -> None:
    window.resize(1920, 1080)
    labels = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    assert labels == [
        "Cola",
        "Ticket",
        "Máquinas",
        "Contratos y planes",
        "Configuración",
        "Auditoría",
        "Avisos",
        "Clientes",
        "Correo sin clasificar",
        "Informes",
    ]
    model = window.queue_view.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in QueueColumn]
    assert headers == [
        "Número",
        "Severidad",
        "Plan",
        "Cliente",
        "Ciudad",
        "Máquina",
        "Agente",
        "Recibido",
        "Vence",
    ]
    assert window.windowTitle() == "makeR Soporte"


def test_every_queue_column_fits_at_1366_without_scrolling(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.wait(50)
    table = window.queue_view.table
    header = table.horizontalHeader()
    assert header.length() <= table.viewport().width() + 1
    assert header.sectionSize(QueueColumn.CUSTOMER) >= 200


def test_navigation_labels_are_not_clipped(window: MainWindow) -> None:
    window.resize(1920, 1080)
    nav = window.navigation
    metrics = nav.fontMetrics()
    for i in range(nav.count()):
        text_width = metrics.horizontalAdvance(nav.item(i).text())
        assert text_width > 0
        assert text_width + nav.iconSize().width() + 40 <= nav.width()


def test_navigation_is_icons_only_on_a_laptop_screen(window: MainWindow) -> None:
    nav = window.navigation
    assert window.width() == 1366
    assert [nav.item(i).text() for i in range(nav.count())] == [""] * len(Page)
    assert nav.item(Page.MACHINES).toolTip() == "Máquinas (Ctrl+3)"
    assert nav.item(Page.CONTRACTS).toolTip() == "Contratos y planes (Ctrl+4)"
    assert nav.width() < 80


def test_arrow_keys_walk_the_queue_and_the_preview_follows(window: MainWindow, qtbot: QtBot) -> None:
    table = window.queue_view.table
    table.setFocus()
    table.selectRow(0)
    first = window.preview.detail
    assert first is not None and first.number == table.model().index(0, 0).data()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    second = window.preview.detail
    assert second is not None and second.number == table.model().index(1, 0).data()


def test_double_click_opens_the_ticket_with_its_timeline(window: MainWindow, qtbot: QtBot) -> None:
    table = window.queue_view.table
    index = table.model().index(2, QueueColumn.CUSTOMER)
    rect = table.visualRect(index)
    # A real double-click is press, release, then the double-click event: QTest sends only the
    # last one, which item views ignore without the first click.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.pages.currentIndex() == Page.TICKET
    detail = window.ticket_view.detail
    assert detail is not None and detail.id == index.data(QueueRole.TICKET_ID)
    assert window.ticket_view.number.text() == detail.number
    html = window.ticket_view.timeline.toPlainText()
    assert "Ticket creado" in html
    save_screenshot(window, "ticket_es_CO")


def test_enter_opens_the_selected_ticket(window: MainWindow, qtbot: QtBot) -> None:
    table = window.queue_view.table
    table.setFocus()
    table.selectRow(1)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert window.pages.currentIndex() == Page.TICKET
    assert window.ticket_view.detail is not None
    assert window.ticket_view.detail.number == table.model().index(1, 0).data()


def test_text_filter_narrows_the_queue_as_you_type(window: MainWindow, qtbot: QtBot) -> None:
    view = window.queue_view
    before = view.model.total
    qtbot.keyClicks(view.search, "EAFIT")
    qtbot.waitUntil(lambda: view.model.total < before, timeout=2000)
    customers = {view.model.index(r, QueueColumn.CUSTOMER).data() for r in range(view.model.rowCount())}
    assert customers and all("EAFIT" in c for c in customers)
    view.search.clear()
    qtbot.waitUntil(lambda: view.model.total == before, timeout=2000)


def test_a_filter_with_no_match_shows_what_to_do(window: MainWindow, qtbot: QtBot) -> None:
    view = window.queue_view
    view.search.setText("zzz-sin-coincidencias")
    view.apply_filter()
    assert view.stack.currentWidget() is view.empty_label
    assert "Borre la búsqueda" in view.empty_label.text()
    assert view.count_label.text() == "0 tickets"
    save_screenshot(window, "queue_empty_es_CO")


def test_status_and_city_filters(window: MainWindow) -> None:
    view = window.queue_view
    view.status_filter.setCurrentIndex(view.status_filter.findData(TicketStatus.WAITING_CUSTOMER.value))
    model = view.model
    assert model.rowCount() > 0
    assert {model.index(r, QueueColumn.DUE).data() for r in range(model.rowCount())} == {"en pausa"}
    view.city_filter.setCurrentIndex(view.city_filter.findData("Cali"))
    assert all(model.index(r, QueueColumn.CITY).data() == "Cali" for r in range(model.rowCount()))


def test_search_shortcut_focuses_the_search_box(window: MainWindow, qtbot: QtBot) -> None:
    window.show_page(Page.CONTRACTS)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentIndex() == Page.QUEUE
    assert window.queue_view.search.hasFocus()


def test_contracts_view_lists_plans_and_shows_covered_machines(window: MainWindow, qtbot: QtBot) -> None:
    window.navigation.setCurrentRow(Page.CONTRACTS)
    view = window.contract_view
    assert view.model.rowCount() > 30
    view.table.selectRow(0)
    contract = view.model.contract_at(0)
    assert view.detail_title.text() == contract.customer_name
    assert view.machine_model.rowCount() == len(contract.machines) > 0
    assert view.fields["price"].text().startswith("$ ")
    assert view.model.index(0, ContractColumn.STATE).data() in ("Vigente", "Vencido", "Por iniciar")
    qtbot.keyClicks(view.search, "FE-ESP")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=2000)
    save_screenshot(window, "contracts_es_CO")


def test_layout_is_remembered(window: MainWindow, demo_services: Services, tmp_path: Path) -> None:
    window.resize(1200, 700)
    header = window.queue_view.table.horizontalHeader()
    header.resizeSection(QueueColumn.AGENT, 190)
    window.close()
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    again = MainWindow(
        demo_services.desk,
        settings,
        admin_actor(demo_services),
    )
    assert (again.size().width(), again.size().height()) == (1200, 700)
    assert again.queue_view.table.horizontalHeader().sectionSize(QueueColumn.AGENT) == 190
    again.close()


def test_first_run_layout_gives_the_queue_most_of_the_height(
    qtbot: QtBot, demo_services: Services, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "fresh.ini"), QSettings.Format.IniFormat)
    main = MainWindow(
        demo_services.desk,
        settings,
        admin_actor(demo_services),
    )
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    queue_height, preview_height = main.queue_splitter.sizes()
    assert queue_height > preview_height > 0


def test_r11_the_window_escalates_what_is_due_in_the_background(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: "escalad" in window.statusBar().currentMessage(), timeout=10_000)
    number = window.queue_view.model.index(0, QueueColumn.NUMBER).data()
    assert number  # the queue was reloaded and still shows tickets


def test_r7_the_ticket_view_explains_its_due_time(window: MainWindow, demo_services: Services) -> None:
    rows = demo_services.tickets.list_queue(QueueFilter()).rows
    due_row = next(r for r in rows if r.entry.due_at is not None)
    window.open_ticket(due_row.entry.id)
    view = window.ticket_view
    assert "Primera respuesta" in view.due_summary.text() or "Próxima actualización" in view.due_summary.text()
    assert "Total contado" in view.due_steps.text()
    paused = next(r for r in rows if r.entry.status is TicketStatus.WAITING_CUSTOMER)
    window.open_ticket(paused.entry.id)
    assert "pausa" in view.due_summary.text()
    assert view.due_steps.text() == ""


def test_r18_the_administrator_searches_the_audit_log(window: MainWindow, demo_services: Services) -> None:
    window.show_page(Page.AUDIT)
    view = window.audit_view
    assert not window.navigation.item(Page.AUDIT).isHidden() and demo_services.audit is window._desk.audit
    assert view.table.rowCount() > 0  # the demo's policy version and the escalations of the start-up round
    view.entity.setCurrentIndex(view.entity.findData("policy"))
    assert view.table.rowCount() >= 1
    assert all(view.table.item(r, 2).text().startswith("Política") for r in range(view.table.rowCount()))
    save_screenshot(window, "audit_es_CO")


def test_r18_the_ticket_view_lists_its_recorded_changes(
    window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    ticket_id = window.queue_view.model.index(0, 0).data(QueueRole.TICKET_ID)
    window.open_ticket(ticket_id)
    editor = window.editor
    editor.severity.setCurrentIndex(editor.severity.findData(Severity.LOW.value))
    with qtbot.waitSignal(editor.ticket_saved, timeout=10_000):
        editor.save_button.click()
    assert "Severidad: " in window.ticket_view.changes.text()
    assert "Administrador del sistema" in window.ticket_view.changes.text()


def test_ticket_header_chips_wrap_instead_of_being_cut_at_1366(window: MainWindow, qtbot: QtBot) -> None:
    """The longest header a ticket can have (waiting and reopened, critical, escalated to the top
    level, an agent with a long name) on a laptop's screen: every chip keeps its whole text, on
    two lines if need be, and the title stays below them."""
    table = window.queue_view.table
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    view = window.ticket_view
    assert view.detail is not None
    longest = replace(
        view.detail,
        status=TicketStatus.WAITING_CUSTOMER,
        reopen_count=1,
        severity=Severity.CRITICAL,
        escalation_level=3,
        agent_name="María Fernanda Rodríguez Villalobos",
    )
    view.show_detail(longest)
    qtbot.waitUntil(lambda: view.escalation_chip.isVisible())
    chips = (view.number, view.status_chip, view.severity_chip, view.plan_chip, view.sla_chip, view.escalation_chip)
    qtbot.waitUntil(lambda: all(chip.width() >= chip.sizeHint().width() for chip in chips))
    assert view.status_chip.text() == "Esperando al cliente · reabierto"
    assert len({chip.y() for chip in chips}) > 1, "at 1366 px this header takes two lines"
    assert all(chip.geometry().right() < view.agent_label.geometry().left() for chip in chips)
    lowest = max(chip.mapTo(view, chip.rect().bottomLeft()).y() for chip in chips)
    assert view.title.mapTo(view, view.title.rect().topLeft()).y() > lowest
    save_screenshot(window, "ticket_long_header_1366")
