"""Saved mails and "Correo sin clasificar" (issue 14), through the window: an .eml from an unknown
sender imported with File → "Importar correo guardado…" waits in the list, is linked to a customer
and a ticket opens; another, dropped on the window, is discarded with a reason; a customer's reply
with a photo shows on its ticket's timeline with the file, and "Ver original" saves the .eml without
ever replacing a file silently."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.domain.ids import TicketId
from desktop_app.domain.model import Channel, TicketStatus
from desktop_app.services.dto import QueueFilter
from desktop_app.ui.main_window import MainWindow, Page
from desktop_app.ui.shell import menus
from desktop_app.ui.views import ticket_mail_render
from desktop_app.ui.views.mail_import import MailImportSummary
from desktop_app.ui.views.ticket_mail_render import mail_anchor
from desktop_app.ui.views.unclassified_mail_view import UnclassifiedMailView
from tests.conftest import DEMO_NOW

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def saved_mail(
    folder: Path, name: str, sender: str, subject: str, text: str, files: tuple[tuple[str, bytes], ...] = ()
) -> Path:
    """A mail as a mail program saves it (.eml)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "soporte@somosmaker.com"
    message["Subject"] = subject
    message["Date"] = format_datetime(DEMO_NOW)
    message["Message-ID"] = make_msgid(domain="cliente.example")
    message.set_content(text)
    for filename, content in files:
        message.add_attachment(content, maintype="image", subtype="png", filename=filename)
    path = folder / name
    path.write_bytes(message.as_bytes())
    return path


