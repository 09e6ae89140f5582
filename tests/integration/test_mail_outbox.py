"""Issue 14, outbound: every mail is queued in the transaction of the change that causes it, written
from its template with the ticket's facts, signed and threaded, and delivered by the mail job with
retries — against the real SMTP server of the mail lab (tests/mail_lab.py), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import email
from dataclasses import replace
from datetime import timedelta
from email import policy

import pytest
from sqlalchemy import select, text

from desktop_app.domain.ids import CustomerId, MachineId, TicketId, UserId
from desktop_app.domain.mail import verified_ticket_number
from desktop_app.domain.mail_templates import TemplateCode
from desktop_app.domain.model import Channel, EventKind, Severity, TicketStatus
from desktop_app.domain.permissions import SYSTEM
from desktop_app.errors import PermissionDeniedError, PolicyRefusal, UserFacingError
from desktop_app.mail.reading import StdlibMailReader
from desktop_app.persistence.tables import AuditRecord, MailSettingsRecord
from desktop_app.services.mail_dto import MailRequest, OutboxState, TicketMail
from desktop_app.services.mail_ports import MailSecurity
from desktop_app.services.tickets import IntakeRequest, NewAttachment
from desktop_app.signing import generate_keys
from tests.integration.world import PHOTO, World, bogota
from tests.mail_lab import SUPPORT, MailLab
from tests.memory_keyring import MemoryKeyring

pytestmark = pytest.mark.usefixtures("english_ui")

CUSTOMER = "cliente@cliente.test"  # a mailbox of the lab: what the desk sends arrives there
DESCRIPTION = "La impresora no calienta la cama desde ayer y la primera capa no pega."
PASSWORD = "Clave-del-correo-Ñandú-7731"


def _ticket(w: World, machine: str = "uni_m3", *, photo: bool = True, contact_email: str = CUSTOMER) -> TicketId:
    request = IntakeRequest(
        MachineId(w.ids[machine]),
        DESCRIPTION,
        Severity.HIGH,
        Channel.EMAIL,
        UserId(w.ids["laura"]),
        (PHOTO,) if photo else (),
        contact_email=contact_email,
    )
    return w.services.tickets.create_ticket(request, actor=w.actor("laura")).id


def _mails(w: World, ticket_id: TicketId) -> tuple[TicketMail, ...]:
    return w.services.mail.ticket_mails(ticket_id)


def _outbox_count(w: World) -> int:
    with w.services.uow_factory() as uow:
        return len(uow.queries.mail.outbox())


def _parsed(w: World, mail_id: int):  # type: ignore[no-untyped-def]
    return StdlibMailReader().parse(w.services.mail.raw_mail("out", mail_id))


def _configure(w: World, lab: MailLab, memory: MemoryKeyring, *, enabled: bool = True) -> None:
    """Point the desk at the lab's plain SMTP port, signing in as the support mailbox."""
    mail = w.services.mail
    settings = replace(
        mail.settings(),
        smtp=lab.smtp_settings(SUPPORT, MailSecurity.NONE),
        imap=lab.imap_settings(SUPPORT, MailSecurity.NONE),
        sender_address=SUPPORT,
        sender_name="Soporte makeR",
        message_id_domain="somosmaker.test",
        sending_enabled=enabled,
    )
    mail.save_settings(
        settings, actor=w.actor("admin"), smtp_password=lab.password(SUPPORT), imap_password=lab.password(SUPPORT)
    )


# -- queued with the change, or not at all ------------------------------------------------------------


