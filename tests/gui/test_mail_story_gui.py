"""Issue 14's story in the window, against the real mail lab (Dovecot and aiosmtpd): a customer's mail
opens a ticket; the assigned agent, signed in to the real main window, answers with "Responder al
cliente" and closes with "Cerrar con solución" by pressing the buttons; each mail arrives in the
customer's mailbox; her reply with two photos and then "sigue fallando" come back through the fetch,
and the ticket page shows them, the ticket open again (R14). The mail job's fetch and delivery are
called on the desk as the window's job round calls them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QIODevice, QSettings, Qt, QTimer
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop_app.bootstrap import Services
from desktop_app.domain.ids import CustomerId, TicketId
from desktop_app.domain.model import Channel, TicketStatus
from desktop_app.domain.permissions import SYSTEM
from desktop_app.persistence.tables import MachineRecord, TicketRecord, UserRecord
from desktop_app.services.customers import ContactForm
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.services.mail_ports import MailSecurity
from desktop_app.ui import theme
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.views.ticket_actions import ActionDialog
from tests.gui.conftest import admin_actor, save_screenshot
from tests.integration.test_mail_story import CUSTOMER, SUPPORT, customer_writes, reply_to, text_of
from tests.mail_lab import MailLab


@pytest.fixture
def mail_desk(demo_services: Services, mailboxes: MailLab, monkeypatch: pytest.MonkeyPatch) -> Services:
    """The demo desk reading and sending as soporte@ on the lab; the customer a contact of a demo
    customer whose machine may open a ticket by e-mail, and named in her mail by its serial."""
    monkeypatch.setenv("MAKERSUPPORT_MAIL_PASSWORD", mailboxes.password(SUPPORT))
    monkeypatch.setenv("SSL_CERT_FILE", str(mailboxes.ca_path))
    admin = admin_actor(demo_services)
    demo_services.mail.save_settings(
        replace(
            demo_services.mail.settings(),
            smtp=mailboxes.smtp_settings(security=MailSecurity.STARTTLS),
            imap=mailboxes.imap_settings(security=MailSecurity.STARTTLS),
            sender_address=SUPPORT,
            sender_name="Soporte makeR",
            message_id_domain="somosmaker.test",
            sending_enabled=True,
            fetching_enabled=True,
        ),
        actor=admin,
    )
    return demo_services


def _machine_open_to_mail(services: Services) -> tuple[str, CustomerId]:
    with services.engine.connect() as connection:
        rows = connection.execute(select(MachineRecord.id, MachineRecord.serial, MachineRecord.customer_id)).all()
    for machine_id, serial, customer_id in rows:
        eligibility = services.tickets.eligibility(machine_id)
        if eligibility.allowed and Channel.EMAIL in eligibility.channels:
            return serial, CustomerId(customer_id)
    raise AssertionError("the demo data has no machine that may open a ticket by e-mail")


@pytest.fixture
def agent_window(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> Iterator[Callable[[Services, str], MainWindow]]:
    windows: list[MainWindow] = []

    def open_as(services: Services, username: str) -> MainWindow:
        theme.apply_theme(qapp)
        settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
        window = MainWindow(services.desk, settings, services.users.sign_in(username, DEMO_PASSWORD))
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield open_as
    for window in windows:
        window.close()


def _answer_dialog(handle: Callable[[ActionDialog], None], failures: list[BaseException]) -> None:
    """Answer the modal action dialog once it is on screen (it runs its own event loop)."""

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ActionDialog):
            QTimer.singleShot(20, look)
            return
        try:
            handle(dialog)
        except BaseException as exc:  # a failed check must not leave the modal dialog hanging the run
            failures.append(exc)
            dialog.reject()

    QTimer.singleShot(0, look)


def _photo(color: str) -> bytes:
    """A real JPEG (the timeline draws a thumbnail of each photo)."""
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPEG")
    return bytes(buffer.data().data())


def _with_photos(message: EmailMessage, *names: str) -> EmailMessage:
    for name, color in zip(names, ("orange", "teal", "navy"), strict=False):
        message.add_attachment(_photo(color), maintype="image", subtype="jpeg", filename=name)
    return message


def _show(window: MainWindow, qtbot: QtBot, ticket_id: TicketId) -> None:
    window._tasks.wait()
    window.open_ticket(ticket_id)
    qtbot.waitUntil(lambda: window.actions.detail is not None and window.actions.detail.id == ticket_id)


def test_the_mail_story_in_the_window(
    mail_desk: Services, mailboxes: MailLab, agent_window: Callable[[Services, str], MainWindow], qtbot: QtBot
) -> None:
    services, lab = mail_desk, mailboxes
    serial, customer_id = _machine_open_to_mail(services)
    services.customers.save_contact(
        ContactForm(customer_id, "Ana Cliente", "Jefa de laboratorio", CUSTOMER), actor=admin_actor(services)
    )

    # Ana writes; the mail job fetches it: a ticket opens, and the acknowledgement reaches her.
    first = EmailMessage()
    first["Subject"] = "La impresora no enciende"
    first.set_content(f"Buenos días. La máquina serial: {serial} no enciende desde ayer. Adjunto foto.")
    _with_photos(first, "falla.jpg")
    customer_writes(lab, first)
    services.mail.fetch(actor=SYSTEM)
    services.mail.deliver_due(actor=SYSTEM)
    with services.engine.connect() as connection:
        ticket_id = TicketId(connection.scalar(select(func.max(TicketRecord.id))))
    ticket = services.tickets.get_ticket(ticket_id)
    assert ticket.channel is Channel.EMAIL and ticket.machine_serial == serial
    lab.wait_for_messages(CUSTOMER, 1)

    # The agent it was given to answers from the ticket page.
    with services.engine.connect() as connection:
        username = connection.scalar(select(UserRecord.username).where(UserRecord.id == ticket.agent_id))
    window = agent_window(services, str(username))
    _show(window, qtbot, ticket_id)
    reply_button = window.actions.widgetForAction(window.actions.reply)
    assert reply_button is not None and reply_button.isVisible() and reply_button.isEnabled()
    qtbot.mouseClick(reply_button, Qt.MouseButton.LeftButton)
    composer = window.actions.composer
    assert composer is not None
    qtbot.waitExposed(composer)
    assert composer.to.text() == CUSTOMER
    qtbot.keyClicks(composer.body, "Hola Ana. Revise el fusible de la fuente y nos cuenta.")
    with qtbot.waitSignal(window.actions.ticket_changed, timeout=10_000):
        qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    services.mail.deliver_due(actor=SYSTEM)
    answer = lab.wait_for_messages(CUSTOMER, 2)[1]
    assert "Revise el fusible de la fuente" in text_of(message_from_bytes(answer, policy=policy.default))  # type: ignore[arg-type]

    # She answers that mail with two photos; the ticket page shows them.
    customer_writes(lab, _with_photos(reply_to(answer, "Adjunto las fotos del fusible."), "fusible.jpg", "fuente.jpg"))
    services.mail.fetch(actor=SYSTEM)
    _show(window, qtbot, ticket_id)
    shown = window.ticket_view.timeline.toPlainText()
    assert "Adjunto las fotos del fusible." in shown
    assert {"fusible.jpg", "fuente.jpg"} <= {a.filename for a in window.ticket_view.detail.attachments}

    # The agent closes it with the solution; the closing mail reaches her.
    def close(dialog: ActionDialog) -> None:
        dialog.text.setPlainText("Se cambió el fusible de la fuente de poder.")
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    failures: list[BaseException] = []
    close_button = window.actions.widgetForAction(window.actions.close_solved)
    assert close_button is not None and close_button.isEnabled()
    with qtbot.waitSignal(window.actions.ticket_changed, timeout=10_000):
        _answer_dialog(close, failures)
        qtbot.mouseClick(close_button, Qt.MouseButton.LeftButton)
    assert not failures, failures
    assert window.ticket_view.detail.status is TicketStatus.CLOSED
    services.mail.deliver_due(actor=SYSTEM)
    closing = lab.wait_for_messages(CUSTOMER, 3)[2]
    assert "Se cambió el fusible" in text_of(message_from_bytes(closing, policy=policy.default))  # type: ignore[arg-type]

    # "Sigue fallando": the fetch reopens it, and the page shows it open with every mail on it.
    customer_writes(lab, reply_to(closing, "Sigue fallando: se apagó otra vez."))
    services.mail.fetch(actor=SYSTEM)
    _show(window, qtbot, ticket_id)
    detail = window.ticket_view.detail
    assert detail.status.is_open and detail.reopen_count == 1 and detail.due_at is not None
    shown = window.ticket_view.timeline.toPlainText()
    for words in (
        "no enciende desde ayer",
        "Revise el fusible",
        "Adjunto las fotos",
        "Se cambió el fusible",
        "Sigue fallando",
    ):
        assert words in shown, words
    # Each received mail lists the files it brought, though the demo's clock puts every step at one
    # moment: her first mail its photo, her answer its two, "sigue fallando" none.
    listed = sorted(sorted(n.split(" (")[0] for n in line.split(": ", 1)[1].split(", ")) for line in _file_lines(shown))
    assert listed == [["falla.jpg"], ["fuente.jpg", "fusible.jpg"]], shown
    save_screenshot(window, "mail_story_reopened_es_CO")


def _file_lines(timeline: str) -> list[str]:
    """The timeline's "Files: a.jpg (1 KB), b.jpg (2 KB)" lines, one per mail that brought files."""
    return [line for line in timeline.splitlines() if ".jpg (" in line and ": " in line]
