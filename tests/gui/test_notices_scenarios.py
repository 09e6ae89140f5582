"""Acceptance: stories 2 and 4 of SCENARIOS.md played in the window, with each notice arriving in
the inbox ("Avisos") of the person it is for, written by the windows' own periodic jobs round
(services/jobs.py) as the clock moves: nobody runs a command. The clock is the test's; the jobs
runner reads its turns from the same clock, so "a day later" makes every job due, as it would be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSettings, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.model import Channel, NoticeKind, Severity, TicketStatus
from desktop_app.persistence.job_lock import job_lock_for
from desktop_app.services.desk import Desk
from desktop_app.services.jobs import JobRunner, periodic_jobs
from desktop_app.services.tickets import IntakeRequest, NewAttachment
from desktop_app.ui import theme
from desktop_app.ui.main_window import MainWindow, Page
from desktop_app.ui.models.notice_model import NoticeColumn
from desktop_app.ui.models.queue_model import QueueColumn, QueueRole
from desktop_app.ui.views.ticket_actions import TicketActions
from tests.gui.conftest import save_screenshot
from tests.integration.world import World, bogota, build_world

DESCRIPTION = "La impresora deja de extruir a mitad de la pieza y marca error de temperatura."


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    folder = tmp_path / "world"
    folder.mkdir()
    w = build_world(folder, bogota(2026, 11, 30, 15, 0))
    yield w
    w.services.close()


@pytest.fixture
def desk(world: World) -> Desk:
    """The desk the windows get, with a jobs runner whose turns follow the test's clock."""
    s = world.services
    jobs = JobRunner(
        periodic_jobs(s.tickets, s.backups, s.notifications),
        job_lock_for(s.engine, s.settings.db_url),
        ticks=lambda: world.clock.now().timestamp(),
    )
    return replace(s.desk, jobs=jobs)