def test_R13_the_closing_mail_is_queued_with_the_close_and_says_that_replying_reopens(world: World) -> None:
    ticket_id = _ticket(world)
    world.clock.set(bogota(2026, 12, 1, 11, 0))
    detail = world.services.tickets.close_solved(
        ticket_id, solution="Se cambió el termistor de la cama y se calibró.", actor=world.actor("laura")
    )
    closing = _mails(world, ticket_id)[-1]
    assert closing.template == TemplateCode.CLOSING_SOLVED and closing.state == "queued"
    assert closing.to == (CUSTOMER,)
    assert closing.subject.startswith(f"[{detail.number}] ")
    assert "Se cambió el termistor de la cama y se calibró." in closing.text
    assert "30 días" in closing.text and "responda a este correo" in closing.text  # R14: replying reopens
    event = detail.timeline[0]
    assert event.kind is EventKind.EMAIL_SENT and event.data["mail_id"] == str(closing.id)


def test_R13_each_way_of_closing_sends_its_own_template(world: World) -> None:
    tickets, laura = world.services.tickets, world.actor("laura")
    out_of_scope = _ticket(world)
    tickets.mark_out_of_scope(out_of_scope, reason="Es una impresora de otra marca.", actor=laura)
    mail = _mails(world, out_of_scope)[-1]
    assert mail.template == TemplateCode.CLOSING_OUT_OF_SCOPE and "Es una impresora de otra marca." in mail.text


def test_a_refused_ticket_change_leaves_no_mail(world: World) -> None:
    ticket_id = _ticket(world)
    before = _outbox_count(world)
    with pytest.raises(PolicyRefusal):  # R12: no three contact attempts yet
        world.services.tickets.close_no_response(ticket_id, actor=world.actor("laura"))
    assert _outbox_count(world) == before
    assert world.services.tickets.get_ticket(ticket_id).status is not TicketStatus.CLOSED_NO_RESPONSE


def test_a_failing_mail_insert_leaves_the_ticket_unchanged(world: World, backend: str) -> None:
    """The database refuses the outbox row (a trigger): the close it belonged to is not written either."""
    ticket_id = _ticket(world)
    statements = {
        "sqlite": [
            "CREATE TRIGGER no_mail BEFORE INSERT ON mail_outbox BEGIN SELECT RAISE(ABORT, 'no mail today'); END"
        ],
        "postgresql": [
            "CREATE FUNCTION no_mail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no mail today'; END $$ "
            "LANGUAGE plpgsql",
            "CREATE TRIGGER no_mail BEFORE INSERT ON mail_outbox FOR EACH ROW EXECUTE FUNCTION no_mail()",
        ],
    }[backend]
    with world.services.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    with pytest.raises(Exception, match="no mail today"):
        world.services.tickets.close_solved(ticket_id, solution="Cambio de boquilla.", actor=world.actor("laura"))
    detail = world.services.tickets.get_ticket(ticket_id)
    assert detail.status is TicketStatus.NEW and detail.closed_at is None
    assert not [e for e in detail.timeline if e.kind is EventKind.STATUS_CHANGE and e.data.get("to") == "closed"]


# -- what the mail says, and its headers -----------------------------------------------------------------


def test_the_acknowledgement_tells_the_number_the_due_time_in_colombia_and_what_R2_still_needs(world: World) -> None:
    ticket_id = _ticket(world, photo=False)  # R2: no images, the ticket waits for them
    detail = world.services.tickets.get_ticket(ticket_id)
    assert world.services.mail.reply_address(ticket_id) == CUSTOMER  # the ticket's own address
    (ack,) = _mails(world, ticket_id)
    assert ack.template == TemplateCode.ACKNOWLEDGEMENT and ack.to == (CUSTOMER,)
    assert detail.number in ack.text and "Laura Pérez" in ack.text
    assert "La impresora no calienta la cama desde ayer y la primera capa no pega." in ack.text
    # Profesional, Alta: 8 working hours from Tuesday 9:10 → Wednesday 9:10, told in Bogotá's time.
    assert "miércoles 2 de diciembre de 2026, 9:10 a. m." in ack.text
    assert "Fotos o un video corto del problema" in ack.text  # what is missing
    parsed = _parsed(world, ack.id)
    assert parsed.automatic.lower().startswith("auto-submitted: auto-replied")


