"""A ticket's whole life through the real widgets (issue 5): created from its machine in the intake
dialog, waiting on the customer, three contact attempts, closed without response, reopened,
escalated, visited on site (R16), closed with a solution."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.domain.model import EventKind, Severity, TicketStatus
from desktop_app.domain.sla import SlaState
from desktop_app.services.dto import QueueFilter
from desktop_app.services.tickets import MAX_ATTACHMENT_BYTES
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.views.intake_dialog import IntakeDialog
from desktop_app.ui.views.ticket_actions import TicketActions
from desktop_app.ui.views.visit_dialog import VisitDialog
from tests.gui.conftest import save_screenshot

BOGOTA = ZoneInfo("America/Bogota")
COVERED_SERIAL = "MK-R2-230055"  # Gimnasio Moderno, Bogotá: a plan with on-site support, no open ticket
DISCONTINUED_SERIAL = "MK-M2-190118"  # a makeR M2 without special contract (R5)
DESCRIPTION = "La resina no se adhiere a la plataforma desde el cambio de película FEP; se adjunta foto."


def _png(width: int = 320, height: int = 200) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#E8711A"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def _open_intake(window: MainWindow, qtbot: QtBot) -> IntakeDialog:
    dialog = window.new_ticket()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def _find_machine(dialog: IntakeDialog, qtbot: QtBot, serial: str) -> None:
    dialog.search.setText(serial.lower())
    qtbot.waitUntil(lambda: dialog.results.count() == 1 and dialog.results.item(0).text().startswith(serial))
    item = dialog.results.item(0)
    rect = dialog.results.visualItemRect(item)
    qtbot.mouseClick(dialog.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: dialog._lookup is not None and dialog._lookup.machine.serial == serial)


def test_a_ticket_lives_its_whole_life_through_the_window(
    window: MainWindow, demo_services: Services, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = demo_services.tickets._clock
    window._tasks.wait()

    # Intake: the machine first, its coverage before anything is typed.
    dialog = _open_intake(window, qtbot)
    assert not dialog.create_button.isEnabled()
    _find_machine(dialog, qtbot, COVERED_SERIAL)
    assert "Plan" in dialog.coverage.text() and "Gimnasio Moderno" in dialog.machine_line.text()
    assert dialog.coverage.property("state") == "ok"
    assert [dialog.channel.itemText(i) for i in range(dialog.channel.count())] == ["Correo", "Teléfono", "Presencial"]
    dialog.description.setPlainText("   ")
    assert not dialog.create_button.isEnabled() and "al menos 20" in dialog.description_hint.text()
    dialog.description.setPlainText(DESCRIPTION)
    assert "esperando al cliente" in dialog.images_hint.text()  # R2: no image yet
    # A screenshot pasted into the description becomes an attachment, not lost text.
    mime = QMimeData()
    mime.setImageData(QImage.fromData(_png()))
    dialog.description.insertFromMimeData(mime)
    assert len(dialog.attachments.files) == 1 and dialog.attachments.files[0].media_type == "image/png"
    assert dialog.description.toPlainText() == DESCRIPTION
    assert dialog.images_hint.text() == ""
    dialog.severity.setCurrentIndex(dialog.severity.findData(Severity.HIGH.value))
    dialog.channel.setCurrentIndex(dialog.channel.findData(dialog.channel.itemData(1)))
    save_screenshot(dialog, "intake_es_CO")
    assert dialog.create_button.isEnabled()
    reads: list[int] = []
    read_ticket = demo_services.tickets.get_ticket
    monkeypatch.setattr(demo_services.tickets, "get_ticket", lambda i: reads.append(i) or read_ticket(i))
    with qtbot.waitSignal(dialog.ticket_created, timeout=10_000) as created:
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    ticket_id = created.args[0].id
    assert reads == []  # the window shows the ticket intake wrote; it does not read it again
    monkeypatch.undo()
    qtbot.waitUntil(lambda: window.ticket_view.detail is not None and window.ticket_view.detail.id == ticket_id)
    detail = window.ticket_view.detail
    assert detail.machine_serial == COVERED_SERIAL and detail.severity is Severity.HIGH
    assert detail.status is TicketStatus.NEW and len(detail.attachments) == 1
    assert window.pages.currentIndex() == 1  # the new ticket is open
    assert window.ticket_view.machine_coverage.text().startswith("Plan Profesional, vigente hasta")

    # Its lifecycle through the toolbar.
    answers: list[dict[str, object]] = []
    monkeypatch.setattr(TicketActions, "_ask", lambda self, *a, **k: answers.pop(0))
    monkeypatch.setattr(TicketActions, "_confirm", lambda self, question: True)
    actions = window.actions

    def act(action, answer=None):  # type: ignore[no-untyped-def]
        if answer is not None:
            answers.append(answer)
        with qtbot.waitSignal(actions.ticket_changed, timeout=10_000):
            action.trigger()
        return window.ticket_view.detail

    act(actions.waiting, {"text": "Se pidió un video de la impresión fallida."})
    attempt = {"text": "Cerramos 2 días hábiles después del tercer intento.", "method": "phone", "wait": 2}
    for day in (26, 27, 30):  # Thursday, Friday, Monday
        clock.set(datetime(2026, 11, day, 15, 0, tzinfo=BOGOTA))
        act(actions.attempt, attempt)
    clock.set(datetime(2026, 12, 2, 15, 0, tzinfo=BOGOTA))  # two working days after the third attempt
    assert act(actions.close_no_answer).status is TicketStatus.CLOSED_NO_RESPONSE
    clock.set(datetime(2026, 12, 2, 15, 5, tzinfo=BOGOTA))
    reopened = act(actions.reopen)
    assert reopened.status is TicketStatus.IN_PROGRESS and reopened.reopen_count == 1
    clock.set(datetime(2026, 12, 2, 15, 10, tzinfo=BOGOTA))
    assert act(actions.escalate, {"text": "El cliente necesita visita."}).escalation_level == 2

    # R16: the visit dialog, driven through its own widgets.
    clock.set(datetime(2026, 12, 2, 18, 0, tzinfo=BOGOTA))

    def fill_and_record(dialog: VisitDialog) -> int:
        bogota_technician = next(
            i for i in range(dialog.technician.count()) if dialog.technician.itemText(i).endswith("Bogotá")
        )
        dialog.technician.setCurrentIndex(bogota_technician)
        assert dialog.city.currentText() == "Bogotá"
        dialog.started.setDateTime(dialog.ended.dateTime().addSecs(-int(4.5 * 3600)))
        assert "se marcará" in dialog.length.text()
        save_screenshot(dialog, "visit_es_CO")
        dialog.started.setDateTime(dialog.ended.dateTime().addSecs(-int(3.5 * 3600)))
        assert dialog.length.text() == "Duración: 3 h 30 min"
        dialog.work_done.setPlainText("Nivelación de la plataforma y cambio de película FEP.")
        dialog.parts.setText("Película FEP")
        dialog.expenses.setValue(180_000)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.saved is not None or not dialog.error.isHidden(), timeout=10_000)
        return QDialog.DialogCode.Accepted if dialog.saved is not None else QDialog.DialogCode.Rejected

    monkeypatch.setattr(VisitDialog, "exec", fill_and_record)
    visited = act(actions.visit)
    [visit] = visited.visits
    assert visit.city == "Bogotá" and visit.travel_expenses == 180_000 and not visit.long_maintenance
    assert "3 h 30 min" in window.ticket_view.visits.text() and "$ 180.000" in window.ticket_view.visits.text()

    clock.set(datetime(2026, 12, 2, 18, 10, tzinfo=BOGOTA))
    closed = act(actions.close_solved, {"text": "Plataforma nivelada; imprime sin desprendimientos."})
    assert closed.status is TicketStatus.CLOSED
    kinds = [e.kind for e in closed.timeline]
    assert kinds.count(EventKind.CONTACT_ATTEMPT) == 3
    assert {EventKind.ESCALATION, EventKind.VISIT, EventKind.CREATED} <= set(kinds)
    save_screenshot(window, "ticket_closed_es_CO")


def test_intake_explains_a_refusal_and_offers_no_create(window: MainWindow, qtbot: QtBot) -> None:
    dialog = _open_intake(window, qtbot)
    _find_machine(dialog, qtbot, DISCONTINUED_SERIAL)
    dialog.description.setPlainText(DESCRIPTION)
    assert dialog.coverage.property("state") == "refused"
    assert "descontinuado" in dialog.coverage.text() and "contrato especial" in dialog.coverage.text()
    assert not dialog.create_button.isEnabled()
    save_screenshot(dialog, "intake_refused_es_CO")
    dialog.reject()


def test_intake_refuses_bad_files_and_keeps_everything_else(window: MainWindow, qtbot: QtBot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dialog = _open_intake(window, qtbot)
    _find_machine(dialog, qtbot, COVERED_SERIAL)
    dialog.description.setPlainText(DESCRIPTION)
    big = tmp_path / "video.mp4"
    with big.open("wb") as handle:
        handle.truncate(MAX_ATTACHMENT_BYTES + 1)
    broken = tmp_path / "foto.jpg"
    broken.write_bytes(b"not a jpeg at all")
    good = tmp_path / "pantalla.png"
    good.write_bytes(_png())
    dialog.attachments.add_paths([big, broken, good, tmp_path / "missing.png"])
    assert [f.filename for f in dialog.attachments.files] == ["pantalla.png"]
    # The last refusal is on screen; none of them touched the description.
    assert "missing.png" in dialog.attachment_message.text() and dialog.attachment_message.isVisible()
    assert dialog.description.toPlainText() == DESCRIPTION
    dialog.attachments.selectAll()
    dialog.attachments.remove_selected()
    assert dialog.attachments.files == ()
    dialog.reject()


def test_intake_shows_the_open_tickets_of_the_machine(window: MainWindow, qtbot: QtBot) -> None:
    dialog = _open_intake(window, qtbot)
    _find_machine(dialog, qtbot, "MK-P2-230106")  # five open tickets in the demo
    assert dialog.open_tickets.isVisible() and dialog.open_tickets.text().count("SOP-") == 5
    dialog.reject()


def test_mine_filter_shows_only_my_tickets(window: MainWindow, demo_services: Services, qtbot: QtBot) -> None:
    queue = window.queue_view
    everyone = queue.model.total
    qtbot.mouseClick(queue.mine_filter, Qt.MouseButton.LeftButton)
    assert queue.mine_filter.isChecked() and not queue.agent_filter.isEnabled()
    assert queue.current_filter().agent_id == window._actor.user_id
    assert queue.model.total < everyone
    qtbot.mouseClick(queue.mine_filter, Qt.MouseButton.LeftButton)
    assert queue.model.total == everyone


def test_i_am_warned_once_when_my_ticket_is_about_to_breach(
    window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    me = window._actor
    tickets = demo_services.tickets
    qtbot.wait(50)
    window._tasks.wait()  # the start-up escalation round, which may touch the same ticket
    assert tickets.needing_attention(me.user_id) == ()
    overdue = next(
        row.entry
        for row in tickets.list_queue(QueueFilter()).rows
        if row.sla.state in (SlaState.AT_RISK, SlaState.BREACHED)
    )
    tickets.assign(overdue.id, me.user_id, actor=me)
    urgent = tickets.needing_attention(me.user_id)
    assert [row.entry.id for row in urgent] == [overdue.id]
    messages: list[str] = []
    window.breach_notifier.announced.connect(messages.append)
    window._tasks.wait()
    window.breach_notifier._announced.clear()
    window.check_attention()
    qtbot.waitUntil(lambda: len(messages) == 1, timeout=10_000)
    assert urgent[0].entry.number in messages[0]
    assert window.breach_notifier.isVisible()
    window.check_attention()
    window._tasks.wait()
    qtbot.wait(50)
    assert len(messages) == 1  # the same state is not announced twice
    menu_actions = window.breach_notifier.menu().actions()
    assert len(menu_actions) == len(urgent)
    menu_actions[0].trigger()
    assert window.ticket_view.detail is not None and window.ticket_view.detail.id == urgent[0].entry.id
