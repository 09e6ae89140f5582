"""The mail figures of issue 14: fetch and import 1,000 mails from a real Dovecot into a database with
100,000 tickets, and send 1,000 from the outbox to aiosmtpd.

    python bench/mail_bench.py [--mails 1000] [--tickets 100000] [--security starttls|tls|none] [--no-cache]

The mails are a mix: replies to the desk's own (signed) mail about a ticket, new requests from known
contacts with a photo, out-of-office auto-replies and delivery-failure bounces. The database is the
queue benchmark's (bench/queue_bench.py: the demo data plus N tickets inserted in bulk, numbered
SOP-2025-…), built once per schema and kept in ~/.cache/makersupport-bench/ (--no-cache builds it
again); each run works on a copy. The servers are the test suite's lab (tests/mail_lab.py: Dovecot
started in a temporary folder, aiosmtpd delivering into it); the desk's connections use --security
(default STARTTLS, as an office's server would; the lab's CA trusted through SSL_CERT_FILE). The
1,000 mails sent go to addresses without a lab mailbox, so aiosmtpd only records them: the figure is
the desk's, not Dovecot's delivery.

Printed, in the same run (the house rule: a figure beside what it compares with):
- import: mails/s of MailService.fetch (IMAP fetch + the inbound pipeline + the database), beside the
  raw parse alone (StdlibMailReader.parse of the same bytes: the floor the pipeline adds to);
- send: mails/s of MailService.deliver_due (one SMTP connection per delivery round, as the service sends),
  beside handing the same composed mails to aiosmtpd over one reused smtplib connection.
Goal (issue 14): import ≥ 50 mails/s, send ≥ 100 mails/s on this 2-core machine.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import smtplib
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from sqlalchemy import create_engine, func, select, text

from desktop_app import i18n
from desktop_app.bootstrap import Services, build_services
from desktop_app.config import Settings
from desktop_app.domain.mail import new_message_id
from desktop_app.domain.mail_templates import TemplateCode
from desktop_app.domain.model import Channel, Role
from desktop_app.domain.permissions import SYSTEM, Actor
from desktop_app.mail.reading import StdlibMailReader
from desktop_app.persistence.migrate import shipped_head
from desktop_app.persistence.tables import (
    ContactRecord,
    CustomerRecord,
    MachineRecord,
    MailInboxRecord,
    MailOutboxRecord,
    MailSettingsRecord,
    TicketRecord,
)
from desktop_app.services.clock import FixedClock
from desktop_app.services.mail_dto import MailRequest, OutboxState
from desktop_app.services.mail_ports import MailSecurity
from tests.mail_lab import MailLab

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)  # the queue benchmark's
SUPPORT = "soporte@somosmaker.test"
BENCH_AGENT = Actor(None, Role.AGENT, name="bench")
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "makersupport-bench"


def tickets_database(count: int, folder: Path, *, use_cache: bool = True) -> Settings:
    """A copy of the database with `count` tickets in `folder`, built (about 20 s for 100,000) or
    taken from the cache."""
    key = hashlib.sha256(f"{shipped_head()}:{count}:2".encode()).hexdigest()[:12]
    cached = CACHE / f"tickets-{count}-{key}"
    if not use_cache or not (cached / "bench.sqlite3").exists():
        shutil.rmtree(cached, ignore_errors=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix="building-", dir=CACHE))
        _build(building, count)
        building.rename(cached)
    shutil.copytree(cached, folder, dirs_exist_ok=True)
    return Settings(db_url=f"sqlite:///{folder / 'bench.sqlite3'}", data_dir=folder)


def _build(folder: Path, count: int) -> None:
    """The queue benchmark's database (the demo data plus `count` tickets inserted in bulk), with the
    tickets numbered as the desk numbers them (SOP-2025-000001…, so a reply's signed Message-ID can
    name them) and the closed ones closed two days after they came in (so a reply may reopen them)."""
    from queue_bench import build  # the queue benchmark's generator

    settings = build(folder, count)
    engine = create_engine(settings.db_url)
    closed = "('closed', 'closed_no_response', 'out_of_scope')"
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE tickets SET number = 'SOP-2025-' || substr('000000' || substr(number, 5), -6), "
                "search_text = replace(search_text, lower(number), "
                "lower('SOP-2025-' || substr('000000' || substr(number, 5), -6))) "
                "WHERE number LIKE 'BEN-%'"
            )
        )
        connection.execute(
            text(f"UPDATE tickets SET closed_at = datetime(received_at, '+2 days') WHERE status IN {closed}")
        )
        connection.execute(text("DELETE FROM ticket_counters WHERE year = 2025"))
        connection.execute(text("INSERT INTO ticket_counters (year, last) VALUES (2025, :n)"), {"n": count})
    engine.dispose()


def _photo(rng: random.Random, size: int = 60_000) -> bytes:
    """A JPEG-sized photo (the reader and intake go by the media type; nobody decodes it)."""
    return b"\xff\xd8\xff\xe0" + rng.randbytes(size)


def _mail(
    sender: str, subject: str, body: str, *, headers: dict[str, str] | None = None, photo: bytes | None = None
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SUPPORT
    message["Subject"] = subject
    message["Date"] = format_datetime(NOW)
    message["Message-ID"] = make_msgid(domain="cliente.bench")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if photo is not None:
        message.add_attachment(photo, maintype="image", subtype="jpeg", filename="falla.jpg")
    return bytes(message)


def _bounce(original: bytes) -> bytes:
    """A delivery-status report (RFC 3464) about one of our mails, with the original's headers, as
    a mail server writes it."""
    headers = original.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    boundary = "=_bounce_" + hashlib.sha256(original).hexdigest()[:16]
    head = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.cliente.bench>\n"
        f"To: {SUPPORT}\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        f"Date: {format_datetime(NOW)}\n"
        f"Message-ID: {make_msgid(domain='mx.cliente.bench')}\n"
        "Return-Path: <>\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\n\n'
        f"--{boundary}\n"
        "Content-Type: text/plain; charset=us-ascii\n\n"
        "This is the mail system. Your message could not be delivered: mailbox unknown.\n\n"
        f"--{boundary}\n"
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.cliente.bench\n\n"
        "Final-Recipient: rfc822; nadie@cliente.bench\nAction: failed\nStatus: 5.1.1\n\n"
        f"--{boundary}\n"
        "Content-Type: text/rfc822-headers\n\n"
    )
    return (head.encode() + headers + f"\n\n--{boundary}--\n".encode()).replace(b"\n", b"\r\n")


def mails(
    count: int,
    secret: bytes,
    domain: str,
    tickets: list[tuple[str, str]],
    contacts: list[tuple[str, str]],
    sent: list[bytes],
) -> tuple[list[bytes], Counter[str]]:
    """`count` mails to the support mailbox: 40 % replies to a ticket's mail (signed In-Reply-To),
    30 % new requests from a known contact naming a machine's serial, with a photo, 15 % out-of-office
    auto-replies to a ticket's mail, 15 % bounces of mail the desk sent (`sent`).

    Args:
        tickets: (number, a contact's address) of tickets to reply to.
        contacts: (address, serial of one of the contact's customer's machines).
    """
    rng = random.Random(14)
    made: list[bytes] = []
    kinds: Counter[str] = Counter()
    for i in range(count):
        pick = i % 20
        if pick < 8:
            number, address = rng.choice(tickets)
            ours = new_message_id(secret, number, f"b{i}", domain)
            raw = _mail(
                address,
                f"Re: [{number}] La impresora sigue con el problema",
                f"Hola, probamos lo que nos dijeron y sigue igual. Caso {i}.\n\n> Mensaje anterior del soporte\n",
                headers={"In-Reply-To": f"<{ours}>", "References": f"<{ours}>"},
            )
            kinds["reply"] += 1
        elif pick < 14:
            address, serial = rng.choice(contacts)
            raw = _mail(
                address,
                "La impresora no enciende",
                f"Buenos días. La máquina con serial: {serial} no enciende desde ayer. Adjunto foto. Caso {i}.",
                photo=_photo(rng),
            )
            kinds["new request with a photo"] += 1
        elif pick < 17:
            number, address = rng.choice(tickets)
            ours = new_message_id(secret, number, f"a{i}", domain)
            raw = _mail(
                address,
                f"Respuesta automática: [{number}] Recibimos su solicitud",
                "Estoy fuera de la oficina hasta el lunes. Para urgencias llame al conmutador.",
                headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes", "In-Reply-To": f"<{ours}>"},
            )
            kinds["auto-reply"] += 1
        else:
            raw = _bounce(sent[i % len(sent)])
            kinds["bounce"] += 1
        made.append(raw)
    return made, kinds


def append_all(lab: MailLab, raws: list[bytes]) -> None:
    """Put the mails into the support mailbox over one IMAP connection."""
    client = lab.imap(SUPPORT)
    try:
        for raw in raws:
            client.append("INBOX", raw)
    finally:
        client.logout()


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.1f} mails/s  ({count} in {seconds:.2f} s)"


def _configure(services: Services, lab: MailLab, security: MailSecurity) -> None:
    admin = Actor(None, Role.ADMIN, name="bench")
    services.mail.save_settings(
        replace(
            services.mail.settings(),
            smtp=lab.smtp_settings(security=security),
            imap=lab.imap_settings(security=security),
            sender_address=SUPPORT,
            sender_name="Soporte makeR",
            message_id_domain="somosmaker.test",
            sending_enabled=True,
            fetching_enabled=True,
        ),
        actor=admin,
    )


def _queue(services: Services, count: int) -> list[int]:
    """`count` replies to customers queued as the composer queues them (one transaction, not timed)."""
    writer = services.mail.outbox_writer
    ids: list[int] = []
    with services.engine.connect() as connection:
        ticket_ids = connection.scalars(
            select(TicketRecord.id).where(TicketRecord.number.like("SOP-2025-%")).order_by(TicketRecord.id).limit(count)
        ).all()
    with services.uow_factory() as uow:
        for i, ticket_id in enumerate(ticket_ids):
            ticket = uow.tickets.get(ticket_id)
            request = MailRequest(
                TemplateCode.REPLY,
                facts={"message": f"Buenas tardes. Revisamos el caso {i}: cambie la boquilla y nos cuenta."},
                to_customer_address=f"cliente{i}@cliente.bench",
            )
            mail_id = writer.enqueue_in(uow, request, ticket=ticket, actor=BENCH_AGENT)
            assert mail_id is not None
            ids.append(mail_id)
        uow.commit()
    return ids


def _reply_targets(services: Services, count: int) -> list[tuple[str, str]]:
    """(ticket number, an address of its customer) of `count` bulk tickets spread over the table."""
    with services.engine.connect() as connection:
        rows = connection.execute(
            select(TicketRecord.number, CustomerRecord.email)
            .join(CustomerRecord, CustomerRecord.id == TicketRecord.customer_id)
            .where(TicketRecord.number.like("SOP-2025-%"), TicketRecord.id % 97 == 0)
            .limit(count)
        ).all()
    return [(number, email or "cliente@cliente.bench") for number, email in rows]


def _known_contacts(services: Services) -> list[tuple[str, str]]:
    """(contact address, serial of a machine of theirs that may open a ticket by e-mail)."""
    with services.engine.connect() as connection:
        rows = connection.execute(
            select(ContactRecord.email, MachineRecord.id, MachineRecord.serial)
            .join(MachineRecord, MachineRecord.customer_id == ContactRecord.customer_id)
            .where(ContactRecord.email != "")
        ).all()
    allowed: dict[int, bool] = {}
    found = []
    for email, machine_id, serial in rows:
        if machine_id not in allowed:
            eligibility = services.tickets.eligibility(machine_id)
            allowed[machine_id] = eligibility.allowed and Channel.EMAIL in eligibility.channels
        if allowed[machine_id]:
            found.append((email, serial))
    assert found, "no demo contact may open a ticket by e-mail"
    return found


def _resend_over_one_connection(lab: MailLab, security: MailSecurity, raws: list[bytes]) -> float:
    """The comparison for sending: the same composed mails, the same protection and sign-in, over ONE
    reused SMTP connection (smtplib alone: no database, no claim, no mark)."""
    server = lab.smtp_settings(security=security)
    started = time.perf_counter()
    if security is MailSecurity.TLS:
        client: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, context=lab.ssl_context())
    else:
        client = smtplib.SMTP(server.host, server.port)
    with client:
        if security is MailSecurity.STARTTLS:
            client.starttls(context=lab.ssl_context())
        client.login(SUPPORT, lab.password(SUPPORT))
        for i, raw in enumerate(raws):
            client.sendmail(SUPPORT, [f"cliente{i}@cliente.bench"], raw)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--security", choices=[s.value for s in MailSecurity], default="starttls")
    parser.add_argument("--no-cache", action="store_true", help="build the tickets database again")
    args = parser.parse_args()
    i18n.install("es_CO")
    security = MailSecurity(args.security)
    folder = Path(tempfile.mkdtemp(prefix="mail-bench-"))
    started = time.perf_counter()
    settings = tickets_database(args.tickets, folder, use_cache=not args.no_cache)
    print(f"database: {args.tickets:,} tickets + the demo data, ready in {time.perf_counter() - started:.1f} s")
    with MailLab() as lab:
        os.environ["SSL_CERT_FILE"] = str(lab.ca_path)  # the lab's CA, as a server would trust its relay's
        os.environ["MAKERSUPPORT_MAIL_PASSWORD"] = lab.password(SUPPORT)  # no keyring on a bench machine
        services = build_services(settings, clock=FixedClock(NOW))
        try:
            _configure(services, lab, security)
            print(f"servers: Dovecot and aiosmtpd on loopback, {security.value}")

            # -- send ------------------------------------------------------------------------------
            ids = _queue(services, args.mails)
            started = time.perf_counter()
            summary = services.mail.deliver_due(actor=SYSTEM)
            send_s = time.perf_counter() - started
            sent = _count(services, MailOutboxRecord, MailOutboxRecord.state == OutboxState.SENT.value)
            assert sent == len(ids) and len(lab.accepted) == len(ids), (summary, sent, len(lab.accepted))
            raws = [services.mail.raw_mail("out", mail_id) for mail_id in ids]
            lab.accepted.clear()
            reused_s = _resend_over_one_connection(lab, security, raws)
            print(f"send {len(ids)} from the outbox (deliver_due, one SMTP connection a round): {_rate(sent, send_s)}")
            print(f"  the same mails over one reused smtplib connection, no database:   {_rate(len(raws), reused_s)}")

            # -- fetch and import ------------------------------------------------------------------
            secret = _signing_secret(services)
            made, kinds = mails(
                args.mails, secret, "somosmaker.test", _reply_targets(services, 500), _known_contacts(services), raws
            )
            append_all(lab, made)
            inbox_before = _count(services, MailInboxRecord)
            started = time.perf_counter()
            summary = services.mail.fetch(actor=SYSTEM)
            import_s = time.perf_counter() - started
            imported = _count(services, MailInboxRecord) - inbox_before
            states = _states(services)
            reader = StdlibMailReader()
            started = time.perf_counter()
            for raw in made:
                reader.parse(raw)
            parse_s = time.perf_counter() - started
            print(f"fetch and import {len(made)} ({', '.join(f'{n} {k}' for k, n in kinds.items())}):")
            print(f"  MailService.fetch (IMAP + pipeline + database): {_rate(imported, import_s)}")
            print(f"  the raw parse alone (StdlibMailReader.parse):   {_rate(len(made), parse_s)}")
            print(f"  where they went: {states}; the fetch said: {summary}")
            goal_import, goal_send = imported / import_s >= 50, sent / send_s >= 100
            print(f"goal import >= 50 mails/s: {'met' if goal_import else 'NOT met'}")
            print(f"goal send >= 100 mails/s: {'met' if goal_send else 'NOT met'}")
        finally:
            services.close()
    shutil.rmtree(folder, ignore_errors=True)
    return 0


def _signing_secret(services: Services) -> bytes:
    with services.engine.connect() as connection:
        return bytes.fromhex(connection.scalar(select(MailSettingsRecord.signing_secret)) or "")


def _count(services: Services, table: type, *where: Any) -> int:
    with services.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def _states(services: Services) -> dict[str, int]:
    with services.engine.connect() as connection:
        rows = connection.execute(
            select(MailInboxRecord.state, func.count()).group_by(MailInboxRecord.state).order_by(MailInboxRecord.state)
        ).all()
    return {state: n for state, n in rows}


if __name__ == "__main__":
    sys.exit(main())
