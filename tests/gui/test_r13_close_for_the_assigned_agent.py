"""R13 through the real window: Carolina, a coordinator, presses "Cerrar con solución" on a ticket
assigned to someone else. The close dialog asks for the reason for closing it for that agent (a
field shown only then), refuses to go on without it, and the ticket closes with the reason on its
timeline. On her own ticket the field is not there."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.domain.ids import TicketId, UserId
from desktop_app.domain.model import EventKind, TicketStatus
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.services.dto import QueueFilter
from desktop_app.ui import theme
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.views.ticket_actions import ActionDialog
from tests.gui.conftest import save_screenshot

REASON = "Laura está de vacaciones; el cliente confirmó la solución por teléfono."


@pytest.fixture
def carolina_window(qtbot: QtBot, qapp: QApplication, demo_services: Services, tmp_path: Path) -> Iterator[MainWindow]:
    theme.apply_theme(qapp)
    carolina = demo_services.users.sign_in("carolina.rojas", DEMO_PASSWORD)
    window = MainWindow(demo_services.desk, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat), carolina)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


def _open(window: MainWindow, qtbot: QtBot, ticket_id: TicketId) -> None:
    window._tasks.wait()
    window.open_ticket(ticket_id)
    qtbot.waitUntil(lambda: window.actions.detail is not None and window.actions.detail.id == ticket_id)


def _when_the_dialog_opens(handle: Callable[[ActionDialog], None], failures: list[BaseException]) -> list[ActionDialog]:
    """Answer the modal close dialog once it is on screen (it runs its own event loop); a failed
    check is kept in `failures` and the dialog closed."""
    seen: list[ActionDialog] = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ActionDialog):
            QTimer.singleShot(20, look)
            return
        seen.append(dialog)
        try:
            handle(dialog)
        except BaseException as exc:  # a failed check must not leave the modal dialog hanging the run
            failures.append(exc)
            dialog.reject()

    QTimer.singleShot(0, look)
    return seen


def _close_button(window: MainWindow) -> QWidget:
    button = window.actions.widgetForAction(window.actions.close_solved)
    assert button is not None and button.isVisible() and button.isEnabled()
    return button


def test_R13_a_coordinator_closing_someone_elses_ticket_gives_the_reason_in_the_close_dialog(
    carolina_window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    window = carolina_window
    carolina_id = window._actor.user_id
    ticket = next(
        row.entry
        for row in demo_services.tickets.list_queue(QueueFilter()).rows
        if row.entry.status is TicketStatus.IN_PROGRESS and row.entry.agent_name not in ("", "Carolina Rojas")
    )
    agent = ticket.agent_name
    _open(window, qtbot, ticket.id)

    def answer(dialog: ActionDialog) -> None:
        assert dialog.closing_reason.isVisible()
        assert dialog.windowTitle() == "Cerrar con solución"
        dialog.text.setPlainText("Se calibró el extrusor y se cambió la boquilla.")
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)  # no reason yet: the dialog stays open
        assert dialog.isVisible()
        assert dialog.error.text() == f"Indique por qué cierra el ticket en nombre de {agent}."
        dialog.closing_reason.setText(REASON)
        save_screenshot(dialog, "r13_close_for_es_CO")
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    failures: list[BaseException] = []
    with qtbot.waitSignal(window.actions.ticket_changed, timeout=10_000):
        seen = _when_the_dialog_opens(answer, failures)
        qtbot.mouseClick(_close_button(window), Qt.MouseButton.LeftButton)
        if failures:
            raise failures[0]

    assert len(seen) == 1
    qtbot.waitUntil(lambda: window.ticket_view.detail.status is TicketStatus.CLOSED)
    detail = window.ticket_view.detail
    assert detail.agent_name == agent
    closing = next(e for e in detail.timeline if e.kind is EventKind.STATUS_CHANGE)
    assert closing.body == REASON and closing.author_name == "Carolina Rojas"
    shown = window.ticket_view.timeline.toPlainText()
    assert f"Estado: Cerrado — cerrado en nombre de {agent}" in shown and REASON in shown

    # Her own ticket: the assigned agent closes it, no reason asked.
    own = next(
        row.entry
        for row in demo_services.tickets.list_queue(QueueFilter()).rows
        if row.entry.status is TicketStatus.IN_PROGRESS and row.entry.id != ticket.id
    )
    demo_services.tickets.assign(own.id, UserId(carolina_id), actor=window._actor)  # type: ignore[arg-type]
    _open(window, qtbot, own.id)

    def cancel(dialog: ActionDialog) -> None:
        assert not dialog.closing_reason.isVisible()
        dialog.reject()

    seen = _when_the_dialog_opens(cancel, failures)
    qtbot.mouseClick(_close_button(window), Qt.MouseButton.LeftButton)
    assert len(seen) == 1 and not failures, failures
