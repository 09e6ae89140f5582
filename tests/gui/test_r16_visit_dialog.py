"""R16 through the real window: the visit dialog offers the four on-site cities as a list (no city
typed freely), and on the ticket of a Básico customer, whose plan has no on-site service, saving
the visit is refused in the dialog with the rule and what to do, everything typed kept."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.domain.model import ONSITE_CITIES
from desktop_app.services.dto import QueueFilter
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.views.visit_dialog import VisitDialog
from tests.gui.conftest import save_screenshot

WORK = "Cambio de correa del eje X y calibración."


def test_R16_the_visit_dialog_lists_the_four_cities_and_refuses_a_plan_without_on_site_service(
    window: MainWindow, demo_services: Services, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = next(
        row.entry
        for row in demo_services.tickets.list_queue(QueueFilter()).rows
        if row.entry.plan_code == "basico" and row.entry.city in ONSITE_CITIES and row.entry.status.is_open
    )
    window._tasks.wait()
    window.open_ticket(ticket.id)
    qtbot.waitUntil(lambda: window.actions.detail is not None and window.actions.detail.id == ticket.id)
    seen: list[str] = []

    def fill_and_save(dialog: VisitDialog) -> int:
        assert not dialog.city.isEditable()
        assert [dialog.city.itemText(i) for i in range(dialog.city.count())] == list(ONSITE_CITIES)
        assert dialog.city.currentText() == ticket.city
        dialog.started.setDateTime(dialog.ended.dateTime().addSecs(-2 * 3600))
        dialog.work_done.setPlainText(WORK)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.saved is not None or not dialog.error.isHidden(), timeout=10_000)
        seen.append(dialog.error.text())
        assert dialog.work_done.toPlainText() == WORK  # kept, to fix or cancel
        save_screenshot(dialog, "r16_visit_refused_es_CO")
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(VisitDialog, "exec", fill_and_save)
    window.actions.visit.trigger()

    [error] = seen
    assert error.startswith("Política R16:") and "plan Básico" in error
    assert "contratar un plan con servicio en sitio (Premium, Profesional)" in error
    assert demo_services.tickets.get_ticket(ticket.id).visits == ()