def test_every_mail_of_a_ticket_is_threaded_signed_and_tagged_once(world: World) -> None:
    ticket_id = _ticket(world)
    tickets, laura = world.services.tickets, world.actor("laura")
    detail = tickets.reply_to_customer(ticket_id, "Revise por favor el cable del termistor.", actor=laura)
    ack, reply = _mails(world, ticket_id)
    with world.services.uow_factory() as uow:
        secret = bytes.fromhex(uow.mail.signing_secret())
    for mail in (ack, reply):
        assert verified_ticket_number(secret, mail.message_id) == detail.number
        assert mail.subject.count(f"[{detail.number}]") == 1
    parsed = _parsed(world, reply.id)
    assert parsed.message_id == reply.message_id
    assert parsed.in_reply_to == (ack.message_id,) and parsed.references == (ack.message_id,)
    assert parsed.automatic == ""  # a person wrote it
    assert "Revise por favor el cable del termistor." in parsed.text


def test_R7_a_reply_by_mail_is_the_first_response_and_carries_its_files(world: World) -> None:
    ticket_id = _ticket(world)
    world.clock.set(bogota(2026, 12, 1, 10, 0))
    log = NewAttachment("registro.txt", "Temperatura: 24 °C\n".encode(), "text/plain")
    detail = world.services.tickets.reply_to_customer(
        ticket_id, "Adjunto el registro de la prueba.", [log], actor=world.actor("laura")
    )
    assert detail.first_responded_at == bogota(2026, 12, 1, 10, 0)
    assert detail.status is TicketStatus.IN_PROGRESS
    comment = next(e for e in detail.timeline if e.kind is EventKind.COMMENT)
    assert comment.data["to_customer"] == "yes"
    reply = _mails(world, ticket_id)[-1]
    (attached,) = _parsed(world, reply.id).attachments
    assert attached.filename == "registro.txt" and attached.content == "Temperatura: 24 °C\n".encode()


def test_R9_a_request_for_information_puts_the_ticket_waiting_and_mails_what_is_needed(world: World) -> None:
    ticket_id = _ticket(world)
    detail = world.services.tickets.request_information(
        ticket_id, "Necesitamos acceso por TeamViewer y una foto de la pantalla.", actor=world.actor("laura")
    )
    assert detail.status is TicketStatus.WAITING_CUSTOMER and detail.first_responded_at is not None
    assert detail.sla.state.value == "paused"
    mail = _mails(world, ticket_id)[-1]
    assert mail.template == TemplateCode.INFO_REQUEST
    assert "Necesitamos acceso por TeamViewer y una foto de la pantalla." in mail.text
    assert "el tiempo de respuesta se detiene" in mail.text


def test_R12_a_contact_attempt_by_email_is_a_mail_stating_the_wait(world: World) -> None:
    ticket_id = _ticket(world)
    tickets, laura = world.services.tickets, world.actor("laura")
    tickets.set_waiting(ticket_id, reason="Acceso remoto", actor=laura)
    tickets.log_contact_attempt(ticket_id, method="email", note="¿Pudo revisar el cable?", wait_days=3, actor=laura)
    mail = _mails(world, ticket_id)[-1]
    assert mail.template == TemplateCode.CONTACT_ATTEMPT
    assert "intento de contacto 1 de 3" in mail.text and "3 días hábiles" in mail.text
    assert "¿Pudo revisar el cable?" in mail.text
    before = len(_mails(world, ticket_id))
    world.clock.set(bogota(2026, 12, 2, 9, 0))
    tickets.log_contact_attempt(ticket_id, method="phone", note="Llamada sin respuesta", actor=laura)
    assert len(_mails(world, ticket_id)) == before  # a phone call sends nothing


