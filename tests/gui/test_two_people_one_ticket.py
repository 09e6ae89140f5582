"""Scenario 8: two people, one ticket. The second save is not applied over the first: the person
sees both versions side by side, keeps their comment, and decides."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.domain.model import EventKind, Severity, TicketStatus
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.services.dto import QueueFilter
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.views.ticket_editor import ConflictDialog
from tests.gui.conftest import save_screenshot


def _window(qtbot: QtBot, services: Services, username: str, folder: Path) -> MainWindow:
    actor = services.users.sign_in(username, DEMO_PASSWORD)
    window = MainWindow(services.desk, QSettings(str(folder / f"{username}.ini"), QSettings.Format.IniFormat), actor)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    return window


def test_scenario_8_the_second_save_shows_both_versions(
    qtbot: QtBot, demo_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    laura = demo_services.users.sign_in("laura.perez", DEMO_PASSWORD)
    ticket = next(
        r.entry
        for r in demo_services.tickets.list_queue(QueueFilter(agent_id=laura.user_id)).rows
        if r.entry.status is not TicketStatus.WAITING_CUSTOMER and r.entry.severity is not Severity.CRITICAL
    )
    carolina_window = _window(qtbot, demo_services, "carolina.rojas", tmp_path)
    laura_window = _window(qtbot, demo_services, "laura.perez", tmp_path)
    carolina_window.open_ticket(ticket.id)
    laura_window.open_ticket(ticket.id)

    # Carolina raises the severity and saves first.
    carolina = carolina_window.editor
    carolina.severity.setCurrentIndex(carolina.severity.findData(Severity.CRITICAL.value))
    with qtbot.waitSignal(carolina.ticket_saved, timeout=10_000):
        carolina.save_button.click()

    # Laura, still on the old version, writes a comment and edits the description.
    shown: list[ConflictDialog] = []

    def decide(dialog: ConflictDialog) -> int:
        shown.append(dialog)
        save_screenshot(dialog, "conflict_es_CO")
        return ConflictDialog.APPLY_MINE

    monkeypatch.setattr(ConflictDialog, "exec", decide)
    editor = laura_window.editor
    editor.comment.setPlainText("Llamé al cliente: confirma que la falla sigue.")
    editor.description.setPlainText(ticket.description + "\nActualización: falla también en modo demo.")
    with qtbot.waitSignal(editor.ticket_saved, timeout=15_000):
        editor.save_button.click()

    assert len(shown) == 1
    table = shown[0].table
    assert table.item(0, 0).text() == "Severidad"
    assert table.item(0, 2).text() == "Crítica"  # theirs, now
    assert table.item(0, 3).text() == "—"  # Laura did not touch the severity
    assert "sigue" in table.item(4, 3).text()  # her comment, kept

    final = demo_services.tickets.get_ticket(ticket.id)
    assert final.severity is Severity.CRITICAL  # Carolina's change stands
    assert "modo demo" in final.description  # Laura's edit applied on top
    comments = [e.body for e in final.timeline if e.kind is EventKind.COMMENT]
    assert "Llamé al cliente: confirma que la falla sigue." in comments
    assert editor.comment.toPlainText() == ""
    carolina_window.close()
    laura_window.close()


def test_a_failed_save_keeps_what_was_typed(qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.errors import DatabaseUnavailableError
    from desktop_app.ui.views import ticket_editor

    ticket_id = window.queue_view.model.index(0, 0).data(0x0101)
    window.open_ticket(ticket_id)
    editor = window.editor
    warnings: list[str] = []
    monkeypatch.setattr(ticket_editor.QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))

    def disk_full(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise DatabaseUnavailableError("El disco está lleno: no se guardó nada.")

    monkeypatch.setattr(window._tickets, "update_ticket", disk_full)
    editor.comment.setPlainText("Texto largo que el técnico escribió en sitio.")
    editor.save_button.click()
    qtbot.waitUntil(lambda: bool(warnings), timeout=5_000)
    assert warnings == ["El disco está lleno: no se guardó nada."]
    assert editor.comment.toPlainText() == "Texto largo que el técnico escribió en sitio."
    assert editor.save_button.isEnabled()
