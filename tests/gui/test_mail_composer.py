"""The ticket page's "Responder al cliente" (issue 14): the composer with a template and a file
queues a mail that counts as the response (R7), the timeline shows it "en cola" and the outbox
holds it; "Pedir información" puts the ticket waiting (R9); a refusal keeps every word typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.domain.model import EventKind, TicketStatus
from desktop_app.services.dto import QueueFilter, QueueRow
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.views import mail_composer
from desktop_app.ui.views.mail_composer import MailComposerDialog
from tests.gui.conftest import save_screenshot

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def _unanswered(services: Services) -> QueueRow:
    """A new ticket nobody answered yet, whose customer has a plain e-mail address."""
    return next(
        r
        for r in services.tickets.list_queue(QueueFilter()).rows
        if r.entry.status is TicketStatus.NEW
        and services.tickets.get_ticket(r.entry.id).customer_email.isascii()
        and services.tickets.get_ticket(r.entry.id).first_responded_at is None
    )


def _open_composer(window: MainWindow, qtbot: QtBot, ticket_id: int) -> MailComposerDialog:
    window._tasks.wait()
    window.open_ticket(ticket_id)
    actions = window.actions
    assert actions.reply.isVisible() and actions.reply.isEnabled()
    actions.reply.trigger()
    composer = actions.composer
    assert composer is not None
    qtbot.waitExposed(composer)
    return composer


def test_R7_reply_with_a_file_is_queued_and_counts_as_the_first_response(
    window: MainWindow, demo_services: Services, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = _unanswered(demo_services)
    composer = _open_composer(window, qtbot, row.entry.id)
    detail = window.ticket_view.detail
    assert composer.to.text() == detail.customer_email and composer.to.isReadOnly()
    assert composer.tag.text() == f"[{detail.number}]"
    assert not composer.send_button.isEnabled()  # nothing written yet

    # The text goes out as the reply template's message; the preview shows the mail as it will read.
    assert composer.template.currentData() == "reply"
    qtbot.keyClicks(composer.body, "Revise la boquilla con el manual adjunto y nos cuenta.")
    composer.tabs.setCurrentWidget(composer.preview)
    preview = composer.preview.toPlainText()
    assert preview.startswith("Hola") and "Revise la boquilla con el manual adjunto" in preview
    assert detail.number in preview
    assert composer.subject.text().startswith("Respuesta a su caso")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    composer.grab().save(str(SCREENSHOTS / "mail_composer_preview_es_CO_1366x768.png"))

    manual = tmp_path / "manual-boquilla.pdf"
    manual.write_bytes(b"%PDF-1.4 manual de la boquilla\n" * 200)
    monkeypatch.setattr(mail_composer.QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(manual)], ""))
    composer.add_files_button.click()
    assert [f.filename for f in composer.files.files] == ["manual-boquilla.pdf"]
    assert "25" in composer.size_label.text()  # the limit is told before sending
    composer.tabs.setCurrentWidget(composer.body)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    composer.grab().save(str(SCREENSHOTS / "mail_composer_es_CO_1366x768.png"))

    with qtbot.waitSignal(window.actions.ticket_changed, timeout=10_000):
        composer.send_button.click()
    assert composer.sent and not composer.isVisible()

    shown = window.ticket_view.detail
    assert shown.first_responded_at is not None  # R7: the reply is the first response
    timeline = window.ticket_view.timeline.toPlainText()
    assert "en cola" in timeline and "Revise la boquilla con el manual adjunto" in timeline
    assert f"Para: {detail.customer_email}" in timeline
    assert any(e.kind is EventKind.EMAIL_SENT for e in shown.timeline)
    mail = demo_services.desk.mail
    queued = [m for m in mail.ticket_mails(shown.id) if m.direction == "out" and m.template == "reply"]
    assert len(queued) == 1 and queued[0].state == "queued" and queued[0].to == (detail.customer_email,)
    assert queued[0].subject.startswith(f"[{detail.number}]")
    assert b"manual-boquilla.pdf" in mail.raw_mail("out", queued[0].id)  # the file goes with it
    assert queued[0].id in [m.id for m in mail.outbox(()) if m.ticket_id == shown.id]
    save_screenshot(window, "mail_reply_sent_es_CO")


def test_R9_request_information_puts_the_ticket_waiting(
    window: MainWindow, demo_services: Services, qtbot: QtBot
) -> None:
    row = _unanswered(demo_services)
    composer = _open_composer(window, qtbot, row.entry.id)
    assert not composer.request_button.isEnabled()
    qtbot.keyClicks(composer.body, "Por favor ")  # QTest types ASCII only; the accents are pasted
    composer.body.insertPlainText("envíe una foto de la pantalla y el número de serie.")
    assert composer.request_button.isEnabled()
    with qtbot.waitSignal(window.actions.ticket_changed, timeout=10_000):
        composer.request_button.click()
    shown = window.ticket_view.detail
    assert shown.status is TicketStatus.WAITING_CUSTOMER
    assert window.ticket_view.sla_chip.text() == "en pausa"
    mails = demo_services.desk.mail.ticket_mails(shown.id)
    assert [m.state for m in mails if m.template == "info_request"] == ["queued"]
    assert "Por favor envíe una foto" in window.ticket_view.timeline.toPlainText()


def test_a_refused_reply_keeps_the_text_and_a_closed_composer_keeps_its_draft(
    window: MainWindow, demo_services: Services, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = _unanswered(demo_services)
    composer = _open_composer(window, qtbot, row.entry.id)
    text = "Le escribo para confirmar la visita del jueves."
    qtbot.keyClicks(composer.body, text)
    # Someone closes the ticket meanwhile: the service refuses; nothing typed is lost.
    admin = window._actor
    demo_services.tickets.mark_out_of_scope(
        row.entry.id, actor=admin, reason="No es de soporte", closing_for_reason="Prueba de rechazo"
    )
    composer.request_button.click()
    qtbot.waitUntil(lambda: composer.error.isVisible(), timeout=10_000)
    assert composer.isVisible() and composer.body.toPlainText() == text
    assert composer.send_button.isEnabled()

    composer.cancel_button.click()  # closed without sending: the draft stays for this ticket
    window.actions.reply.trigger()
    again = window.actions.composer
    assert again is not None and again is not composer
    assert again.body.toPlainText() == text
    again.cancel_button.click()
