"""Scenarios 2 and 3 through the ticket toolbar: wait on the customer, three contact attempts on
distinct working days, the refusals, close as no response, reopen."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.domain.model import EventKind, TicketStatus
from desktop_app.services.dto import QueueFilter
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.views.ticket_actions import TicketActions
from tests.gui.conftest import save_screenshot

BOGOTA = ZoneInfo("America/Bogota")


def test_scenarios_2_and_3_through_the_toolbar(
    window: MainWindow, demo_services: Services, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = demo_services.tickets._clock
    ticket = next(
        r.entry
        for r in demo_services.tickets.list_queue(QueueFilter()).rows
        if r.entry.status is TicketStatus.IN_PROGRESS
    )
    answers: list[dict[str, object]] = []
    refusals: list[str] = []
    monkeypatch.setattr(TicketActions, "_ask", lambda self, *a, **k: answers.pop(0))
    monkeypatch.setattr(TicketActions, "_confirm", lambda self, question: True)
    from desktop_app.ui.views import ticket_actions

    monkeypatch.setattr(ticket_actions.QMessageBox, "warning", lambda _p, _t, text: refusals.append(text))
    window._tasks.wait()
    window.open_ticket(ticket.id)
    actions = window.actions
    assert not actions.attempt.isEnabled() and actions.waiting.isEnabled()

    def act(action, answer=None):  # type: ignore[no-untyped-def]
        if answer is not None:
            answers.append(answer)
        with qtbot.waitSignal(actions.ticket_changed, timeout=10_000):
            action.trigger()

    def refused(action, answer=None):  # type: ignore[no-untyped-def]
        if answer is not None:
            answers.append(answer)
        before = len(refusals)
        action.trigger()
        qtbot.waitUntil(lambda: len(refusals) > before, timeout=10_000)
        return refusals[-1]

    clock.set(datetime(2026, 11, 27, 16, 30, tzinfo=BOGOTA))  # Friday
    act(actions.waiting, {"text": "Acceso por TeamViewer"})
    assert window.ticket_view.detail.status is TicketStatus.WAITING_CUSTOMER
    assert window.ticket_view.sla_chip.text() == "en pausa"
    attempt = {
        "text": "Le indiqué que cerramos 2 días hábiles después del tercer intento",
        "method": "phone",
        "wait": 2,
    }
    act(actions.attempt, attempt)
    assert "días hábiles distintos" in refused(actions.attempt, attempt)
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=BOGOTA))  # Monday
    act(actions.attempt, {**attempt, "method": "email"})
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=BOGOTA))
    act(actions.attempt, {**attempt, "method": "email"})
    # R13: the administrator is not the ticket's agent, so she closes it for them with a reason.
    closing_for = {"closing_for_reason": "El agente está de vacaciones."}
    assert "no ha terminado" in refused(actions.close_no_answer, closing_for)
    save_screenshot(window, "ticket_actions_es_CO")
    clock.set(datetime(2026, 12, 3, 9, 30, tzinfo=BOGOTA))
    act(actions.close_no_answer, closing_for)
    detail = window.ticket_view.detail
    assert detail.status is TicketStatus.CLOSED_NO_RESPONSE
    assert detail.timeline[1].body == "El agente está de vacaciones."  # the closing, under the e-mail
    assert [e.data["attempt"] for e in detail.timeline if e.kind is EventKind.CONTACT_ATTEMPT] == ["3", "2", "1"]
    assert actions.reopen.isEnabled() and not actions.waiting.isEnabled()

    clock.set(datetime(2026, 12, 10, 10, 0, tzinfo=BOGOTA))
    act(actions.reopen)
    detail = window.ticket_view.detail
    assert detail.status is TicketStatus.IN_PROGRESS and detail.reopen_count == 1
    assert detail.due_at is not None and detail.due_at > clock.now()  # a new clock
    assert "reabierto" in window.ticket_view.status_chip.text()
    clock.set(clock.now() + timedelta(minutes=5))