def test_R11_escalation_notices_go_by_mail_to_the_next_level(world: World) -> None:
    ticket_id = _ticket(world)
    world.services.tickets.escalate(ticket_id, note="El cliente tiene una entrega mañana.", actor=world.actor("laura"))
    notice = _mails(world, ticket_id)[-1]
    assert notice.template == TemplateCode.ESCALATION
    assert notice.to == ("carolina.rojas@somosmaker.com",)  # the person level 2 names (the policy's)
    assert "nivel 2" in notice.text and "un agente lo escaló a mano" in notice.text
    parsed = _parsed(world, notice.id)
    assert parsed.references == ()  # staff mail stays out of the customer's thread
    # The round escalates a breached ticket by itself (R11), and tells the next level by mail too.
    other = _ticket(world)
    world.clock.set(bogota(2026, 12, 3, 12, 0))
    world.services.tickets.check_escalations(actor=SYSTEM)
    assert any(m.template == TemplateCode.ESCALATION for m in _mails(world, other))


def test_R15_the_certificate_goes_to_the_customer_with_its_pdf(world: World) -> None:
    generate_keys(world.services.settings.keys_dir)
    issued = world.services.certificates.issue(world.ids["c_uni"], actor=world.actor("admin"))
    assert issued.mail_id is not None
    with world.services.uow_factory() as uow:
        (mail,) = [m for m in uow.queries.mail.outbox() if m.id == issued.mail_id]
    assert mail.template == TemplateCode.CERTIFICATE and mail.to == ("uni@x.co",) and mail.ticket_id is None
    parsed = _parsed(world, issued.mail_id)
    (pdf,) = parsed.attachments
    assert pdf.filename == f"{issued.number}.pdf" and pdf.content == issued.pdf
    assert issued.number in parsed.text and issued.data.plan_name in parsed.text


# -- when no mail can go ------------------------------------------------------------------------------


def test_a_customer_without_an_address_gets_no_mail_and_the_timeline_says_why(world: World) -> None:
    with world.services.uow_factory() as uow:
        customer, version = uow.customers.get(CustomerId(world.ids["uni"]))  # type: ignore[misc]
        uow.customers.update(replace(customer, email=""), version)
        uow.commit()
    before = _outbox_count(world)
    ticket_id = _ticket(world, contact_email="")  # nor a contact with an address
    assert world.services.mail.reply_address(ticket_id) == ""
    assert _outbox_count(world) == before
    event = world.services.tickets.get_ticket(ticket_id).timeline[0]
    assert event.kind is EventKind.EMAIL_SENT and event.data["skipped"] == "no_address"


def test_automatic_mail_never_goes_to_a_robot_nor_past_the_rate_limit(world: World) -> None:
    robot = _ticket(world, contact_email="no-reply@cliente.test")
    event = world.services.tickets.get_ticket(robot).timeline[0]
    assert event.data["skipped"] == "never_auto_answer" and not _mails(world, robot)
    ticket_id = _ticket(world)  # its acknowledgement is the first automatic mail to the customer
    outbox = world.services.mail.outbox_writer
    queued = []
    with world.services.uow_factory() as uow:
        ticket = uow.tickets.get(ticket_id)
        for _ in range(10):
            request = MailRequest(TemplateCode.ACKNOWLEDGEMENT, automatic=True)
            queued.append(outbox.enqueue_in(uow, request, ticket=ticket, actor=SYSTEM))
        uow.commit()
    assert all(queued[:9]) and queued[9] is None  # 10 in 10 minutes (Zammad's first window)
    assert world.services.tickets.get_ticket(ticket_id).timeline[0].data["skipped"] == "rate_limit"


# -- delivery, against the lab's SMTP server -----------------------------------------------------------


def test_queued_mail_is_delivered_once_sending_is_configured(
    world: World, mailboxes: MailLab, memory_keyring: MemoryKeyring
) -> None:
    ticket_id = _ticket(world)  # queued before anyone configured mail
    assert world.services.mail.deliver_due(actor=SYSTEM) is None  # not configured: it waits
    _configure(world, mailboxes, memory_keyring)
    assert world.services.mail.deliver_due(actor=SYSTEM) == "1 mail sent"
    (raw,) = mailboxes.wait_for_messages(CUSTOMER, 1)
    (ack,) = _mails(world, ticket_id)
    assert ack.state == "sent" and ack.sent_at == world.clock.now()
    arrived = email.message_from_bytes(raw, policy=policy.default)
    assert arrived["Message-ID"] == f"<{ack.message_id}>"
    assert mailboxes.accepted[-1].mail_from == SUPPORT
    assert world.services.mail.deliver_due(actor=SYSTEM) is None  # nothing twice


