"""The mail adapters against the real lab (tests/mail_lab.py): Dovecot for IMAP, aiosmtpd for SMTP,
a trustme CA for TLS. Mail composed by MimeComposer and sent by SmtpTransport arrives in the
recipient's Dovecot mailbox; ImapMailbox reads it back without marking it read, then flags it."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from desktop_app.domain.mail import new_message_id, verified_ticket_number
from desktop_app.mail.composing import MimeComposer
from desktop_app.mail.imap import IMPORTED_KEYWORD, ImapMailbox
from desktop_app.mail.smtp import SmtpTransport
from desktop_app.services.mail_ports import (
    MailAddress,
    MailConnectionError,
    MailDeliveryError,
    MailFile,
    MailSecurity,
    OutgoingMail,
    ServerSettings,
)
from tests.mail_lab import SUPPORT, MailLab

CUSTOMER = "cliente@cliente.test"
SECRET = bytes.fromhex("11" * 32)
PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def _raw(number: str = "SOP-2026-00123", token: str = "t1", subject: str = "Caso resuelto: la cámara") -> bytes:
    mail = OutgoingMail(
        message_id=new_message_id(SECRET, number, token, "somosmaker.test"),
        sender=MailAddress(SUPPORT, "Soporte Técnico makeR"),
        to=(MailAddress(CUSTOMER, "Ana Gómez"),),
        subject=f"[{number}] {subject}",
        text="Hola, Ana:\n\nCambiamos la boquilla.\n\nSi el problema sigue, responda a este correo.",
        date=datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
        auto_submitted="auto-generated",
        attachments=(MailFile("foto cámara.png", "image/png", PHOTO),),
    )
    return MimeComposer("3D makeR Technologies SAS").compose(mail)


def _parse(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _transport(lab: MailLab) -> SmtpTransport:
    return SmtpTransport(timeout=10, cafile=lab.ca_path)


def _mailbox(lab: MailLab, **kwargs: int) -> ImapMailbox:
    return ImapMailbox(timeout=10, cafile=lab.ca_path, **kwargs)


# --- SMTP ----------------------------------------------------------------------------------------


def test_mail_sent_with_starttls_arrives_whole_in_the_customers_mailbox(mailboxes: MailLab) -> None:
    raw = _raw()
    server = mailboxes.smtp_settings(security=MailSecurity.STARTTLS)
    _transport(mailboxes).send(server, mailboxes.password(SUPPORT), SUPPORT, [CUSTOMER], raw)

    (arrived,) = mailboxes.wait_for_messages(CUSTOMER, 1)
    message = _parse(arrived)
    assert str(message["Subject"]) == "[SOP-2026-00123] Caso resuelto: la cámara"
    assert verified_ticket_number(SECRET, message["Message-ID"]) == "SOP-2026-00123"
    assert message["Auto-Submitted"] == "auto-generated"
    (photo,) = list(message.iter_attachments())
    assert (photo.get_filename(), photo.get_content()) == ("foto cámara.png", PHOTO)
    accepted = mailboxes.accepted[-1]
    assert (accepted.port, accepted.login, accepted.mail_from) == (server.port, SUPPORT, SUPPORT)


@pytest.mark.parametrize("security", [MailSecurity.TLS, MailSecurity.NONE])
def test_mail_is_sent_over_tls_and_over_a_plain_local_connection(mailboxes: MailLab, security: MailSecurity) -> None:
    server = mailboxes.smtp_settings(security=security)
    _transport(mailboxes).send(server, mailboxes.password(SUPPORT), SUPPORT, [CUSTOMER], _raw())
    assert len(mailboxes.wait_for_messages(CUSTOMER, 1)) == 1


def test_check_signs_in_and_leaves(mailboxes: MailLab) -> None:
    _transport(mailboxes).check(mailboxes.smtp_settings(), mailboxes.password(SUPPORT))
    assert mailboxes.accepted == []


def test_a_certificate_from_an_unknown_authority_is_refused(mailboxes: MailLab) -> None:
    # Without the lab's CA only the system's authorities are trusted, and they did not sign it.
    transport = SmtpTransport(timeout=10)
    with pytest.raises(MailConnectionError) as refused:
        transport.check(mailboxes.smtp_settings(), mailboxes.password(SUPPORT))
    assert "certificate" in refused.value.message
    with pytest.raises(MailDeliveryError) as failed:
        transport.send(mailboxes.smtp_settings(), mailboxes.password(SUPPORT), SUPPORT, [CUSTOMER], _raw())
    assert not failed.value.permanent
    assert mailboxes.accepted == []


def test_starttls_is_never_skipped_when_the_server_does_not_offer_it(mailboxes: MailLab) -> None:
    plain_port_said_starttls = ServerSettings(
        mailboxes.host, mailboxes.smtp_port, MailSecurity.STARTTLS, mailboxes.smtp_settings().user
    )
    with pytest.raises(MailConnectionError) as refused:
        _transport(mailboxes).check(plain_port_said_starttls, mailboxes.password(SUPPORT))
    assert "STARTTLS" in refused.value.message


def test_a_wrong_password_is_said_in_words(mailboxes: MailLab) -> None:
    with pytest.raises(MailConnectionError) as refused:
        _transport(mailboxes).check(mailboxes.smtp_settings(), "no-es-la-clave")
    assert SUPPORT in refused.value.message


def test_a_refused_recipient_is_a_permanent_failure(mailboxes: MailLab) -> None:
    mailboxes.reject_recipient("nadie@cliente.test", "550 5.1.1 No such user here")
    with pytest.raises(MailDeliveryError) as failed:
        _transport(mailboxes).send(
            mailboxes.smtp_settings(), mailboxes.password(SUPPORT), SUPPORT, ["nadie@cliente.test"], _raw()
        )
    assert failed.value.permanent
    assert "550" in failed.value.message


def test_a_busy_server_is_a_temporary_failure_and_the_retry_delivers(mailboxes: MailLab) -> None:
    server, password = mailboxes.smtp_settings(), mailboxes.password(SUPPORT)
    mailboxes.fail_data("451 4.3.0 Try again later")
    with pytest.raises(MailDeliveryError) as failed:
        _transport(mailboxes).send(server, password, SUPPORT, [CUSTOMER], _raw())
    assert not failed.value.permanent
    mailboxes.fail_data(None)
    _transport(mailboxes).send(server, password, SUPPORT, [CUSTOMER], _raw())
    assert len(mailboxes.wait_for_messages(CUSTOMER, 1)) == 1


def test_a_rejected_message_is_a_permanent_failure(mailboxes: MailLab) -> None:
    mailboxes.fail_data("554 5.6.0 Message refused")
    with pytest.raises(MailDeliveryError) as failed:
        _transport(mailboxes).send(mailboxes.smtp_settings(), mailboxes.password(SUPPORT), SUPPORT, [CUSTOMER], _raw())
    assert failed.value.permanent


def test_smtp_down_is_a_temporary_failure(mailboxes: MailLab) -> None:
    mailboxes.stop_smtp()
    with pytest.raises(MailDeliveryError) as failed:
        _transport(mailboxes).send(mailboxes.smtp_settings(), mailboxes.password(SUPPORT), SUPPORT, [CUSTOMER], _raw())
    assert not failed.value.permanent
    with pytest.raises(MailConnectionError):
        _transport(mailboxes).check(mailboxes.smtp_settings(), mailboxes.password(SUPPORT))


class _CountingTransport(SmtpTransport):
    """The real transport, counting the connections it makes (TCP, TLS, sign-in)."""

    connections = 0

    def _connect(self, server: ServerSettings, password: str):  # type: ignore[no-untyped-def]
        self.connections += 1
        return super()._connect(server, password)


def _counting(lab: MailLab) -> _CountingTransport:
    return _CountingTransport(timeout=10, cafile=lab.ca_path)


def _ids(raws: list[bytes]) -> list[str]:
    return [str(_parse(raw)["Message-ID"]) for raw in raws]


def test_a_session_sends_many_mails_over_one_starttls_connection(mailboxes: MailLab) -> None:
    transport = _counting(mailboxes)
    with transport.open(mailboxes.smtp_settings(), mailboxes.password(SUPPORT)) as session:
        assert transport.connections == 0  # made at the first mail, not before
        for n in range(20):
            session.send(SUPPORT, [CUSTOMER], _raw(token=f"m{n}"))
    assert transport.connections == mailboxes.sign_ins == 1
    arrived = mailboxes.wait_for_messages(CUSTOMER, 20)
    assert len(set(_ids(arrived))) == 20
    assert {a.login for a in mailboxes.accepted} == {SUPPORT}


def test_a_session_connects_again_once_when_the_server_dropped_the_connection(mailboxes: MailLab) -> None:
    transport = _counting(mailboxes)
    with transport.open(mailboxes.smtp_settings(), mailboxes.password(SUPPORT)) as session:
        session.send(SUPPORT, [CUSTOMER], _raw(token="before"))
        mailboxes.drop_connection()  # the server cuts the round's connection at the next mail
        session.send(SUPPORT, [CUSTOMER], _raw(token="after"))
        session.send(SUPPORT, [CUSTOMER], _raw(token="later"))
    assert transport.connections == 2
    arrived = mailboxes.wait_for_messages(CUSTOMER, 3)
    assert len(arrived) == len(set(_ids(arrived))) == 3  # none lost, none twice


def test_a_session_whose_server_is_down_fails_the_mail_as_temporary_then_connects_again(
    mailboxes: MailLab,
) -> None:
    transport = _counting(mailboxes)
    mailboxes.stop_smtp()  # nobody listens: the round's first connection is refused
    with transport.open(mailboxes.smtp_settings(), mailboxes.password(SUPPORT)) as session:
        with pytest.raises(MailDeliveryError) as failed:
            session.send(SUPPORT, [CUSTOMER], _raw(token="refused"))
        assert not failed.value.permanent
        assert transport.connections == 1  # a refused new connection is not tried twice
        mailboxes.start_smtp()
        session.send(SUPPORT, [CUSTOMER], _raw(token="back"))  # the next mail connects again
    (arrived,) = mailboxes.wait_for_messages(CUSTOMER, 1)
    assert _ids([arrived]) == _ids([_raw(token="back")])


@pytest.mark.parametrize(
    "reply", ["421 4.7.0 Too many messages, reconnect", "451 4.7.0 Too many messages on this connection"]
)
def test_a_server_taking_few_mails_per_connection_still_gets_every_mail_once(mailboxes: MailLab, reply: str) -> None:
    mailboxes.limit_per_connection(3, reply)
    transport = _counting(mailboxes)
    with transport.open(mailboxes.smtp_settings(), mailboxes.password(SUPPORT)) as session:
        for n in range(10):
            session.send(SUPPORT, [CUSTOMER], _raw(token=f"m{n}"))
    assert transport.connections == 4  # 3 + 3 + 3 + 1
    arrived = mailboxes.wait_for_messages(CUSTOMER, 10)
    assert len(arrived) == len(set(_ids(arrived))) == 10


def test_refusals_in_a_session_keep_their_meaning_and_the_connection_serves_the_next_mail(
    mailboxes: MailLab,
) -> None:
    mailboxes.reject_recipient("nadie@cliente.test", "550 5.1.1 No such user here")
    transport = _counting(mailboxes)
    with transport.open(mailboxes.smtp_settings(), mailboxes.password(SUPPORT)) as session:
        with pytest.raises(MailDeliveryError) as refused:
            session.send(SUPPORT, ["nadie@cliente.test"], _raw(token="nobody"))
        assert refused.value.permanent and "550" in refused.value.message
        mailboxes.fail_data("451 4.3.0 Try again later")
        with pytest.raises(MailDeliveryError) as busy:
            session.send(SUPPORT, [CUSTOMER], _raw(token="busy"))
        assert not busy.value.permanent and "451" in busy.value.message
        mailboxes.fail_data("554 5.6.0 Message refused")
        with pytest.raises(MailDeliveryError) as rejected:
            session.send(SUPPORT, [CUSTOMER], _raw(token="rejected"))
        assert rejected.value.permanent
        mailboxes.fail_data(None)
        session.send(SUPPORT, [CUSTOMER], _raw(token="fine"))
        with pytest.raises(MailDeliveryError) as empty:
            session.send(SUPPORT, [], _raw(token="empty"))
        assert empty.value.permanent
    assert transport.connections == 1
    assert len(mailboxes.wait_for_messages(CUSTOMER, 1)) == 1


def test_smtp_not_configured_is_said_in_words() -> None:
    with pytest.raises(MailConnectionError):
        SmtpTransport().check(ServerSettings(), "")


# --- IMAP ----------------------------------------------------------------------------------------


def _flags(lab: MailLab, address: str) -> dict[int, tuple[bytes, ...]]:
    client = lab.imap(address)
    try:
        client.select_folder("INBOX", readonly=True)
        return {uid: tuple(data) for uid, data in client.get_flags(client.search("ALL")).items()}
    finally:
        client.logout()


@pytest.mark.parametrize("security", [MailSecurity.STARTTLS, MailSecurity.TLS])
def test_imap_lists_new_uids_fetches_without_marking_read_and_flags_after_import(
    mailboxes: MailLab, security: MailSecurity
) -> None:
    raws = [_raw(token=f"t{i}", subject=f"Mensaje {i}") for i in range(3)]
    for raw in raws:
        mailboxes.append(SUPPORT, raw)
    server, password = mailboxes.imap_settings(security=security), mailboxes.password(SUPPORT)

    with _mailbox(mailboxes).open(server, password, "INBOX") as session:
        assert session.uidvalidity > 0
        uids = session.uids_after(0)
        assert len(uids) == 3 and uids == sorted(uids)
        fetched = list(session.fetch(uids))
        assert [uid for uid, _ in fetched] == uids
        subjects = [str(_parse(raw)["Subject"]) for _, raw in fetched]
        assert subjects == [f"[SOP-2026-00123] Mensaje {i}" for i in range(3)]
        assert all(b"\\Seen" not in flags for flags in _flags(mailboxes, SUPPORT).values())

        session.mark_imported(uids[:2])
        flags = _flags(mailboxes, SUPPORT)
        assert all(b"\\Seen" in flags[uid] and IMPORTED_KEYWORD in flags[uid] for uid in uids[:2])
        assert b"\\Seen" not in flags[uids[2]]
        assert session.uids_after(uids[-1]) == []  # "UID n:*" names the last one too; not returned
        uidvalidity, last = session.uidvalidity, uids[-1]

    mailboxes.append(SUPPORT, _raw(token="t9", subject="Nuevo"))
    with _mailbox(mailboxes).open(server, password, "INBOX") as session:
        assert session.uidvalidity == uidvalidity
        (new,) = session.uids_after(last)
        ((uid, raw),) = list(session.fetch([new]))
        assert uid == new and str(_parse(raw)["Subject"]) == "[SOP-2026-00123] Nuevo"


def test_imap_fetches_in_batches_and_skips_uids_that_are_gone(mailboxes: MailLab) -> None:
    for i in range(5):
        mailboxes.append(SUPPORT, _raw(token=f"b{i}", subject=f"Lote {i}"))
    server, password = mailboxes.imap_settings(), mailboxes.password(SUPPORT)
    with _mailbox(mailboxes, batch_size=2).open(server, password, "INBOX") as session:
        uids = session.uids_after(0)
        fetched = list(session.fetch([*uids, uids[-1] + 100]))
    assert [uid for uid, _ in fetched] == uids
    assert [str(_parse(raw)["Subject"]) for _, raw in fetched] == [f"[SOP-2026-00123] Lote {i}" for i in range(5)]


def test_mail_sent_over_smtp_is_read_back_over_imap_with_its_signed_id(mailboxes: MailLab) -> None:
    """The round trip the desk lives on: our mail out, the mailbox in, the ticket recovered."""
    _transport(mailboxes).send(
        mailboxes.smtp_settings(), mailboxes.password(SUPPORT), SUPPORT, [SUPPORT], _raw(number="SOP-2026-04567")
    )
    mailboxes.wait_for_messages(SUPPORT, 1)
    with _mailbox(mailboxes).open(mailboxes.imap_settings(), mailboxes.password(SUPPORT), "INBOX") as session:
        ((_, raw),) = list(session.fetch(session.uids_after(0)))
    assert verified_ticket_number(SECRET, _parse(raw)["Message-ID"]) == "SOP-2026-04567"


def test_imap_check_and_its_failures_in_words(mailboxes: MailLab, tmp_path: Path) -> None:
    server, password = mailboxes.imap_settings(), mailboxes.password(SUPPORT)
    _mailbox(mailboxes).check(server, password, "INBOX")
    with pytest.raises(MailConnectionError) as wrong_password:
        _mailbox(mailboxes).check(server, "no-es-la-clave", "INBOX")
    assert SUPPORT in wrong_password.value.message
    with pytest.raises(MailConnectionError) as no_folder:
        _mailbox(mailboxes).check(server, password, "NoExiste")
    assert "NoExiste" in no_folder.value.message
    with pytest.raises(MailConnectionError) as untrusted:
        ImapMailbox(timeout=10).check(server, password, "INBOX")
    assert "certificate" in untrusted.value.message
    with pytest.raises(MailConnectionError):
        ImapMailbox().check(ServerSettings(), "", "INBOX")


def test_imap_down_is_said_in_words(mailboxes: MailLab) -> None:
    # A loopback port nobody listens on: what a stopped server looks like from here.
    with socket.socket() as probe:
        probe.bind((mailboxes.host, 0))
        port = probe.getsockname()[1]
    server = ServerSettings(mailboxes.host, port, MailSecurity.TLS, SUPPORT)
    with pytest.raises(MailConnectionError) as down:
        _mailbox(mailboxes).check(server, mailboxes.password(SUPPORT), "INBOX")
    assert str(port) in down.value.message


def test_a_password_with_accents_and_enye_signs_in_to_both_servers(mailboxes: MailLab) -> None:
    # smtplib and imaplib send LOGIN's credentials as ASCII; the adapters send such a password as
    # AUTH PLAIN in UTF-8, and a wrong one is still refused in words (never UnicodeEncodeError).
    user = "tildes@cliente.test"
    password = mailboxes.add_user(user, "Contraseña-ñandú-1")
    smtp = mailboxes.smtp_settings(user=user)
    _transport(mailboxes).check(smtp, password)
    _transport(mailboxes).send(smtp, password, user, [CUSTOMER], _raw())
    assert len(mailboxes.wait_for_messages(CUSTOMER, 1)) == 1
    with pytest.raises(MailConnectionError) as refused:
        _transport(mailboxes).check(smtp, "Contraseña-equivocada")
    assert user in refused.value.message
    imap = mailboxes.imap_settings(user=user)
    _mailbox(mailboxes).check(imap, password, "INBOX")
    with pytest.raises(MailConnectionError) as imap_refused:
        _mailbox(mailboxes).check(imap, "Contraseña-equivocada", "INBOX")
    assert user in imap_refused.value.message