def png(width: int = 64, height: int = 48) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#E8611A"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def drop_files(window: MainWindow, paths: list[Path]) -> bool:
    """Drag files over the window and drop them, as a file manager does; whether it took them."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    position = QPointF(window.width() / 2, window.height() / 2)
    actions = Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(position, actions, mime, buttons, keys)
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(position, actions, mime, buttons, keys)
    QApplication.sendEvent(window, drop)
    return drop.isAccepted()


def import_with_the_menu(window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, paths: list[Path]):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(menus.QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(p) for p in paths], ""))
    mail_import = window.menus.mail_import
    assert mail_import is not None and window.menus.mail_import_action is not None
    with qtbot.waitSignal(mail_import.summary_shown, timeout=20_000) as shown:
        window.menus.mail_import_action.trigger()
    summary: MailImportSummary = shown.args[0]
    return summary


def page(window: MainWindow) -> UnclassifiedMailView:
    window.menus.page_actions[Page.MAIL].trigger()  # View → Correo sin clasificar (Ctrl+9)
    assert window.pages.currentIndex() == Page.MAIL
    view = window.mail_view
    assert view is not None
    return view


def test_unknown_sender_waits_unclassified_then_is_linked_and_a_ticket_opens(
    window: MainWindow, demo_services: Services, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stranger = "maria.gomez.taller@gmail.com"
    first = saved_mail(
        tmp_path,
        "impresora.eml",
        f"María Gómez <{stranger}>",
        "La impresora no calienta la cama",
        "Buenos días, la cama de la impresora no pasa de 40 grados desde ayer. ¿Me ayudan?",
    )
    other = saved_mail(
        tmp_path, "cotizacion.eml", "ventas@proveedor.example", "Cotización de filamento", "Le ofrecemos filamento PLA."
    )
    summary = import_with_the_menu(window, qtbot, monkeypatch, [first, other])
    assert summary.lines() == [("impresora.eml", "sin clasificar"), ("cotizacion.eml", "sin clasificar")]
    summary.close()

    view = page(window)
    assert view.model.rowCount() == 2
    assert view.count_label.text() == "2 correos en espera"
    subjects = [view.model.index(r, 2).data() for r in range(2)]
    assert "La impresora no calienta la cama" in subjects
    view.select(next(int(r.id) for r in view.rows.values() if r.from_address == stranger))
    assert "40 grados" in view.text.toPlainText()
    assert view.model.index(view.table.currentIndex().row(), 3).data() == "Remitente desconocido"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SCREENSHOTS / "mail_unclassified_es_CO_1366x768.png"))

    # Vincular a cliente…: a customer, one of their machines, and the sender as a new contact.
    customer_id, machine = next(
        (int(c.value), m.machine)
        for c in demo_services.contracts.customers()
        for m in demo_services.customers.page(int(c.value)).machines
        if m.eligibility.allowed and Channel.EMAIL in m.eligibility.channels
    )

    def fill_link_dialog() -> None:
        dialog = view.link_dialog
        assert dialog is not None
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.click()  # no customer chosen yet: refused in the dialog
        assert dialog.isVisible() and dialog.error.isVisible()
        dialog.choose_customer(customer_id)
        dialog.machine.setCurrentIndex(dialog.machine.findData(int(machine.id)))
        dialog.add_contact.setChecked(True)
        dialog.error.hide()
        QApplication.processEvents()
        dialog.grab().save(str(SCREENSHOTS / "mail_link_dialog_es_CO_1366x768.png"))
        ok.click()

    QTimer.singleShot(0, fill_link_dialog)
    view.link_button.click()
    qtbot.waitUntil(lambda: window.pages.currentIndex() == Page.TICKET, timeout=20_000)
    detail = window.ticket_view.detail
    assert detail is not None
    assert int(detail.customer_id) == customer_id and int(detail.machine_id) == int(machine.id)
    assert detail.channel is Channel.EMAIL and detail.status.is_open  # waiting when R2 lacks images
    assert "La impresora no calienta la cama" in window.ticket_view.timeline.toPlainText()
    contacts = [c.contact.email for c in demo_services.customers.page(customer_id).contacts]
    assert stranger in contacts
    assert [r.from_address for r in view.rows.values()] == ["ventas@proveedor.example"]


def test_a_dropped_mail_is_discarded_with_a_reason(
    window: MainWindow, demo_services: Services, qtbot: QtBot, tmp_path: Path
) -> None:
    spam = saved_mail(tmp_path, "oferta.eml", "promo@ofertas.example", "¡Gane un viaje!", "Haga clic aquí.")
    not_mail = tmp_path / "foto.png"
    not_mail.write_bytes(png())
    assert not drop_files(window, [not_mail])  # only saved mails are taken by the window
    mail_import = window.menus.mail_import
    assert mail_import is not None
    with qtbot.waitSignal(mail_import.summary_shown, timeout=20_000) as shown:
        assert drop_files(window, [spam])
    assert shown.args[0].lines() == [("oferta.eml", "sin clasificar")]
    shown.args[0].close()

    view = page(window)
    assert view.model.rowCount() == 1

    def fill_discard_dialog() -> None:
        dialog = view.discard_dialog
        assert dialog is not None and dialog.windowTitle() == "Descartar correo"
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.click()  # no reason: refused in the dialog
        assert dialog.isVisible() and dialog.error.isVisible()
        dialog.text.setPlainText("Publicidad, no es de soporte.")
        ok.click()

    QTimer.singleShot(0, fill_discard_dialog)
    view.discard_button.click()
    qtbot.waitUntil(lambda: view.model.rowCount() == 0, timeout=20_000)
    assert demo_services.desk.mail.unclassified() == []
    assert "No hay correo sin clasificar" in view.empty.text()


def test_a_customer_reply_shows_on_the_timeline_with_its_photo_and_view_original_never_replaces_silently(
    window: MainWindow, demo_services: Services, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tickets = demo_services.tickets
    ticket = next(
        tickets.get_ticket(r.entry.id)
        for r in tickets.list_queue(QueueFilter()).rows
        if r.entry.status is TicketStatus.IN_PROGRESS and tickets.get_ticket(r.entry.id).customer_email.isascii()
    )
    photo = png()
    reply = saved_mail(
        tmp_path,
        "respuesta.eml",
        ticket.customer_email,
        f"Re: [{ticket.number}] Fotos de la boquilla",
        "Adjunto la foto de la boquilla como la pidieron.",
        (("boquilla.png", photo),),
    )
    mail_import = window.menus.mail_import
    assert mail_import is not None
    with qtbot.waitSignal(mail_import.summary_shown, timeout=20_000) as shown:
        assert drop_files(window, [reply])
    assert shown.args[0].lines() == [("respuesta.eml", f"ticket {ticket.number}")]
    shown.args[0].close()

    window.open_ticket(ticket.id)
    timeline = window.ticket_view.timeline.toPlainText()
    assert "Correo recibido" in timeline
    assert f"Re: [{ticket.number}] Fotos de la boquilla" in timeline
    assert "Adjunto la foto de la boquilla" in timeline and "boquilla.png" in timeline
    assert "boquilla.png" in [a.filename for a in window.ticket_view.detail.attachments]

    # One reply queued and one that failed for good, beside the customer's: the timeline with mail.
    mail = demo_services.desk.mail
    tickets.reply_to_customer(
        TicketId(ticket.id), "Gracias por la foto: la boquilla está tapada.", [], actor=window._actor
    )
    tickets.reply_to_customer(TicketId(ticket.id), "Le enviamos el procedimiento de limpieza.", [], actor=window._actor)
    failed = max(m.id for m in mail.ticket_mails(TicketId(ticket.id)) if m.direction == "out")
    with demo_services.uow_factory() as uow:
        uow.mail.mark_failed(failed, attempts=1, reason="550 5.1.1 el buzón no existe")
        uow.commit()
    window.open_ticket(ticket.id)
    timeline = window.ticket_view.timeline.toPlainText()
    assert "falló: 550 5.1.1 el buzón no existe" in timeline and "en cola" in timeline
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SCREENSHOTS / "mail_timeline_es_CO_1366x768.png"))
    received = next(m for m in mail.ticket_mails(TicketId(ticket.id)) if m.direction == "in")
    window.ticket_view.timeline.scrollToAnchor(mail_anchor(received))
    window.grab().save(str(SCREENSHOTS / "mail_timeline_received_es_CO_1366x768.png"))

    # "Ver original" saves the received mail as it came…
    target = tmp_path / "guardado" / "original.eml"
    target.parent.mkdir()
    monkeypatch.setattr(ticket_mail_render.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]

    def question(_parent, _title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(ticket_mail_render.QMessageBox, "question", question)
    link = QUrl(f"original:in/{received.id}")
    window.ticket_view.timeline.anchorClicked.emit(link)
    qtbot.waitUntil(target.exists, timeout=10_000)
    window._tasks.wait()
    assert target.read_bytes() == reply.read_bytes() and asked == []

    # …and never over an existing file without asking: "No" keeps it, "Sí" replaces it.
    target.write_bytes(b"mi archivo")
    window.ticket_view.timeline.anchorClicked.emit(link)
    window._tasks.wait()
    assert len(asked) == 1 and "ya existe" in asked[0]
    assert target.read_bytes() == b"mi archivo"
    answer[0] = QMessageBox.StandardButton.Yes
    window.ticket_view.timeline.anchorClicked.emit(link)
    qtbot.waitUntil(lambda: target.read_bytes() != b"mi archivo", timeout=10_000)
    assert target.read_bytes() == reply.read_bytes() and len(asked) == 2