def test_temporary_refusals_are_retried_with_backoff_and_a_permanent_one_fails_with_the_reason(
    world: World, mailboxes: MailLab, memory_keyring: MemoryKeyring
) -> None:
    _configure(world, mailboxes, memory_keyring)
    mail = world.services.mail
    ticket_id = _ticket(world)
    mailboxes.fail_data("451 4.3.0 Try again later")
    start = world.clock.now()
    assert mail.deliver_due(actor=SYSTEM) == "1 mail will be tried again"
    waits = []
    for minutes in (1, 2, 5, 10):
        (row,) = mail.outbox([OutboxState.QUEUED])
        waits.append(row.next_attempt_at - world.clock.now())  # type: ignore[operator]
        assert mail.deliver_due(actor=SYSTEM) is None  # not due yet
        world.clock.set(world.clock.now() + timedelta(minutes=minutes))
        mail.deliver_due(actor=SYSTEM)
    assert waits == [timedelta(minutes=m) for m in (1, 2, 5, 10)]
    (row,) = mail.outbox([OutboxState.QUEUED])
    assert row.attempts == 5 and "451" in row.state_reason
    mailboxes.fail_data(None)
    world.clock.set(start + timedelta(hours=2))
    assert mail.deliver_due(actor=SYSTEM) == "1 mail sent"
    assert _mails(world, ticket_id)[0].state == "sent"

    # 550: the address does not exist; never tried again by itself, sent again by hand.
    mailboxes.reject_recipient("otro@cliente.test", "550 5.1.1 No such user here")
    refused = _ticket(world, contact_email="otro@cliente.test")
    assert mail.deliver_due(actor=SYSTEM) == "1 mail failed"
    (failed,) = _mails(world, refused)
    assert failed.state == "failed" and "550" in failed.state_reason
    world.clock.set(world.clock.now() + timedelta(days=2))
    assert mail.deliver_due(actor=SYSTEM) is None
    with pytest.raises(PermissionDeniedError):
        mail.retry(failed.id, actor=world.actor("diego"))  # a technician does not handle mail
    mail.retry(failed.id, actor=world.actor("laura"))
    with pytest.raises(UserFacingError):
        mail.retry(failed.id, actor=world.actor("laura"))  # queued already
    mailboxes.reset()
    assert mail.deliver_due(actor=SYSTEM) == "1 mail sent"


def test_smtp_down_while_100_mails_are_queued_delivers_all_after_it_returns_none_twice(
    world: World, mailboxes: MailLab, memory_keyring: MemoryKeyring
) -> None:
    _configure(world, mailboxes, memory_keyring)
    mail = world.services.mail
    ticket_id = _ticket(world)
    mailboxes.stop_smtp()
    with world.services.uow_factory() as uow:
        ticket = uow.tickets.get(ticket_id)
        for n in range(99):
            request = MailRequest(TemplateCode.REPLY, {"message": f"Mensaje número {n}."})
            assert mail.outbox_writer.enqueue_in(uow, request, ticket=ticket, actor=world.actor("laura"))
        uow.commit()
    summary = mail.deliver_due(actor=SYSTEM)
    assert summary == "3 mails will be tried again"  # the server is down: the round stops early
    mailboxes.start_smtp()
    world.clock.set(world.clock.now() + timedelta(minutes=5))
    rounds = 0
    while mail.deliver_due(actor=SYSTEM) is not None:
        rounds += 1
        world.clock.set(world.clock.now() + timedelta(minutes=5))
    assert rounds >= 1
    mails = _mails(world, ticket_id)
    assert len(mails) == 100 and {m.state for m in mails} == {"sent"}
    delivered = mailboxes.wait_for_messages(CUSTOMER, 100)
    ids = [email.message_from_bytes(raw, policy=policy.default)["Message-ID"] for raw in delivered]
    assert len(ids) == len(set(ids)) == 100
    assert sorted(i.strip("<>") for i in ids) == sorted(m.message_id for m in mails)