@pytest.fixture
def open_window(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, world: World, desk: Desk
) -> Iterator[Callable[[str], MainWindow]]:
    theme.apply_theme(qapp)
    opened: list[MainWindow] = []

    def open_(username: str) -> MainWindow:
        settings = QSettings(str(tmp_path / f"ui-{username}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(desk, settings, world.actor(username))
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


def settle(qtbot: QtBot, *windows: MainWindow) -> None:
    for _ in range(4):
        for window in windows:
            window._tasks.wait()
        qtbot.wait(30)


def jobs_round(qtbot: QtBot, window: MainWindow, *others: MainWindow) -> None:
    """The window's jobs timer fires (as it does every minute); the others' inbox polls fire too."""
    window.periodic.jobs_timer.timeout.emit()
    settle(qtbot, window)
    for other in others:
        other.periodic.notices_timer.timeout.emit()
    settle(qtbot, window, *others)


def inbox_texts(window: MainWindow) -> list[str]:
    model = window.notices_view.model
    return [model.index(r, NoticeColumn.TEXT).data() for r in range(model.rowCount())]


def photo() -> NewAttachment:
    """A real (tiny) photo: the ticket page draws its thumbnail."""
    image = QImage(8, 6, QImage.Format.Format_RGB32)
    image.fill(QColor("#E8611A"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return NewAttachment("falla.png", bytes(data.data()), "image/png")


def new_ticket(world: World, machine: str, severity: Severity, agent: str) -> tuple[TicketId, str]:
    """The call taken at intake (the intake dialog has its own tests, test_intake_flow.py)."""
    request = IntakeRequest(
        MachineId(world.ids[machine]), DESCRIPTION, severity, Channel.PHONE, UserId(world.ids[agent]), (photo(),)
    )
    detail = world.services.tickets.create_ticket(request, actor=world.actor(agent))
    return detail.id, detail.number


def test_R11_scenario_4_the_coordinator_and_then_the_director_find_the_breach_in_their_inbox(
    world: World, open_window: Callable[[str], MainWindow], qtbot: QtBot
) -> None:
    # Monday 15:00: a Profesional ticket of severity Alta (8 working hours) nobody answers.
    ticket_id, number = new_ticket(world, "uni_m3", Severity.HIGH, "laura")
    carolina = open_window("carolina.rojas")
    director = open_window("mauricio.diaz")
    assert carolina.notice_bell.count == 0 and director.notice_bell.count == 0

    world.clock.set(bogota(2026, 12, 1, 14, 59))  # a minute before the breach: nothing yet
    jobs_round(qtbot, carolina, director)
    assert carolina.notice_bell.count == 0

    world.clock.set(bogota(2026, 12, 1, 15, 0))  # Tuesday 15:00, breached: level 2, Carolina
    jobs_round(qtbot, carolina, director)
    assert carolina.notice_bell.count == 1 and director.notice_bell.count == 0
    qtbot.mouseClick(carolina.notice_bell, Qt.MouseButton.LeftButton)
    assert carolina.pages.currentIndex() == Page.NOTICES
    assert inbox_texts(carolina) == [f"{number} escalado a nivel 2 (Coordinador de soporte)."]
    queue = carolina.queue_view.model
    row = queue.row_of_ticket(ticket_id)
    assert row is not None and queue.index(row, QueueColumn.NUMBER).data(QueueRole.ESCALATION_BADGE) == "N2"
    save_screenshot(carolina, "scenario_4_coordinator_inbox_es_CO")

    world.clock.set(bogota(2026, 12, 2, 15, 0))  # Wednesday 15:00, 2× the response time: level 3
    jobs_round(qtbot, director, carolina)  # this time the director's window runs the round
    assert director.notice_bell.count == 1
    director.show_page(Page.NOTICES)
    assert inbox_texts(director) == [f"{number} escalado a nivel 3 (Director técnico)."]
    assert carolina.notice_bell.count == 1  # level 3 is not hers: nothing more for her
    director.queue_view.escalated_filter.click()
    assert [director.queue_view.model.index(0, 0).data()] == [number]

    # Carolina opens her notice, reads the header and raises the severity: at the top level the
    # change itself is an escalation trigger, and the director is told again.
    carolina.show_page(Page.NOTICES)
    carolina.activateWindow()
    table = carolina.notices_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == 0
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert carolina.pages.currentIndex() == Page.TICKET and carolina.ticket_view.detail.id == ticket_id
    assert carolina.ticket_view.escalation_chip.text() == "Escalado a nivel 3 · Director técnico"
    settle(qtbot, carolina)
    assert carolina.notice_bell.count == 0
    editor = carolina.editor
    editor.severity.setCurrentIndex(editor.severity.findData(Severity.CRITICAL.value))
    with qtbot.waitSignal(editor.ticket_saved, timeout=10_000):
        editor.save_button.click()
    director.periodic.notices_timer.timeout.emit()  # his inbox poll, every 20 s
    settle(qtbot, director)
    assert director.notice_bell.count == 2
    assert "prioridad" in inbox_texts(director)[0] and number in inbox_texts(director)[0]
    save_screenshot(director, "scenario_4_director_inbox_es_CO")


def test_R12_scenario_2_the_agent_is_reminded_of_each_contact_attempt_and_of_the_close(
    world: World, open_window: Callable[[str], MainWindow], qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: list[dict[str, object]] = []
    monkeypatch.setattr(TicketActions, "_ask", lambda self, *a, **k: answers.pop(0))
    monkeypatch.setattr(TicketActions, "_confirm", lambda self, question: True)
    world.clock.set(bogota(2026, 12, 4, 15, 0))  # Friday; Tuesday 8 December is a holiday
    ticket_id, number = new_ticket(world, "school_m3", Severity.HIGH, "andres")
    andres = open_window("andres")
    actions = andres.actions

    def act(action, answer=None):  # type: ignore[no-untyped-def]
        if answer is not None:
            answers.append(answer)
        with qtbot.waitSignal(actions.ticket_changed, timeout=10_000):
            action.trigger()

    def round_at(*moment: int) -> None:
        world.clock.set(bogota(*moment))
        jobs_round(qtbot, andres)

    def open_newest_notice() -> str:
        qtbot.mouseClick(andres.notice_bell, Qt.MouseButton.LeftButton)
        text = inbox_texts(andres)[0]
        table = andres.notices_view.table
        qtbot.mouseClick(
            table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(table.model().index(0, 0)).center()
        )
        assert andres.pages.currentIndex() == Page.TICKET and andres.ticket_view.detail.id == ticket_id
        return text

    attempt = {"text": "Le dije que cerramos 2 días hábiles después del tercer intento", "method": "phone", "wait": 2}
    world.clock.set(bogota(2026, 12, 4, 16, 30))
    andres.open_ticket(ticket_id)
    act(actions.waiting, {"text": "Necesitamos acceso por TeamViewer"})
    round_at(2026, 12, 4, 16, 31)
    assert andres.notice_bell.count == 1
    assert open_newest_notice() == f"{number}: hoy toca el intento de contacto 1 de 3."
    act(actions.attempt, attempt)

    round_at(2026, 12, 7, 9, 0)  # Monday: the next working day
    assert open_newest_notice() == f"{number}: hoy toca el intento de contacto 2 de 3."
    act(actions.attempt, {**attempt, "method": "email"})
    round_at(2026, 12, 8, 9, 0)  # the holiday: no attempt is due, nobody is told
    assert andres.notice_bell.count == 0
    round_at(2026, 12, 9, 9, 0)
    assert open_newest_notice() == f"{number}: hoy toca el intento de contacto 3 de 3."
    act(actions.attempt, {**attempt, "method": "email"})
    round_at(2026, 12, 10, 9, 0)  # the stated wait (two working days) is not over
    assert andres.notice_bell.count == 0

    round_at(2026, 12, 11, 9, 0)  # two working days after Wednesday 09:00
    assert andres.notice_bell.count == 1
    assert open_newest_notice() == (
        f"{number}: ya se hicieron los tres intentos de contacto y pasó la espera anunciada; "
        "se puede cerrar sin respuesta del cliente."
    )
    kinds = [n.kind for n in world.services.notifications.inbox(world.actor("andres"))]
    assert kinds == [NoticeKind.MAY_CLOSE, *[NoticeKind.ATTEMPT_DUE] * 3]
    save_screenshot(andres, "scenario_2_may_close_es_CO")
    act(actions.close_no_answer)
    assert andres.ticket_view.detail.status is TicketStatus.CLOSED_NO_RESPONSE
    assert andres.notice_bell.count == 0
