"""`makersupport mail …` and the worker's mail jobs against the real mail lab (Dovecot and aiosmtpd,
tests/mail_lab.py), driven in-process through `desktop_app.cli.main` on a copy of the demo database.

The desk reads and sends as soporte@somosmaker.test; the customer is cliente@cliente.test, made a
contact of a demo customer whose machine may open a ticket by e-mail. The mail password comes from
MAKERSUPPORT_MAIL_PASSWORD (this machine has no keyring), the lab's CA from SSL_CERT_FILE, as on a
headless server.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.bootstrap import Services, build_services
from desktop_app.cli import main
from desktop_app.domain.ids import CustomerId
from desktop_app.domain.model import Channel
from desktop_app.domain.permissions import Permission
from desktop_app.persistence.tables import MachineRecord
from desktop_app.services.customers import ContactForm
from desktop_app.services.demo import DEMO_PASSWORD
from tests.conftest import make_settings
from tests.mail_lab import MailLab

SUPPORT = "soporte@somosmaker.test"
CUSTOMER = "cliente@cliente.test"


@dataclass(frozen=True)
class Desk:
    folder: Path
    lab: MailLab
    serial: str  # a machine of the customer whose contact is CUSTOMER


@pytest.fixture
def desk(demo_folder: Path, mailboxes: MailLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setenv("MAKERSUPPORT_DATA_DIR", str(tmp_path / "installation"))
    monkeypatch.delenv("MAKERSUPPORT_USER", raising=False)
    monkeypatch.setenv("MAKERSUPPORT_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setenv("MAKERSUPPORT_MAIL_PASSWORD", mailboxes.password(SUPPORT))
    monkeypatch.setenv("SSL_CERT_FILE", str(mailboxes.ca_path))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # nobody at a terminal
    services = build_services(make_settings(demo_folder))
    try:
        admin = services.users.sign_in("admin", DEMO_PASSWORD, needs=Permission.MANAGE_USERS)
        serial, customer_id = _machine_open_to_mail(services)
        services.customers.save_contact(
            ContactForm(customer_id, "Ana Cliente", "Jefa de laboratorio", CUSTOMER), actor=admin
        )
    finally:
        services.close()
    return Desk(demo_folder, mailboxes, serial)


def _machine_open_to_mail(services: Services) -> tuple[str, CustomerId]:
    """A demo machine whose customer may open a ticket by e-mail today (R3, R5)."""
    with services.engine.connect() as connection:
        rows = connection.execute(select(MachineRecord.id, MachineRecord.serial, MachineRecord.customer_id)).all()
    for machine_id, serial, customer_id in rows:
        eligibility = services.tickets.eligibility(machine_id)
        if eligibility.allowed and Channel.EMAIL in eligibility.channels:
            return serial, CustomerId(customer_id)
    raise AssertionError("the demo data has no machine that may open a ticket by e-mail")


def cli(desk: Desk, *args: str, user: str | None = "admin") -> int:
    signed_in = ["--user", user] if user else []
    return main(["--db", make_settings(desk.folder).db_url, "--lang", "en", *signed_in, *args])


def configure_args(lab: MailLab, **overrides: str) -> list[str]:
    options = {
        "--smtp-host": lab.host,
        "--smtp-port": str(lab.smtp_starttls_port),
        "--smtp-security": "starttls",
        "--smtp-user": SUPPORT,
        "--imap-host": lab.host,
        "--imap-port": str(lab.imap_port),
        "--imap-security": "starttls",
        "--imap-user": SUPPORT,
        "--sender": SUPPORT,
        "--sender-name": "Soporte makeR",
        "--domain": "somosmaker.test",
        "--reopen-days": "20",
    } | overrides
    return ["mail", "configure", *(part for pair in options.items() for part in pair), "--enable"]


def customer_mail(subject: str, body: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Ana Cliente <{CUSTOMER}>"
    message["To"] = SUPPORT
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="cliente.test")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


def _digest(folder: Path) -> str:
    return hashlib.sha256((folder / "makersupport.sqlite3").read_bytes()).hexdigest()


def _count(folder: Path, table: str) -> int:
    with closing(sqlite3.connect(folder / "makersupport.sqlite3")) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_configure_test_fetch_send_outbox_and_import_against_the_lab(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = desk.lab
    assert cli(desk, *configure_args(lab)) == 0
    out = capsys.readouterr().out
    assert "Mail settings saved." in out and f"SMTP: {SUPPORT}@{lab.host}:{lab.smtp_starttls_port} (starttls)" in out
    assert "A reply reopens a closed ticket for 20 days" in out and "sending on · fetching on" in out
    assert lab.password(SUPPORT) not in out  # never a password

    assert cli(desk, "mail", "test") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("SMTP") and lines[1].startswith("IMAP"), lines

    # The customer writes to the support mailbox; one fetch opens a ticket and queues the acknowledgement.
    lab.append(
        SUPPORT,
        customer_mail("La impresora no enciende", f"Buenos días. La máquina serial: {desk.serial} no enciende."),
    )
    assert cli(desk, "mail", "fetch") == 0
    assert capsys.readouterr().out.strip()  # the fetch's summary
    assert cli(desk, "mail", "outbox", "--state", "queued", "--format", "json", user=None) == 0
    queued = json.loads(capsys.readouterr().out)
    assert [row["to"] for row in queued] == [[CUSTOMER]], queued
    number = queued[0]["ticket_number"]
    assert number.startswith("SOP-")

    assert cli(desk, "mail", "send") == 0
    capsys.readouterr()
    (acknowledgement,) = lab.wait_for_messages(CUSTOMER, 1)
    assert f"[{number}]".encode() in acknowledgement
    assert cli(desk, "mail", "outbox", user=None) == 0
    table = capsys.readouterr().out
    assert "sent" in table and number in table and "queued" not in table

    # A mail saved from the customer's client (a reply to the acknowledgement) goes to the same ticket.
    acknowledged_id = next(
        line.split(b":", 1)[1].strip()
        for line in acknowledgement.splitlines()
        if line.lower().startswith(b"message-id:")
    ).decode()
    saved = tmp_path / "respuesta.eml"
    saved.write_bytes(
        customer_mail(f"Re: [{number}] Recibimos su solicitud", "Adjunto más detalles.", In_Reply_To=acknowledged_id)
    )
    inbox_before = _count(desk.folder, "mail_inbox")
    assert cli(desk, "mail", "import", str(saved)) == 0
    out = capsys.readouterr().out
    assert f"{saved}:" in out and number in out and "1 mail imported." in out
    assert _count(desk.folder, "mail_inbox") == inbox_before + 1


def test_mail_test_exits_1_and_says_which_server_failed(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    lab = desk.lab
    assert cli(desk, *configure_args(lab)) == 0
    lab.stop_smtp()
    try:
        assert cli(desk, "mail", "test") == 1
    finally:
        lab.start_smtp()
    smtp, imap = capsys.readouterr().out.splitlines()[-2:]
    assert "SMTP" in smtp and lab.host in smtp and "IMAP" in imap


BAD_INPUT = [
    (("mail", "configure", "--smtp-port", "70000"), "not a port number between 1 and 65535"),
    (("mail", "configure", "--imap-port", "abc"), "not a port number"),
    (("mail", "configure", "--smtp-security", "ssl"), "invalid choice: 'ssl'"),
    (("mail", "configure", "--reopen-days", "0"), "not a number of days"),
    (("mail", "import", "{tmp}/no-existe.eml"), "there is no such file"),
    (("mail", "import", "{tmp}/notas.txt"), "is not a saved mail"),
    (("mail", "import", "{tmp}/vacio.eml"), "is empty"),
    (("mail", "import", "{tmp}/carpeta.eml"), "it is a folder"),
    (("mail", "import", "{tmp}/bueno.eml", "{tmp}/no-existe.eml"), "there is no such file"),
]


@pytest.mark.parametrize(("command", "message"), BAD_INPUT, ids=lambda c: " ".join(c) if isinstance(c, tuple) else "")
def test_bad_input_exits_2_with_a_message_and_changes_nothing(
    desk: Desk, tmp_path: Path, command: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notas.txt").write_text("no es un correo", encoding="utf-8")
    (tmp_path / "vacio.eml").write_bytes(b"")
    (tmp_path / "carpeta.eml").mkdir()
    (tmp_path / "bueno.eml").write_bytes(customer_mail("Hola", "Un correo que se podría importar."))
    before = _digest(desk.folder)
    args = [part.format(tmp=tmp_path) for part in command]
    try:
        code = cli(desk, *args)
    except SystemExit as exit_:  # argparse refuses the option before anything runs
        code = int(exit_.code or 0)
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert _digest(desk.folder) == before
    assert _count(desk.folder, "mail_inbox") == 0  # the good file before the missing one was not imported


@pytest.mark.parametrize(
    "command",
    [
        ("mail", "configure", "--smtp-host", "smtp.example.com"),
        ("mail", "test"),
        ("mail", "fetch"),
        ("mail", "send"),
        ("mail", "import", "{tmp}/bueno.eml"),
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_without_a_signed_in_person_it_is_refused_and_changes_nothing(
    desk: Desk, tmp_path: Path, command: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bueno.eml").write_bytes(customer_mail("Hola", "Un correo que se podría importar."))
    desk.lab.append(SUPPORT, customer_mail("Hola", "Un correo en el buzón."))
    before = _digest(desk.folder)
    assert cli(desk, *(part.format(tmp=tmp_path) for part in command), user=None) == 2
    err = capsys.readouterr().err
    assert "needs a signed-in person" in err and "Traceback" not in err
    assert _digest(desk.folder) == before
    assert len(desk.lab.messages(SUPPORT)) == 1 and desk.lab.accepted == []


def test_an_agent_may_not_configure_mail_but_may_import(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(desk, "mail", "configure", "--smtp-host", "smtp.example.com", user="laura.perez") == 2
    assert "laura.perez" in capsys.readouterr().err
    with closing(sqlite3.connect(desk.folder / "makersupport.sqlite3")) as connection:
        assert connection.execute("SELECT smtp_host FROM mail_settings").fetchall() in ([], [("",)])
    saved = tmp_path / "desconocido.eml"
    message = EmailMessage()
    message["From"] = "extrano@otro.test"
    message["To"] = SUPPORT
    message["Subject"] = "Cotización"
    message.set_content("¿Cuánto cuesta una impresora?")
    saved.write_bytes(bytes(message))
    assert cli(desk, "mail", "import", str(saved), user="laura.perez") == 0
    assert "1 mail imported." in capsys.readouterr().out
    with closing(sqlite3.connect(desk.folder / "makersupport.sqlite3")) as connection:
        assert connection.execute("SELECT state, from_address FROM mail_inbox").fetchall() == [
            ("unclassified", "extrano@otro.test")
        ]


def test_worker_once_sends_the_queued_mail_and_fetches_the_mailbox(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = desk.lab
    assert cli(desk, *configure_args(lab)) == 0
    # Mail waiting on the server, and mail waiting in the outbox (an imported request's acknowledgement).
    lab.append(SUPPORT, customer_mail("La impresora no enciende", f"La máquina serial: {desk.serial} no enciende."))
    saved = desk.folder / "pedido.eml"
    saved.write_bytes(customer_mail("Falla del extrusor", f"El extrusor de la máquina serial: {desk.serial} se tapa."))
    assert cli(desk, "mail", "import", str(saved)) == 0
    capsys.readouterr()
    # The worker is its own process, as it runs on a server (its logging set-up stays out of this one).
    worker = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--db", make_settings(desk.folder).db_url, "worker", "--once"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "MAKERSUPPORT_USER": "tareas", "MAKERSUPPORT_LANG": "en"},
    )
    assert worker.returncode == 0, worker.stderr
    # The round fetched the waiting mail (a second ticket, a second acknowledgement) and delivered what was due.
    with closing(sqlite3.connect(desk.folder / "makersupport.sqlite3")) as connection:
        states = connection.execute("SELECT state FROM mail_inbox ORDER BY id").fetchall()
        outbox = connection.execute("SELECT state FROM mail_outbox ORDER BY id").fetchall()
    assert states == [("ticket",), ("ticket",)]
    assert outbox[0] == ("sent",)  # queued before the round: delivered by it
    # The acknowledgement reached the customer's mailbox (the demo's escalation notices went to staff too).
    subjects = [str(message_from_bytes(raw, policy=policy.default)["Subject"]) for raw in lab.messages(CUSTOMER)]
    assert any(subject.startswith("[SOP-") for subject in subjects), subjects


def test_fetch_and_send_before_mail_is_set_up_say_so_and_exit_1(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(desk, "mail", "fetch") == 1
    assert "no IMAP server is set" in capsys.readouterr().err
    assert cli(desk, "mail", "send") == 1
    assert "no SMTP server or sender is set" in capsys.readouterr().err
    assert cli(desk, *configure_args(desk.lab), "--disable-sending") == 0  # --enable, then sending off
    capsys.readouterr()
    assert cli(desk, "mail", "send") == 1 and "Sending is off" in capsys.readouterr().err
    assert desk.lab.accepted == []