def _queue_replies(w: World, ticket_id: TicketId, count: int) -> None:
    with w.services.uow_factory() as uow:
        ticket = uow.tickets.get(ticket_id)
        for n in range(count):
            request = MailRequest(TemplateCode.REPLY, {"message": f"Mensaje número {n}."})
            assert w.services.mail.outbox_writer.enqueue_in(uow, request, ticket=ticket, actor=w.actor("laura"))
        uow.commit()


def _delivered_once(w: World, lab: MailLab, ticket_id: TicketId, count: int) -> None:
    mails = _mails(w, ticket_id)
    assert len(mails) == count and {m.state for m in mails} == {"sent"}
    delivered = lab.wait_for_messages(CUSTOMER, count)
    ids = [email.message_from_bytes(raw, policy=policy.default)["Message-ID"] for raw in delivered]
    assert len(ids) == len(set(ids)) == count
    assert sorted(i.strip("<>") for i in ids) == sorted(m.message_id for m in mails)


def test_a_delivery_round_sends_over_one_connection_and_survives_a_dropped_one(
    world: World, mailboxes: MailLab, memory_keyring: MemoryKeyring
) -> None:
    _configure(world, mailboxes, memory_keyring)
    ticket_id = _ticket(world)
    _queue_replies(world, ticket_id, 119)
    mailboxes.sign_ins = 0
    mailboxes.drop_connection(after=60)  # the server cuts the connection in the middle of the round
    assert world.services.mail.deliver_due(actor=SYSTEM) == "120 mails sent"
    assert mailboxes.sign_ins == 2  # one connection, and one more after the drop (not one per mail)
    _delivered_once(world, mailboxes, ticket_id, 120)
    assert world.services.mail.deliver_due(actor=SYSTEM) is None


def test_a_server_taking_few_mails_per_connection_gets_the_whole_queue_once(
    world: World, mailboxes: MailLab, memory_keyring: MemoryKeyring
) -> None:
    _configure(world, mailboxes, memory_keyring)
    ticket_id = _ticket(world)
    _queue_replies(world, ticket_id, 99)
    mailboxes.sign_ins = 0
    mailboxes.limit_per_connection(30, "451 4.7.0 Too many messages on this connection")
    assert world.services.mail.deliver_due(actor=SYSTEM) == "100 mails sent"
    assert mailboxes.sign_ins == 4
    _delivered_once(world, mailboxes, ticket_id, 100)


# -- settings ---------------------------------------------------------------------------------------------


def test_the_mail_password_goes_to_the_keyring_never_to_the_database(
    world: World, backend: str, mailboxes: MailLab, memory_keyring: MemoryKeyring
) -> None:
    _configure(world, mailboxes, memory_keyring)
    mail = world.services.mail
    mail.save_settings(
        replace(mail.settings(), sender_name="Soporte"), actor=world.actor("admin"), smtp_password=PASSWORD
    )
    saved = mail.settings()
    assert saved.has_smtp_password and saved.has_imap_password
    assert PASSWORD in memory_keyring.secrets.values()
    with world.services.engine.connect() as connection:
        row = connection.execute(select(MailSettingsRecord.__table__)).one()
        audit = connection.execute(select(AuditRecord.changes).where(AuditRecord.entity == "mail_settings")).all()
    assert PASSWORD not in repr(tuple(row)) and mailboxes.password(SUPPORT) not in repr(tuple(row))
    assert audit and all(PASSWORD not in changes for (changes,) in audit)
    if backend == "sqlite":
        world.services.close()
        folder = world.services.settings.data_dir
        for path in folder.glob("makersupport.sqlite3*"):
            data = path.read_bytes()
            assert PASSWORD.encode() not in data and PASSWORD.encode("utf-16-le") not in data
    # The right password again (kept in the keyring too): "Probar conexión" signs in to both servers.
    mail.save_settings(mail.settings(), actor=world.actor("admin"), smtp_password=mailboxes.password(SUPPORT))
    check = mail.test_connection(actor=world.actor("admin"))
    assert check.smtp_ok and check.imap_ok, check


