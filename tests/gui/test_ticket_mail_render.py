"""A mail on the timeline is text, never live HTML: markup in a mail shows as written, and the
timeline's browser loads no resource of its own choosing (no network, no local file)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from desktop_app.services.mail_dto import TicketMail
from desktop_app.ui.views.ticket_mail_render import MAX_TEXT_LINES, TimelineBrowser, mail_block, shown_text

BOGOTA = ZoneInfo("America/Bogota")


def _mail(text: str, *, direction: str = "in", state: str = "ticket", reason: str = "") -> TicketMail:
    return TicketMail(
        direction,
        7,
        datetime(2026, 11, 26, 15, 0, tzinfo=UTC),
        "cliente@example.com",
        ("soporte@somosmaker.com",),
        "Re: [SOP-2026-00001] <b>Fotos</b>",
        text,
        state,
        reason,
    )


def test_markup_in_a_mail_is_shown_as_text_and_nothing_remote_is_loaded(qtbot) -> None:  # type: ignore[no-untyped-def]
    hostile = "<img src='http://tracker.example/pixel.gif'><script>alert(1)</script> Hola"
    block = mail_block(_mail(hostile), BOGOTA)
    assert "<img src='http" not in block and "<script>" not in block
    browser = TimelineBrowser()
    qtbot.addWidget(browser)
    browser.setHtml(block)
    assert "<img src='http://tracker.example/pixel.gif'>" in browser.toPlainText()  # the text as written
    assert "<b>Fotos</b>" in browser.toPlainText()
    image = int(QTextDocument.ResourceType.ImageResource)
    assert browser.loadResource(image, QUrl("http://tracker.example/pixel.gif")) is None
    assert browser.loadResource(image, QUrl("file:///etc/passwd")) is None
    assert "Ver original" in browser.toPlainText()


def test_the_timeline_shows_the_start_of_a_mail_without_the_quoted_one() -> None:
    text = "Sigue fallando.\n\n\n\nAdjunto foto.\n> El 26 nov escribió Soporte:\n> Hola"
    assert shown_text(text) == "Sigue fallando.\n\nAdjunto foto."
    long = "\n".join(f"línea {n}" for n in range(40))
    shown = shown_text(long).splitlines()
    assert shown[:MAX_TEXT_LINES] == [f"línea {n}" for n in range(MAX_TEXT_LINES)]
    assert shown[-1] == "[…] El resto está en el original."


def test_the_state_of_our_mail_is_a_badge_that_says_it() -> None:
    failed = mail_block(_mail("x", direction="out", state="failed", reason="550 buzón no existe"), BOGOTA)
    assert "falló: 550 buzón no existe" in failed
    assert "en cola" in mail_block(_mail("x", direction="out", state="queued"), BOGOTA)
    assert "enviado" in mail_block(_mail("x", direction="out", state="sent"), BOGOTA)
    assert "rebotado" in mail_block(_mail("x", direction="out", state="bounced"), BOGOTA)
    assert "en cola" not in mail_block(_mail("x"), BOGOTA)  # a received mail has no badge
