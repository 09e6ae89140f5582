"""Settings → Correo, Plantillas de correo and Bandeja de salida, pressed as an administrator would,
on a real database file and against the real mail lab (Dovecot and aiosmtpd, tests/mail_lab.py):
the settings saved with the passwords in the keyring and never in the database, "Probar conexión"
signing in to both servers (and saying why not with a wrong password), a template edited, previewed
with a ticket's number, saved and restored, an unknown placeholder refused, a failed mail retried
from the outbox; and nobody but an administrator gets these tabs."""

from __future__ import annotations

from dataclasses import replace
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.domain.mail_templates import TemplateCode
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.services.dto import QueueFilter
from desktop_app.services.mail import MailRequest
from desktop_app.services.mail_ports import MailSecurity, ServerSettings
from desktop_app.ui import theme
from desktop_app.ui.main_window import MainWindow, Page
from desktop_app.ui.views.mail_settings_view import MailSettingsView
from desktop_app.ui.views.mail_templates_view import MailTemplatesView
from desktop_app.ui.views.outbox_view import OutboxColumn, OutboxView
from tests.gui.conftest import admin_actor
from tests.mail_lab import MailLab
from tests.memory_keyring import MemoryKeyring

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
SMTP_PASSWORD = "clave-SMTP-que-no-va-a-la-base-7731"
SUPPORT = "soporte@somosmaker.test"


