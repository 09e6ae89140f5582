"""Each person's inbox ("Avisos") in the window: the bell with the unread count, the page listing
the notices newest first, opening a notice opens its ticket and marks it read, "Marcar todo como
leído"; the escalation level as a badge in the queue and on the ticket header, and the queue's
"Escalados a mí" filter (R11). On a real database file, through the real buttons."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.domain.permissions import Actor
from desktop_app.domain.sla import SlaState
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.services.desk import Desk
from desktop_app.services.dto import QueueFilter
from desktop_app.ui import theme
from desktop_app.ui.delegates.level_delegate import EscalationBadgeDelegate
from desktop_app.ui.main_window import MainWindow, Page
from desktop_app.ui.models.notice_model import NoticeColumn, NoticeRole
from desktop_app.ui.models.queue_model import QueueColumn, QueueRole
from tests.gui.conftest import save_screenshot

OpenWindow = Callable[[Desk, Actor, str], MainWindow]


@pytest.fixture
def open_window(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> Iterator[OpenWindow]:
    """A main window for one person, at a laptop's size; closed at the end of the test."""
    theme.apply_theme(qapp)
    opened: list[MainWindow] = []

    def open_(desk: Desk, actor: Actor, name: str) -> MainWindow:
        settings = QSettings(str(tmp_path / f"ui-{name}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(desk, settings, actor)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        settle(qtbot, window)
        opened.append(window)
        return window

    yield open_
    for window in opened:
        window.close()


def settle(qtbot: QtBot, window: MainWindow) -> None:
    """Let the window's background work (inbox read, jobs round, polls) finish and deliver."""
    for _ in range(4):
        window._tasks.wait()
        qtbot.wait(30)


def sign_in(services: Services, username: str) -> Actor:
    return services.users.sign_in(username, DEMO_PASSWORD)


def click_row(qtbot: QtBot, table, row: int, column: int = 0) -> None:  # type: ignore[no-untyped-def]
    rect = table.visualRect(table.model().index(row, column))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


# -- the inbox -----------------------------------------------------------------------------------


def test_R11_the_bell_shows_my_unread_count_and_opens_my_inbox_newest_first(
    open_window: OpenWindow, demo_services: Services, qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    carolina = sign_in(demo_services, "carolina.rojas")
    window = open_window(demo_services.desk, carolina, "carolina")
    unread = demo_services.notifications.unread_count(carolina)
    assert unread > 0  # the window's start-up round escalated demo tickets to her level
    bell = window.notice_bell
    assert bell.isVisible() and bell.text() == str(unread)
    assert bell.toolTip() == f"Avisos: {unread} sin leer (Ctrl+7)"
    assert bell.width() >= bell.sizeHint().width()  # the count is not cut to "…"

    qtbot.mouseClick(bell, Qt.MouseButton.LeftButton)
    assert window.pages.currentIndex() == Page.NOTICES
    model = window.notices_view.model
    inbox = demo_services.notifications.inbox(carolina)
    assert model.rowCount() == len(inbox)
    shown = [model.index(r, NoticeColumn.TEXT).data() for r in range(model.rowCount())]
    assert shown == [n.text for n in inbox]
    times = [model.notice_at(r).created_at for r in range(model.rowCount())]
    assert times == sorted(times, reverse=True)
    first = model.index(0, NoticeColumn.TEXT)
    assert "escalado a nivel 2" in " ".join(shown)
    assert isinstance(first.data(Qt.ItemDataRole.FontRole), QFont) and first.data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(0, NoticeColumn.TICKET).data() == inbox[0].ticket_number
    assert model.index(0, NoticeColumn.WHEN).data() == "justo ahora"
    assert model.index(0, NoticeColumn.WHEN).data(Qt.ItemDataRole.ToolTipRole) == "26 nov 2026, 10:30 a. m."
    assert window.notices_view.count_label.text() == f"{unread} sin leer"
    qtmodeltester.check(model)
    save_screenshot(window, "notices_es_CO")


def test_R11_clicking_a_notice_opens_its_ticket_and_marks_it_read(
    open_window: OpenWindow, demo_services: Services, qtbot: QtBot
) -> None:
    carolina = sign_in(demo_services, "carolina.rojas")
    window = open_window(demo_services.desk, carolina, "carolina")
    before = window.notice_bell.count
    window.show_page(Page.NOTICES)
    settle(qtbot, window)
    view = window.notices_view
    notice = view.model.notice_at(0)
    assert not notice.read

    click_row(qtbot, view.table, 0)
    assert window.pages.currentIndex() == Page.TICKET
    assert window.ticket_view.detail is not None and window.ticket_view.detail.id == notice.ticket_id
    qtbot.waitUntil(lambda: window.notice_bell.count == before - 1, timeout=10_000)
    assert next(n for n in demo_services.notifications.inbox(carolina) if n.id == notice.id).read
    assert not view.model.index(0, NoticeColumn.TEXT).data(Qt.ItemDataRole.FontRole)  # no longer bold

    window.show_page(Page.NOTICES)  # Enter on the next one does the same
    settle(qtbot, window)
    second = view.model.notice_at(1)
    view.table.setFocus()
    view.table.selectRow(1)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert window.pages.currentIndex() == Page.TICKET
    assert window.ticket_view.detail.id == second.ticket_id
    qtbot.waitUntil(lambda: window.notice_bell.count == before - 2, timeout=10_000)
    assert demo_services.notifications.unread_count(carolina) == before - 2


def test_R11_mark_all_as_read_clears_the_count(open_window: OpenWindow, demo_services: Services, qtbot: QtBot) -> None:
    director = sign_in(demo_services, "mauricio.diaz")
    window = open_window(demo_services.desk, director, "director")
    assert window.notice_bell.count > 0
    window.show_page(Page.NOTICES)
    button = window.notices_view.mark_all_button
    assert button.isEnabled() and button.text() == "Marcar todo como leído"

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.notice_bell.count == 0, timeout=10_000)
    assert demo_services.notifications.unread_count(director) == 0
    assert window.notice_bell.text() == "" and window.notice_bell.toolTip() == "Avisos: nada sin leer (Ctrl+7)"
    model = window.notices_view.model
    assert model.rowCount() > 0 and all(model.index(r, 0).data(NoticeRole.READ) for r in range(model.rowCount()))
    assert not button.isEnabled() and window.notices_view.count_label.text() == "Todo leído"


def test_an_empty_inbox_says_what_will_appear_there(window: MainWindow, qtbot: QtBot) -> None:
    settle(qtbot, window)
    assert window.notice_bell.count == 0 and window.notice_bell.text() == ""
    window.show_page(Page.NOTICES)
    view = window.notices_view
    assert view.stack.currentWidget() is view.empty_label
    assert view.empty_label.text().startswith("No tienes avisos. Aquí verás los tickets escalados o asignados a ti")
    assert not view.mark_all_button.isVisible()
    save_screenshot(window, "notices_empty_es_CO")


# -- the escalation level in the queue and on the ticket -----------------------------------------


def test_R11_escalated_to_me_shows_the_tickets_at_my_level(
    open_window: OpenWindow, demo_services: Services, qtbot: QtBot
) -> None:
    for username, level in (("carolina.rojas", 2), ("mauricio.diaz", 3)):
        window = open_window(demo_services.desk, sign_in(demo_services, username), username)
        rows = demo_services.tickets.list_queue(QueueFilter(), 0, 1000).rows  # after the start-up round
        at_level = {r.entry.number for r in rows if r.entry.escalation_level == level}
        view = window.queue_view
        assert view.escalated_filter.isVisible() and view.escalated_filter.text() == "Escalados a mí"
        qtbot.mouseClick(view.escalated_filter, Qt.MouseButton.LeftButton)
        model = view.model
        shown = {model.index(r, QueueColumn.NUMBER).data() for r in range(model.rowCount())}
        assert shown == at_level and 0 < len(shown) < len(rows)
        assert view.count_label.text() == f"{len(at_level)} tickets"
        qtbot.mouseClick(view.escalated_filter, Qt.MouseButton.LeftButton)  # off: the whole queue again
        assert view.model.total == len(rows)
    agent = open_window(demo_services.desk, sign_in(demo_services, "laura.perez"), "laura")
    assert not agent.queue_view.escalated_filter.isVisible()  # no level's notices go to her


def test_R11_the_queue_paints_the_escalation_level_on_the_number(window: MainWindow, qtbot: QtBot) -> None:
    settle(qtbot, window)
    model, table = window.queue_view.model, window.queue_view.table
    assert isinstance(table.itemDelegateForColumn(QueueColumn.NUMBER), EscalationBadgeDelegate)
    levels: dict[int, int] = {}  # level -> its first row, so both rows are in sight
    for r in range(model.rowCount()):
        levels.setdefault(model.index(r, 0).data(QueueRole.ESCALATION_LEVEL), r)
    assert {1, 3} <= set(levels), "the demo queue's first page has tickets at level 1 and 3"
    top, plain = levels[3], levels[1]
    assert model.index(top, QueueColumn.NUMBER).data(QueueRole.ESCALATION_BADGE) == "N3"
    assert model.index(plain, QueueColumn.NUMBER).data(QueueRole.ESCALATION_BADGE) is None
    assert "escalado a nivel 3" in model.index(top, QueueColumn.NUMBER).data(Qt.ItemDataRole.ToolTipRole)

    assert table.visualRect(model.index(max(top, plain), 0)).bottom() < table.viewport().height()
    image = table.viewport().grab().toImage()
    breached_background = theme.sla_colors(SlaState.BREACHED)[0]

    def badge_pixels(row: int) -> int:
        rect = table.visualRect(model.index(row, QueueColumn.NUMBER))
        y = rect.center().y()
        xs = range(rect.right() - 30, rect.right() - 4)
        return sum(1 for x in xs if QColor(image.pixel(x, y)) == breached_background)

    assert badge_pixels(top) > 5  # the red "N3" pill is painted at the right of the number
    assert badge_pixels(plain) == 0
    number = model.index(top, QueueColumn.NUMBER).data()
    assert table.fontMetrics().horizontalAdvance(number) < table.visualRect(model.index(top, 0)).width() - 30


def test_R11_the_ticket_header_says_to_which_level_it_was_escalated(
    window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    settle(qtbot, window)
    rows = demo_services.tickets.list_queue(QueueFilter(), 0, 1000).rows
    at_two = next(r.entry for r in rows if r.entry.escalation_level == 2)
    at_one = next(r.entry for r in rows if r.entry.escalation_level == 1)
    window.open_ticket(at_two.id)
    chip = window.ticket_view.escalation_chip
    assert chip.isVisible() and chip.text() == "Escalado a nivel 2 · Coordinador de soporte"
    assert chip.width() >= chip.sizeHint().width()  # not clipped at 1366 px
    save_screenshot(window, "ticket_escalated_es_CO")
    window.open_ticket(at_one.id)
    assert not chip.isVisible()


# Qt's offscreen platform has no tray to hand a tray icon's window to; the test pretends it has one.
@pytest.mark.qt_log_ignore("systemTrayWindowChanged")
def test_new_notices_make_one_desktop_notification_where_there_is_a_tray(
    open_window: OpenWindow, demo_services: Services, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QSystemTrayIcon

    carolina = sign_in(demo_services, "carolina.rojas")
    window = open_window(demo_services.desk, carolina, "carolina")
    assert window.findChildren(QSystemTrayIcon) == []  # offscreen there is no tray: only the bell
    shown: list[tuple[QSystemTrayIcon, str]] = []
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(QSystemTrayIcon, "showMessage", lambda tray, _title, text, *_a: shown.append((tray, text)))

    notice = demo_services.notifications.inbox(carolina)[0]
    window.notice_bell.announce([notice])
    window.breach_notifier._announced.clear()  # her tickets needing attention, as if new
    window.breach_notifier.update_rows(demo_services.tickets.needing_attention(carolina.user_id))
    assert len(shown) == 2 and shown[0][1] == notice.text and "requieren atención" in shown[1][1]
    trays = window.findChildren(QSystemTrayIcon)
    assert len(trays) == 1 and {tray for tray, _text in shown} == {trays[0]}  # one icon for the window

    window.notice_bell.announce([notice])
    trays[0].messageClicked.emit()  # the person clicks the notification
    assert window.pages.currentIndex() == Page.NOTICES
