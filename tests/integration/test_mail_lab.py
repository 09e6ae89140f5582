"""The mail lab the suite runs against is a working mail system: real Dovecot, real SMTP, real TLS."""

from __future__ import annotations

import email
import os
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import pytest
from imapclient import IMAPClient

from desktop_app.services.mail_ports import MailSecurity
from tests.mail_lab import MailLab

SUPPORT = "soporte@somosmaker.test"
CUSTOMER = "cliente@cliente.test"
OTHER = "otro@cliente.test"


def _mail(sender: str, to: str, subject: str, body: str = "La impresora no enciende.") -> bytes:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{subject.replace(' ', '.')}@lab.test>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def _fetch_with_imapclient(lab: MailLab, address: str) -> list[bytes]:
    with IMAPClient(lab.host, port=lab.imap_port, ssl=False, timeout=10) as client:
        client.login(address, lab.password(address))
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        fetched = client.fetch(uids, [b"BODY.PEEK[]"])
        return [fetched[uid][b"BODY[]"] for uid in sorted(uids)]


def test_mail_sent_by_the_customer_over_smtp_arrives_in_the_support_mailbox(mailboxes: MailLab) -> None:
    with smtplib.SMTP(mailboxes.host, mailboxes.smtp_port, timeout=10) as smtp:
        smtp.login(CUSTOMER, mailboxes.password(CUSTOMER))
        smtp.sendmail(CUSTOMER, [SUPPORT], _mail(CUSTOMER, SUPPORT, "Impresora 3D sin calentar"))

    received = _fetch_with_imapclient(mailboxes, SUPPORT)
    assert len(received) == 1
    assert email.message_from_bytes(received[0])["Subject"] == "Impresora 3D sin calentar"
    assert _fetch_with_imapclient(mailboxes, CUSTOMER) == []
    assert [(a.mail_from, a.rcpt_tos, a.login, a.port) for a in mailboxes.accepted] == [
        (CUSTOMER, (SUPPORT,), CUSTOMER, mailboxes.smtp_port)
    ]


def test_mail_to_several_recipients_reaches_each_and_unknown_ones_are_only_recorded(mailboxes: MailLab) -> None:
    raw = _mail(SUPPORT, CUSTOMER, "Su caso SOP-1")
    with smtplib.SMTP(mailboxes.host, mailboxes.smtp_port, timeout=10) as smtp:
        smtp.sendmail(SUPPORT, [CUSTOMER, OTHER, "nadie@afuera.test"], raw)

    assert mailboxes.messages(CUSTOMER) == [raw]
    assert mailboxes.messages(OTHER) == [raw]
    assert mailboxes.accepted[0].rcpt_tos == (CUSTOMER, OTHER, "nadie@afuera.test")
    assert mailboxes.accepted[0].content == raw


def test_starttls_with_the_lab_ca_signs_in_and_delivers(mailboxes: MailLab) -> None:
    with smtplib.SMTP(mailboxes.host, mailboxes.smtp_starttls_port, timeout=10) as smtp:
        smtp.starttls(context=mailboxes.ssl_context())
        smtp.login(SUPPORT, mailboxes.password(SUPPORT))
        smtp.sendmail(SUPPORT, [CUSTOMER], _mail(SUPPORT, CUSTOMER, "Respuesta cifrada"))

    assert len(mailboxes.wait_for_messages(CUSTOMER, 1)) == 1
    assert mailboxes.accepted[0].port == mailboxes.smtp_starttls_port