def _shot(widget: QWidget, name: str) -> Path:
    """Keep what the test saw at 1366x768 (artifacts/screenshots/), for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}_es_CO_1366x768.png"
    QApplication.processEvents()
    widget.grab().save(str(path))
    return path


def _click(qtbot: QtBot, button: Any) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# QTest types ASCII only (a non-ASCII character aborts the process: qasciikey.cpp).


def _type(qtbot: QtBot, field: Any, text: str) -> None:
    field.clear()
    qtbot.keyClicks(field, text)


def _mail_tab(window: MainWindow) -> MailSettingsView:
    window.show_page(Page.SETTINGS)
    settings = window.settings_view
    assert settings.mail_view is not None
    settings.tabs.tabBar().setCurrentIndex(settings.mail_tab)
    assert settings.tabs.tabText(settings.mail_tab) == "Correo"
    return settings.mail_view


def _fill_servers(qtbot: QtBot, view: MailSettingsView, lab: MailLab, *, imap_password: str) -> None:
    """The lab's plain ports: AUTH and LOGIN allowed without TLS (the lab's certificate is its own)."""
    for form, port in ((view.smtp, lab.smtp_port), (view.imap, lab.imap_port)):
        form.security.setCurrentIndex(form.security.findData("none"))
        _type(qtbot, form.host, lab.host)
        form.port.setValue(port)
        _type(qtbot, form.user, SUPPORT)
    _type(qtbot, view.smtp.password, lab.password(SUPPORT))
    _type(qtbot, view.imap.password, imap_password)


def test_an_administrator_saves_the_mail_settings_and_the_password_stays_out_of_the_database(
    window: MainWindow, demo_services: Services, qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    view = _mail_tab(window)
    # A desk that never sent mail: the usual ports and protections, the INBOX.
    assert (view.smtp.port.value(), view.smtp.security.currentData()) == (587, "starttls")
    assert (view.imap.port.value(), view.imap.security.currentData()) == (993, "tls")
    assert view.folder.text() == "INBOX"
    assert view.smtp.password.placeholderText() == "aún no hay una guardada"
    view.smtp.security.setCurrentIndex(view.smtp.security.findData("tls"))
    assert view.smtp.port.value() == 465  # the port follows the protection while it is the usual one

    _type(qtbot, view.smtp.host, "smtp.somosmaker.com")
    view.smtp.security.setCurrentIndex(view.smtp.security.findData("starttls"))
    assert view.smtp.port.value() == 587
    _type(qtbot, view.smtp.user, "soporte@somosmaker.com")
    _type(qtbot, view.smtp.password, SMTP_PASSWORD)
    _type(qtbot, view.imap.host, "imap.somosmaker.com")
    _type(qtbot, view.imap.user, "soporte@somosmaker.com")
    _type(qtbot, view.sender_address, "soporte@somosmaker.com")
    _type(qtbot, view.sender_name, "Soporte makeR")
    _type(qtbot, view.message_id_domain, "somosmaker.com")
    view.reopen_days.setValue(15)
    qtbot.mouseClick(view.sending, Qt.MouseButton.LeftButton)
    assert view.sending.isChecked()
    assert view.state.text().startswith("Aún sin guardar")
    with qtbot.waitSignal(view.settings_saved, timeout=10_000):
        _click(qtbot, view.save_button)
    assert view.state.text().startswith("Guardado el") and not view.error.isVisible()

    saved = demo_services.mail.settings()  # read back through the service
    assert (saved.smtp.host, saved.smtp.port, saved.smtp.security, saved.smtp.user) == (
        "smtp.somosmaker.com",
        587,
        "starttls",
        "soporte@somosmaker.com",
    )
    assert (saved.imap.host, saved.imap.port, saved.imap.security, saved.folder) == (
        "imap.somosmaker.com",
        993,
        "tls",
        "INBOX",
    )
    assert (saved.sender_address, saved.sender_name, saved.message_id_domain) == (
        "soporte@somosmaker.com",
        "Soporte makeR",
        "somosmaker.com",
    )
    assert (saved.reopen_window_days, saved.sending_enabled, saved.fetching_enabled) == (15, True, False)
    assert saved.has_smtp_password and not saved.has_imap_password
    # The password went to the keyring; the field is empty and says one is kept.
    assert SMTP_PASSWORD in memory_keyring.secrets.values()
    assert view.smtp.password.text() == ""
    assert view.smtp.password.placeholderText().startswith("guardada en el llavero")
    _shot(window, "settings_mail")
    # ... and never in the database file (nor its write-ahead log).
    demo_services.engine.dispose()
    folder = Path(str(demo_services.settings.db_url).removeprefix("sqlite:///")).parent
    files = [p for p in folder.iterdir() if p.name.startswith("makersupport.sqlite3")]
    assert files
    for path in files:
        assert SMTP_PASSWORD.encode() not in path.read_bytes(), path.name


def test_a_refused_setting_is_named_and_nothing_typed_is_lost(
    window: MainWindow, demo_services: Services, qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    view = _mail_tab(window)
    _type(qtbot, view.smtp.host, "smtp.somosmaker.com")
    _type(qtbot, view.sender_address, "esto no es un correo")
    _type(qtbot, view.smtp.password, SMTP_PASSWORD)
    _click(qtbot, view.save_button)
    qtbot.waitUntil(lambda: view.error.isVisible(), timeout=10_000)
    assert view.error.text()
    assert view.sender_address.text() == "esto no es un correo"
    assert view.smtp.host.text() == "smtp.somosmaker.com" and view.smtp.password.text() == SMTP_PASSWORD
    assert demo_services.mail.settings().smtp.host == ""  # nothing saved
    assert memory_keyring.secrets == {}


def test_probar_conexion_signs_in_to_both_lab_servers_and_says_why_a_wrong_password_fails(
    window: MainWindow, demo_services: Services, qtbot: QtBot, memory_keyring: MemoryKeyring, mailboxes: MailLab
) -> None:
    view = _mail_tab(window)
    _fill_servers(qtbot, view, mailboxes, imap_password=mailboxes.password(SUPPORT))
    _type(qtbot, view.sender_address, SUPPORT)
    _click(qtbot, view.test_button)  # unsaved changes are saved first, then tested
    qtbot.waitUntil(lambda: "✓" in view.smtp_result.text() or "✗" in view.smtp_result.text(), timeout=30_000)
    qtbot.waitUntil(lambda: view.test_button.isEnabled(), timeout=30_000)
    assert view.smtp_result.text().startswith("SMTP ✓"), view.smtp_result.text()
    assert view.imap_result.text() == f"IMAP ✓ Se conectó a {mailboxes.host} y abrió la carpeta INBOX."
    assert view.smtp_result.property("state") == "ok" and view.imap_result.property("state") == "ok"
    _shot(window, "settings_mail_test_ok")

    _type(qtbot, view.imap.password, "no-es-la-clave")
    _click(qtbot, view.test_button)
    assert view.imap_result.text() == "Probando…"  # the window went on while the servers answered
    qtbot.waitUntil(lambda: view.imap_result.text().startswith("IMAP ✗"), timeout=30_000)
    assert view.smtp_result.text().startswith("SMTP ✓")
    message = view.imap_result.text().removeprefix("IMAP ✗").strip()
    assert SUPPORT in message and "contraseña" in message, message  # in words: which user, and why
    assert view.imap_result.property("state") == "refused"
    _shot(window, "settings_mail_test_wrong_password")


def _templates_tab(window: MainWindow) -> MailTemplatesView:
    window.show_page(Page.SETTINGS)
    settings = window.settings_view
    assert settings.mail_templates_view is not None
    settings.tabs.tabBar().setCurrentIndex(settings.mail_templates_tab)
    assert settings.tabs.tabText(settings.mail_templates_tab) == "Plantillas de correo"
    return settings.mail_templates_view


def _click_template(qtbot: QtBot, view: MailTemplatesView, title: str) -> None:
    texts = [view.list.item(i).text() for i in range(view.list.count())]
    row = next(i for i, text in enumerate(texts) if text.startswith(title))
    rect = view.list.visualItemRect(view.list.item(row))
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _click_placeholder(qtbot: QtBot, view: MailTemplatesView, name: str) -> None:
    items = [view.placeholders.item(i) for i in range(view.placeholders.count())]
    item = next(i for i in items if i.text() == "{" + name + "}")
    rect = view.placeholders.visualItemRect(item)
    qtbot.mouseClick(view.placeholders.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_a_template_is_edited_previewed_with_a_ticket_saved_and_restored(
    window: MainWindow, demo_services: Services, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = _templates_tab(window)
    titles = [view.list.item(i).text() for i in range(view.list.count())]
    assert len(titles) == 10 and "Cierre: solucionado" in titles and "Acuse de recibo de un ticket nuevo" in titles
    _click_template(qtbot, view, "Cierre: solucionado")
    assert view.current_code() == "closing_solved"
    original = next(t for t in demo_services.mail.templates() if t.code == "closing_solved")
    assert view.subject.text() == original.subject and not original.edited
    chips = [view.placeholders.item(i).text() for i in range(view.placeholders.count())]
    assert "{solution}" in chips and "{reopen_days}" in chips

    view.subject.setFocus()
    view.subject.end(False)
    qtbot.keyClicks(view.subject, " - caso ")
    _click_placeholder(qtbot, view, "number")  # goes where the person was typing
    assert view.subject.text() == original.subject + " - caso {number}"
    number = demo_services.tickets.list_queue(QueueFilter(open_only=False), 0, 1).rows[0].entry.number
    qtbot.keyClicks(view.ticket, number)
    qtbot.waitUntil(lambda: view.preview_subject.text().endswith("caso " + number), timeout=10_000)
    assert "{" not in view.preview_subject.text()
    _shot(window, "settings_mail_templates")

    _click(qtbot, view.save_button)
    qtbot.waitUntil(lambda: view.list.currentItem().text() == "Cierre: solucionado · editada", timeout=10_000)
    saved = next(t for t in demo_services.mail.templates() if t.code == "closing_solved")
    assert saved.edited and saved.subject == original.subject + " - caso {number}"

    asked: list[str] = []

    def yes(_parent: Any, title: str, text: str, *_args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    _click(qtbot, view.reset_button)
    assert asked and "Cierre: solucionado" in asked[0]
    qtbot.waitUntil(lambda: view.list.currentItem().text() == "Cierre: solucionado", timeout=10_000)
    restored = next(t for t in demo_services.mail.templates() if t.code == "closing_solved")
    assert not restored.edited and restored.subject == original.subject
    assert view.subject.text() == original.subject

    # Leaving a template with changes and answering "Guardar": saved, then the other one opens.
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Save)
    view.body.setFocus()
    qtbot.keyClicks(view.body, "Gracias. ")
    _click_template(qtbot, view, "Envío del certificado")
    qtbot.waitUntil(lambda: view.current_code() == "certificate", timeout=10_000)
    kept = next(t for t in demo_services.mail.templates() if t.code == "closing_solved")
    assert kept.edited and "Gracias. " in kept.body


def test_an_unknown_placeholder_is_refused_and_leaving_unsaved_changes_asks_first(
    window: MainWindow, demo_services: Services, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = _templates_tab(window)
    _click_template(qtbot, view, "Acuse de recibo de un ticket nuevo")
    body = view.body.toPlainText()
    view.body.setFocus()
    qtbot.keyClicks(view.body, "Su tecnico: {tecnico}")
    _click(qtbot, view.save_button)
    qtbot.waitUntil(lambda: view.error.isVisible(), timeout=10_000)  # the service refuses it
    refusal = "Este correo no puede llenar {tecnico}. Los campos que puede usar son: {number}"
    assert view.error.text().startswith(refusal)
    assert not next(t for t in demo_services.mail.templates() if t.code == "acknowledgement").edited
    assert "Su tecnico: {tecnico}" in view.body.toPlainText()  # nothing typed is lost

    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    asked: list[str] = []

    def answer(_parent: Any, title: str, text: str, *_args: Any) -> QMessageBox.StandardButton:
        asked.append(title)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", answer)
    _click_template(qtbot, view, "Respuesta del agente al cliente")
    assert asked == ["Cambios sin guardar"] and view.current_code() == "acknowledgement"  # Cancel: stays
    assert view.list.currentItem().text() == "Acuse de recibo de un ticket nuevo"
    _click_template(qtbot, view, "Respuesta del agente al cliente")
    assert view.current_code() == "reply"  # Discard: the other template, the edit dropped
    _click_template(qtbot, view, "Acuse de recibo de un ticket nuevo")
    assert view.body.toPlainText() == body and len(asked) == 2


def _lab_settings(services: Services, lab: MailLab) -> None:
    """Sending through the lab's plain SMTP port, as the Correo tab would save it."""
    admin = admin_actor(services)
    current = services.mail.settings()
    services.mail.save_settings(
        replace(
            current,
            smtp=ServerSettings(lab.host, lab.smtp_port, MailSecurity.NONE, SUPPORT),
            sender_address=SUPPORT,
            sender_name="Soporte makeR",
            sending_enabled=True,
        ),
        actor=admin,
        smtp_password=lab.password(SUPPORT),
    )