def test_settings_are_checked_and_only_administrators_change_them(world: World, memory_keyring: MemoryKeyring) -> None:
    mail, admin, laura = world.services.mail, world.actor("admin"), world.actor("laura")
    current = mail.settings()
    with pytest.raises(PermissionDeniedError):
        mail.save_settings(replace(current, sender_name="Yo"), actor=laura)
    with pytest.raises(PermissionDeniedError):
        mail.test_connection(actor=laura)
    with pytest.raises(PermissionDeniedError):
        mail.save_template("reply", "Hola", "{message}", actor=laura)
    for wrong, words in (
        (replace(current, smtp=replace(current.smtp, host="smtp server.com")), "not a server name"),
        (replace(current, smtp=replace(current.smtp, port=70000)), "1 to 65535"),
        (replace(current, sender_address="soporte arroba x"), "not a mail address"),
        (replace(current, message_id_domain="no es dominio"), "not a domain name"),
        (replace(current, reopen_window_days=0), "1 to 365"),
        (replace(current, sending_enabled=True), "To send mail"),
    ):
        with pytest.raises(UserFacingError, match=words):
            mail.save_settings(wrong, actor=admin)
    saved = mail.save_settings(
        replace(current, smtp=replace(current.smtp, host=" SMTP.Empresa.COM\n"), sender_address="Soporte@Empresa.com"),
        actor=admin,
    )
    assert saved.smtp.host == "smtp.empresa.com" and saved.sender_address == "soporte@empresa.com"


def test_an_edited_template_refuses_unknown_placeholders_and_is_used_until_reset(world: World) -> None:
    mail, admin = world.services.mail, world.actor("admin")
    with pytest.raises(UserFacingError, match=r"\{factura\}"):
        mail.save_template("reply", "Respuesta {factura}", "{message}", actor=admin)
    mail.save_template("reply", "Le respondemos: {summary}", "Estimado {contact}:\n\n{message}\n", actor=admin)
    subject, body = mail.preview("reply", "Le respondemos: {summary}", "{message} — {agent}")
    assert subject == "Le respondemos: La impresora no calienta la cama" and "Laura Pérez" in body
    ticket_id = _ticket(world)
    world.services.tickets.reply_to_customer(ticket_id, "Ya quedó.", actor=world.actor("laura"))
    reply = _mails(world, ticket_id)[-1]
    assert "Le respondemos: La impresora no calienta la cama desde ayer" in reply.subject
    assert reply.text.startswith("Estimado ")
    info = mail.reset_template("reply", actor=admin)
    assert not info.edited and info.subject == "Respuesta a su caso: {summary}"


def test_the_mail_send_job_delivers_every_30_seconds_with_the_desks_other_jobs(
    world: World, mailboxes: MailLab, memory_keyring: MemoryKeyring
) -> None:
    from desktop_app import i18n
    from desktop_app.wording.records import job_label

    _configure(world, mailboxes, memory_keyring)
    _ticket(world)
    runner = world.services.jobs
    (job,) = [job for job in runner.jobs if job.name == "mail_send"]
    assert job.interval == timedelta(seconds=30)
    (outcome,) = [outcome for outcome in runner.run_due() if outcome.name == "mail_send"]
    assert outcome.summary == "1 mail sent"
    assert len(mailboxes.wait_for_messages(CUSTOMER, 1)) == 1
    i18n.install("es")
    try:
        assert job_label("mail_send") == "envío del correo"
    finally:
        i18n.install("en")