def test_starttls_without_the_lab_ca_fails_certificate_verification(mailboxes: MailLab) -> None:
    with (
        smtplib.SMTP(mailboxes.host, mailboxes.smtp_starttls_port, timeout=10) as smtp,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        smtp.starttls(context=ssl.create_default_context())
    assert mailboxes.accepted == []


def test_the_starttls_endpoint_refuses_mail_before_starttls(mailboxes: MailLab) -> None:
    with (
        smtplib.SMTP(mailboxes.host, mailboxes.smtp_starttls_port, timeout=10) as smtp,
        pytest.raises(smtplib.SMTPSenderRefused) as refused,
    ):
        smtp.sendmail(SUPPORT, [CUSTOMER], _mail(SUPPORT, CUSTOMER, "Sin cifrar"))
    assert refused.value.smtp_code == 530
    assert mailboxes.messages(CUSTOMER) == []


def test_smtps_with_the_lab_ca_delivers(mailboxes: MailLab) -> None:
    with smtplib.SMTP_SSL(mailboxes.host, mailboxes.smtps_port, context=mailboxes.ssl_context(), timeout=10) as smtp:
        smtp.login(SUPPORT, mailboxes.password(SUPPORT))
        smtp.sendmail(SUPPORT, [CUSTOMER], _mail(SUPPORT, CUSTOMER, "Por SMTPS"))
    assert len(mailboxes.messages(CUSTOMER)) == 1


def test_smtp_refuses_a_wrong_password(mailboxes: MailLab) -> None:
    with (
        smtplib.SMTP(mailboxes.host, mailboxes.smtp_port, timeout=10) as smtp,
        pytest.raises(smtplib.SMTPAuthenticationError),
    ):
        smtp.login(SUPPORT, "no-es-la-clave")


def test_imaps_and_imap_starttls_trust_the_lab_ca_and_nothing_else(mailboxes: MailLab) -> None:
    mailboxes.append(SUPPORT, _mail(CUSTOMER, SUPPORT, "Por IMAPS"))
    with IMAPClient(mailboxes.host, port=mailboxes.imaps_port, ssl_context=mailboxes.ssl_context(), timeout=10) as c:
        c.login(SUPPORT, mailboxes.password(SUPPORT))
        assert c.select_folder("INBOX", readonly=True)[b"EXISTS"] == 1
    with IMAPClient(mailboxes.host, port=mailboxes.imap_port, ssl=False, timeout=10) as c:
        c.starttls(mailboxes.ssl_context())
        c.login(SUPPORT, mailboxes.password(SUPPORT))
    with (
        socket.create_connection((mailboxes.host, mailboxes.imaps_port), timeout=10) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        ssl.create_default_context().wrap_socket(raw, server_hostname=mailboxes.host)


def test_dovecot_offers_what_the_fetch_relies_on(mailboxes: MailLab) -> None:
    with IMAPClient(mailboxes.host, port=mailboxes.imap_port, ssl=False, timeout=10) as client:
        client.login(SUPPORT, mailboxes.password(SUPPORT))
        capabilities = set(client.capabilities())
        status = client.select_folder("INBOX")
    assert {b"UIDPLUS", b"MOVE", b"IDLE"} <= capabilities
    assert status[b"UIDVALIDITY"] > 0 and status[b"UIDNEXT"] >= 1


def test_smtp_down_refuses_connections_and_comes_back_on_the_same_ports(mailboxes: MailLab) -> None:
    mailboxes.stop_smtp()
    assert not mailboxes.smtp_running
    for port in (mailboxes.smtp_port, mailboxes.smtp_starttls_port, mailboxes.smtps_port):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((mailboxes.host, port), timeout=5).close()
    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP(mailboxes.host, mailboxes.smtp_port, timeout=5)

    mailboxes.start_smtp()
    with smtplib.SMTP(mailboxes.host, mailboxes.smtp_port, timeout=10) as smtp:
        smtp.sendmail(SUPPORT, [CUSTOMER], _mail(SUPPORT, CUSTOMER, "Después de la caída"))
    assert len(mailboxes.messages(CUSTOMER)) == 1


def test_refused_recipient_and_refused_data_give_the_chosen_replies(mailboxes: MailLab) -> None:
    mailboxes.reject_recipient("rebota@cliente.test")
    with (
        smtplib.SMTP(mailboxes.host, mailboxes.smtp_port, timeout=10) as smtp,
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        smtp.sendmail(SUPPORT, ["rebota@cliente.test"], _mail(SUPPORT, "rebota@cliente.test", "x"))
    assert refused.value.recipients["rebota@cliente.test"][0] == 550

    mailboxes.fail_data("451 4.3.0 Try again later")
    with (
        smtplib.SMTP(mailboxes.host, mailboxes.smtp_port, timeout=10) as smtp,
        pytest.raises(smtplib.SMTPDataError) as failed,
    ):
        smtp.sendmail(SUPPORT, [CUSTOMER], _mail(SUPPORT, CUSTOMER, "Luego"))
    assert failed.value.smtp_code == 451
    assert mailboxes.messages(CUSTOMER) == [] and mailboxes.accepted == []

    mailboxes.fail_data(None)
    with smtplib.SMTP(mailboxes.host, mailboxes.smtp_port, timeout=10) as smtp:
        smtp.sendmail(SUPPORT, [CUSTOMER], _mail(SUPPORT, CUSTOMER, "Ahora sí"))
    assert len(mailboxes.messages(CUSTOMER)) == 1


def test_append_and_messages_keep_the_order_and_leave_mail_unseen(mailboxes: MailLab) -> None:
    raws = [_mail(CUSTOMER, SUPPORT, f"Correo {n}") for n in range(3)]
    for raw in raws:
        mailboxes.append(SUPPORT, raw)

    assert mailboxes.messages(SUPPORT) == raws
    with IMAPClient(mailboxes.host, port=mailboxes.imap_port, ssl=False, timeout=10) as client:
        client.login(SUPPORT, mailboxes.password(SUPPORT))
        client.select_folder("INBOX", readonly=True)
        assert len(client.search("UNSEEN")) == 3


def test_mailboxes_are_isolated_from_each_other(mailboxes: MailLab) -> None:
    mailboxes.append(CUSTOMER, _mail(SUPPORT, CUSTOMER, "Solo para el cliente"))

    assert len(mailboxes.messages(CUSTOMER)) == 1
    assert mailboxes.messages(OTHER) == []
    assert mailboxes.messages(SUPPORT) == []
    with IMAPClient(mailboxes.host, port=mailboxes.imap_port, ssl=False, timeout=10) as client:
        with pytest.raises(IMAPClient.Error):
            client.login(OTHER, mailboxes.password(CUSTOMER))
        with pytest.raises(IMAPClient.Error):
            client.login("nadie@cliente.test", mailboxes.password(CUSTOMER))


def test_clear_and_reset_empty_the_mailboxes_and_forget_what_smtp_took(mailboxes: MailLab) -> None:
    with smtplib.SMTP(mailboxes.host, mailboxes.smtp_port, timeout=10) as smtp:
        smtp.sendmail(CUSTOMER, [SUPPORT], _mail(CUSTOMER, SUPPORT, "Uno"))
    with IMAPClient(mailboxes.host, port=mailboxes.imap_port, ssl=False, timeout=10) as client:
        client.login(SUPPORT, mailboxes.password(SUPPORT))
        client.create_folder("Procesados")
    mailboxes.clear(SUPPORT)
    assert mailboxes.messages(SUPPORT) == []
    with IMAPClient(mailboxes.host, port=mailboxes.imap_port, ssl=False, timeout=10) as client:
        client.login(SUPPORT, mailboxes.password(SUPPORT))
        assert [name for _f, _d, name in client.list_folders()] == ["INBOX"]

    mailboxes.append(OTHER, _mail(SUPPORT, OTHER, "Dos"))
    mailboxes.stop_smtp()
    mailboxes.reset()
    assert mailboxes.messages(OTHER) == [] and mailboxes.accepted == [] and mailboxes.smtp_running


def test_add_user_gives_a_new_mailbox_at_once(mailboxes: MailLab) -> None:
    password = mailboxes.add_user("Nuevo@Cliente.test")
    with smtplib.SMTP(mailboxes.host, mailboxes.smtp_port, timeout=10) as smtp:
        smtp.sendmail(SUPPORT, ["nuevo@cliente.test"], _mail(SUPPORT, "nuevo@cliente.test", "Bienvenido"))
    assert mailboxes.password("nuevo@cliente.test") == password
    assert len(_fetch_with_imapclient(mailboxes, "nuevo@cliente.test")) == 1


def test_a_lab_starts_in_well_under_a_second_and_stops_cleanly() -> None:
    started = time.monotonic()
    lab = MailLab().start()
    elapsed = time.monotonic() - started
    try:
        lab.append(SUPPORT, _mail(CUSTOMER, SUPPORT, "Hola"))
        assert len(lab.messages(SUPPORT)) == 1
    finally:
        lab.stop()
    # 0.1 s on the 2-core test machine; the bound leaves room for a busy CI.
    assert elapsed < 3.0
    assert not lab.folder.exists()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((lab.host, lab.imap_port), timeout=5).close()


def test_a_dovecot_that_cannot_start_says_why_with_its_log() -> None:
    lab = MailLab()
    with socket.socket() as squatter:
        squatter.bind((lab.host, lab.imap_port))
        squatter.listen()
        with pytest.raises(RuntimeError, match="Dovecot exited") as failed:
            lab.start()
    assert "Address already in use" in str(failed.value)
    assert not lab.folder.exists()


def test_imap_down_refuses_connections_defers_smtp_delivery_and_comes_back_with_the_mail(mailboxes: MailLab) -> None:
    mailboxes.append(SUPPORT, _mail(CUSTOMER, SUPPORT, "Antes de la caída"))
    mailboxes.stop_imap()
    assert not mailboxes.imap_running
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((mailboxes.host, mailboxes.imap_port), timeout=5).close()
    with (
        smtplib.SMTP(mailboxes.host, mailboxes.smtp_port, timeout=10) as smtp,
        pytest.raises(smtplib.SMTPDataError) as deferred,
    ):
        smtp.sendmail(CUSTOMER, [SUPPORT], _mail(CUSTOMER, SUPPORT, "Durante la caída"))
    assert deferred.value.smtp_code == 451

    mailboxes.start_imap()
    with smtplib.SMTP(mailboxes.host, mailboxes.smtp_port, timeout=10) as smtp:
        smtp.sendmail(CUSTOMER, [SUPPORT], _mail(CUSTOMER, SUPPORT, "Después de la caída"))
    subjects = [
        str(email.message_from_bytes(raw, policy=policy.default)["Subject"]) for raw in mailboxes.messages(SUPPORT)
    ]
    assert subjects == ["Antes de la caída", "Después de la caída"]


@pytest.mark.parametrize("security", list(MailSecurity))
def test_the_settings_helpers_point_at_ports_that_speak_that_security(
    mailboxes: MailLab, security: MailSecurity
) -> None:
    smtp_settings = mailboxes.smtp_settings(SUPPORT, security)
    imap_settings = mailboxes.imap_settings(SUPPORT, security)
    assert smtp_settings.user == imap_settings.user == SUPPORT
    if security is MailSecurity.TLS:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            smtp_settings.host, smtp_settings.port, context=mailboxes.ssl_context(), timeout=10
        )
    else:
        smtp = smtplib.SMTP(smtp_settings.host, smtp_settings.port, timeout=10)
        if security is MailSecurity.STARTTLS:
            smtp.starttls(context=mailboxes.ssl_context())
    with smtp:
        smtp.login(SUPPORT, mailboxes.password(SUPPORT))
        smtp.sendmail(SUPPORT, [CUSTOMER], _mail(SUPPORT, CUSTOMER, f"Por {security.value}"))
    tls = security is MailSecurity.TLS
    context = mailboxes.ssl_context() if tls else None
    with IMAPClient(imap_settings.host, port=imap_settings.port, ssl=tls, ssl_context=context, timeout=10) as client:
        if security is MailSecurity.STARTTLS:
            client.starttls(mailboxes.ssl_context())
        client.login(SUPPORT, mailboxes.password(SUPPORT))
    assert len(mailboxes.messages(CUSTOMER)) == 1


def test_a_test_process_killed_without_stopping_leaves_no_dovecot_behind(tmp_path: Path) -> None:
    script = tmp_path / "lab.py"
    script.write_text(
        "import sys, time\n"
        "from tests.mail_lab import MailLab\n"
        "lab = MailLab().start()\n"
        "print(lab._process.pid, lab.folder, flush=True)\n"
        "time.sleep(60)\n",
        encoding="utf-8",
    )
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen([sys.executable, str(script)], cwd=root, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    pid, folder = child.stdout.readline().split()
    child.stdout.close()
    os.kill(int(pid), 0)  # Dovecot (under runuser when root) is running

    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    deadline = time.monotonic() + 10
    while (Path(folder).exists() or _alive(int(pid))) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(int(pid))
    assert not Path(folder).exists()


def _alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_without_dovecot_the_lab_says_to_run_the_install_script(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr("tests.mail_lab.DOVECOT_PATHS", ())
    with pytest.raises(RuntimeError, match=r"scripts/install_system_deps\.sh"):
        MailLab().start()