def test_a_failed_mail_is_retried_from_the_outbox(
    qtbot: QtBot,
    qapp: QApplication,
    demo_services: Services,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    mailboxes: MailLab,
) -> None:
    admin = admin_actor(demo_services)
    _lab_settings(demo_services, mailboxes)
    customer = "cliente@cliente.test"
    ticket_id = demo_services.tickets.list_queue(QueueFilter(), 0, 1).rows[0].entry.id
    with demo_services.uow_factory() as uow:  # a reply on a ticket, queued as its use case does
        mail_id = demo_services.mail.outbox_writer.enqueue_in(
            uow,
            MailRequest(TemplateCode.REPLY, facts={"message": "Le escribimos por su impresora."}, to=(customer,)),
            ticket=uow.tickets.get(ticket_id),
            actor=admin,
        )
        uow.commit()
    assert mail_id is not None
    mailboxes.fail_data("554 5.7.1 Mensaje rechazado por la política del servidor")
    demo_services.mail.deliver_due(actor=admin)
    mailboxes.fail_data(None)
    # The window opens once the mail has failed: its own mail job (every round) must not race the setup.
    theme.apply_theme(qapp)
    window = MainWindow(demo_services.desk, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat), admin)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)

    window.show_page(Page.SETTINGS)
    settings = window.settings_view
    assert settings.outbox_view is not None
    settings.tabs.tabBar().setCurrentIndex(settings.outbox_tab)
    assert settings.tabs.tabText(settings.outbox_tab) == "Bandeja de salida"
    outbox = settings.outbox_view
    row = outbox.model.row_of(mail_id)
    assert row is not None
    cells = [outbox.model.index(row, c).data() for c in OutboxColumn]
    assert cells[OutboxColumn.TO] == customer and cells[OutboxColumn.STATE] == "falló"
    assert "554" in cells[OutboxColumn.REASON] and cells[OutboxColumn.ATTEMPTS] == "1"
    assert not outbox.retry_button.isEnabled()  # nothing chosen yet
    outbox.state_filter.setCurrentIndex(outbox.state_filter.findData("failed"))
    assert outbox.state_filter.currentText() == "Fallidos" and outbox.model.rowCount() == 1
    rect = outbox.table.visualRect(outbox.model.index(0, OutboxColumn.SUBJECT))
    qtbot.mouseClick(outbox.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert outbox.retry_button.isEnabled()
    assert outbox.reason.isVisible() and outbox.reason.text().startswith("Falló: ") and "554" in outbox.reason.text()
    _shot(window, "settings_outbox")
    with qtbot.waitSignal(outbox.mail_retried, timeout=10_000):
        _click(qtbot, outbox.retry_button)
    assert outbox.model.rowCount() == 0  # no longer failed
    outbox.state_filter.setCurrentIndex(outbox.state_filter.findData(""))
    again = outbox.model.rows[outbox.model.row_of(mail_id)]
    assert again.state == "queued"

    demo_services.mail.deliver_due(actor=admin)  # the next round of the mail job (or the window's own)

    def shown_sent() -> bool:
        _click(qtbot, outbox.refresh_button)
        return outbox.model.index(outbox.model.row_of(mail_id), OutboxColumn.STATE).data() == "enviado"

    qtbot.waitUntil(shown_sent, timeout=15_000)
    arrived = mailboxes.wait_for_messages(customer, 1)
    received = message_from_bytes(arrived[0], policy=policy.default)
    body = received.get_body(("plain",))
    assert body is not None and "Le escribimos por su impresora." in body.get_content()
    window.close()


def test_only_administrators_get_the_mail_tabs(
    qtbot: QtBot, qapp: QApplication, demo_services: Services, tmp_path: Path
) -> None:
    coordinator = MainWindow(
        demo_services.desk,
        QSettings(str(tmp_path / "coordinator.ini"), QSettings.Format.IniFormat),
        demo_services.users.sign_in("carolina.rojas", DEMO_PASSWORD),
    )
    qtbot.addWidget(coordinator)
    coordinator.show()
    coordinator.show_page(Page.SETTINGS)
    settings = coordinator.settings_view
    tabs = [settings.tabs.tabText(i) for i in range(settings.tabs.count())]
    assert tabs == ["Catálogo de productos", "Datos de la empresa"]
    assert settings.mail_view is None and settings.mail_templates_view is None and settings.outbox_view is None
    assert not coordinator.findChildren(OutboxView) and not coordinator.findChildren(MailSettingsView)
    coordinator.close()

    agent = MainWindow(
        demo_services.desk,
        QSettings(str(tmp_path / "agent.ini"), QSettings.Format.IniFormat),
        demo_services.users.sign_in("laura.perez", DEMO_PASSWORD),
    )
    qtbot.addWidget(agent)
    agent.show()
    assert agent.navigation.item(Page.SETTINGS).isHidden()  # no Settings page at all
    assert not agent.findChildren(MailSettingsView) and not agent.findChildren(MailTemplatesView)
    agent.close()
