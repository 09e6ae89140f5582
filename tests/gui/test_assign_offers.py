"""R1 in the ticket editor: the agent list offers what the service accepts (issue 12). A technician sees
who has a ticket of his city but cannot take it; an unassigned one he can take for himself, and only
that; a coordinator may give any ticket to anyone."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.domain.ids import TicketId
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.services.dto import QueueFilter
from desktop_app.ui.main_window import MainWindow


def _window(qtbot: QtBot, services: Services, username: str, folder: Path) -> MainWindow:
    actor = services.users.sign_in(username, DEMO_PASSWORD)
    window = MainWindow(services.desk, QSettings(str(folder / f"{username}.ini"), QSettings.Format.IniFormat), actor)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    return window


def _medellin_ticket_of_an_agent(services: Services) -> TicketId:
    for row in services.tickets.list_queue(QueueFilter(city="Medellín")).rows:
        detail = services.tickets.get_ticket(row.entry.id)
        if detail.agent_id is not None and detail.agent_name != "Camilo Herrera":
            return detail.id
    raise AssertionError("the demo data has an open Medellín ticket with an agent")


def _items(window: MainWindow) -> list[str]:
    combo = window.editor.agent
    return [combo.itemText(i) for i in range(combo.count())]


def test_R1_the_editor_offers_a_technician_only_an_unassigned_ticket_for_himself(
    qtbot: QtBot, demo_services: Services, tmp_path: Path
) -> None:
    ticket_id = _medellin_ticket_of_an_agent(demo_services)
    holder = demo_services.tickets.get_ticket(ticket_id).agent_name
    camilo = _window(qtbot, demo_services, "camilo.herrera", tmp_path)  # technician in Medellín
    camilo.open_ticket(ticket_id)
    assert _items(camilo) == [holder]
    assert not camilo.editor.agent.isEnabled()

    with demo_services.uow_factory() as uow:  # the agent left: the ticket has nobody now
        ticket = uow.tickets.get(ticket_id)
        assert ticket is not None
        uow.tickets.save(replace(ticket, assigned_agent_id=None))
        uow.commit()
    camilo.open_ticket(ticket_id)
    assert _items(camilo) == ["Camilo Herrera"] and camilo.editor.agent.isEnabled()
    camilo.editor.agent.setCurrentIndex(0)
    with qtbot.waitSignal(camilo.editor.ticket_saved, timeout=10_000):
        camilo.editor.save_button.click()
    assert demo_services.tickets.get_ticket(ticket_id).agent_name == "Camilo Herrera"
    camilo.close()


def test_R1_the_editor_offers_a_coordinator_every_agent(qtbot: QtBot, demo_services: Services, tmp_path: Path) -> None:
    ticket_id = _medellin_ticket_of_an_agent(demo_services)
    carolina = _window(qtbot, demo_services, "carolina.rojas", tmp_path)
    carolina.open_ticket(ticket_id)
    assert carolina.editor.agent.isEnabled()
    assert len(_items(carolina)) == len(demo_services.tickets.agents())
    carolina.close()
