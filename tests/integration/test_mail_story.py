"""Issue 14's story, end to end, through the services and the real mail lab (Dovecot and aiosmtpd,
tests/mail_lab.py), on SQLite and PostgreSQL:

a customer (a known contact of EAFIT, which has one machine) writes to the support mailbox → the
fetch opens a ticket, waiting for images (R2), and the acknowledgement asking for them arrives in her
mailbox → the agent replies → it arrives → she replies to it with two photos (a real reply:
In-Reply-To and References from the mail she got) → the photos are on the ticket and its clock runs
(R9) → the agent closes it → the closing mail arrives → she answers
"sigue fallando" → the ticket is open again with a new due time (R14), and its mails, both ways,
are on it in order, each received one with its own files → the agent answers once more, and in her
mailbox the whole story is one thread (each of our mails answers the latest mail, References in order).

Plus the auto-reply storm of the issue: an out-of-office that answers every mail reopens nothing and
is not answered, and a robot without automatic marks gets at most the rate limit of automatic mail.
(The SMTP server stopped with 100 mails queued is tests/integration/test_mail_outbox.py's.)

The customer's mail goes through the lab's SMTP server as her own mail program would send it
(signed in as her), so it lands in soporte@'s INBOX by delivery, not by a test shortcut.
"""

from __future__ import annotations

import smtplib
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from sqlalchemy import func, select

from desktop_app.domain.ids import CustomerId, TicketId, UserId
from desktop_app.domain.model import EventKind, TicketStatus
from desktop_app.domain.permissions import SYSTEM, Actor
from desktop_app.persistence.tables import MailOutboxRecord, TicketRecord
from desktop_app.services.customers import ContactForm
from desktop_app.services.mail_ports import MailSecurity
from desktop_app.services.users import actor_of
from tests.integration.world import World
from tests.mail_lab import MailLab

SUPPORT = "soporte@somosmaker.test"
CUSTOMER = "cliente@cliente.test"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40


@pytest.fixture
def desk(world: World, mailboxes: MailLab, monkeypatch: pytest.MonkeyPatch) -> World:
    """The world with mail set up against the lab (STARTTLS both ways, as a real office would) and
    the customer made a contact of EAFIT."""
    monkeypatch.setenv("MAKERSUPPORT_MAIL_PASSWORD", mailboxes.password(SUPPORT))  # no keyring here
    monkeypatch.setenv("SSL_CERT_FILE", str(mailboxes.ca_path))  # the lab's CA
    services = world.services
    admin = world.actor("admin")
    services.mail.save_settings(
        replace(
            services.mail.settings(),
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
    services.customers.save_contact(
        ContactForm(CustomerId(world.ids["eafit"]), "Ana Cliente", "Jefa de laboratorio", CUSTOMER), actor=admin
    )
    return world


def customer_writes(lab: MailLab, message: EmailMessage) -> None:
    """Send as the customer's mail program does: her account on the SMTP server, to soporte@."""
    message["From"] = f"Ana Cliente <{CUSTOMER}>"
    message["To"] = SUPPORT
    message["Message-ID"] = make_msgid(domain="cliente.test")
    server = lab.smtp_settings(user=CUSTOMER, security=MailSecurity.STARTTLS)
    with smtplib.SMTP(server.host, server.port) as client:
        client.starttls(context=lab.ssl_context())
        client.login(CUSTOMER, lab.password(CUSTOMER))
        client.send_message(message)


def reply_to(received: bytes, body: str, *photos: str) -> EmailMessage:
    """The customer's answer to a mail she received, threaded as mail programs thread it."""
    original = message_from_bytes(received, policy=policy.default)
    message = EmailMessage()
    subject = str(original["Subject"])
    message["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    message["In-Reply-To"] = str(original["Message-ID"])
    message["References"] = " ".join(filter(None, [str(original.get("References", "")), str(original["Message-ID"])]))
    message.set_content(f"{body}\n\nEl {original['Date']}, {original['From']} escribió:\n> …\n")
    for name in photos:
        message.add_attachment(JPEG + name.encode(), maintype="image", subtype="jpeg", filename=name)
    return message


def inbox(lab: MailLab, count: int) -> list[EmailMessage]:
    return [message_from_bytes(raw, policy=policy.default) for raw in lab.wait_for_messages(CUSTOMER, count)]  # type: ignore[misc]


def later(w: World, minutes: int) -> None:
    w.clock.set(w.clock.now() + timedelta(minutes=minutes))


def fetch_and_deliver(w: World) -> None:
    w.services.mail.fetch(actor=SYSTEM)
    w.services.mail.deliver_due(actor=SYSTEM)


def agent_of(w: World, ticket_id: TicketId) -> Actor:
    agent_id = w.services.tickets.get_ticket(ticket_id).agent_id
    return actor_of(next(user for user in w.users.values() if user.id == UserId(agent_id or -1)))


def _bare(message_id: str) -> str:
    """A Message-ID without its angle brackets, as the desk stores it."""
    return message_id.strip().strip("<>")


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def test_the_customer_s_mail_story_from_first_mail_to_reopening(desk: World, mailboxes: MailLab) -> None:
    w, lab, services = desk, mailboxes, desk.services

    # 1. Ana writes to the support mailbox; the mail job's fetch opens a ticket and acknowledges it.
    first = EmailMessage()
    first["Subject"] = "La impresora de resina no cura las piezas"
    first.set_content("Buenos días. Desde ayer las piezas salen blandas y pegadas al tanque.")
    customer_writes(lab, first)
    fetch_and_deliver(w)
    with services.engine.connect() as connection:
        ticket_id = TicketId(connection.scalar(select(func.max(TicketRecord.id))))
    ticket = services.tickets.get_ticket(ticket_id)
    assert ticket.machine_id == w.ids["eafit_r1"] and ticket.channel.value == "email"
    # R2: a request without images waits for them, its clock stopped, and the acknowledgement asks.
    assert ticket.status is TicketStatus.WAITING_CUSTOMER and ticket.due_at is None
    (acknowledgement,) = inbox(lab, 1)
    assert "imágenes" in text_of(acknowledgement).lower() or "fotos" in text_of(acknowledgement).lower()
    assert f"[{ticket.number}]" in str(acknowledgement["Subject"])
    assert acknowledgement["Auto-Submitted"] == "auto-replied"  # her out-of-office will not answer it

    # 2. The agent answers from the ticket; it arrives, threaded after the acknowledgement.
    later(w, 30)
    agent = agent_of(w, ticket_id)
    services.tickets.reply_to_customer(
        ticket_id, "Hola Ana. Revise que la película FEP del tanque no esté opaca y envíenos fotos.", actor=agent
    )
    services.mail.deliver_due(actor=SYSTEM)
    _ack, answer = inbox(lab, 2)
    assert "película FEP" in text_of(answer) and f"[{ticket.number}]" in str(answer["Subject"])
    assert str(acknowledgement["Message-ID"]) in str(answer["References"])
    assert answer["Auto-Submitted"] is None  # a person wrote it

    # 3. Ana replies to that mail with two photos; they are on the ticket and its clock runs again (R9).
    later(w, 45)
    customer_writes(
        lab, reply_to(lab.messages(CUSTOMER)[1], "Adjunto las fotos del tanque.", "tanque.jpg", "pieza.jpg")
    )
    fetch_and_deliver(w)
    ticket = services.tickets.get_ticket(ticket_id)
    assert {"tanque.jpg", "pieza.jpg"} <= {a.filename for a in ticket.attachments}
    assert ticket.status is not TicketStatus.WAITING_CUSTOMER and ticket.due_at is not None

    # 4. The agent closes it solved; the closing mail arrives and says a reply reopens it.
    later(w, 60)
    services.tickets.close_solved(ticket_id, actor=agent, solution="Se cambió la película FEP del tanque.")
    services.mail.deliver_due(actor=SYSTEM)
    closing = inbox(lab, 3)[2]
    assert "Se cambió la película FEP del tanque." in text_of(closing)
    closed = services.tickets.get_ticket(ticket_id)
    assert closed.status is TicketStatus.CLOSED and closed.due_at is None

    # 5. Two days later she answers the closing mail: the ticket is open again, with a new clock (R14).
    later(w, 2 * 24 * 60)
    customer_writes(lab, reply_to(lab.messages(CUSTOMER)[2], "Sigue fallando: las piezas salen blandas otra vez."))
    fetch_and_deliver(w)
    reopened = services.tickets.get_ticket(ticket_id)
    assert reopened.status.is_open and reopened.reopen_count == 1
    assert reopened.due_at is not None and reopened.due_at > w.clock.now()
    assert ticket.due_at is not None and reopened.due_at > ticket.due_at  # a new clock, not the old promise

    # 6. Every mail of the story is on the ticket, both ways, in order. Her first mail and its
    # acknowledgement were written in one transaction, at one moment: what she sent comes first.
    mails = services.mail.ticket_mails(ticket_id)
    story = [(mail.direction, mail.subject, mail.text) for mail in mails]
    assert [mail.direction for mail in mails] == ["in", "out", "out", "in", "out", "in"], story
    assert mails[0].at == mails[1].at, story
    assert "piezas salen blandas y pegadas" in mails[0].text and "Recibimos" in mails[1].subject
    assert "película FEP" in mails[2].text and "Adjunto las fotos" in mails[3].text
    # Each received mail lists the files it brought, and only those.
    assert [[a.filename for a in mail.attachments] for mail in mails if mail.direction == "in"] == [
        [],
        ["tanque.jpg", "pieza.jpg"],
        [],
    ]
    assert "Se cambió la película FEP" in mails[4].text and "Sigue fallando" in mails[5].text
    assert [mail.at for mail in mails] == sorted(mail.at for mail in mails)
    assert all(mail.state == "sent" for mail in mails if mail.direction == "out")
    kinds = [entry.kind for entry in reversed(reopened.timeline)]  # the timeline is newest first
    received = [i for i, kind in enumerate(kinds) if kind is EventKind.EMAIL_RECEIVED]
    sent = [i for i, kind in enumerate(kinds) if kind is EventKind.EMAIL_SENT]
    assert len(received) >= 2 and len(sent) >= 3 and min(sent) < max(received)

    # 7. The agent answers the reopened ticket. In Ana's mailbox the whole story is one thread: each
    # of our mails answers the latest mail of the conversation (hers when she wrote last) and its
    # References name the conversation so far, in order, every one a mail she sent or received.
    later(w, 30)
    services.tickets.reply_to_customer(ticket_id, "Ana, mañana la llamamos para revisar la luz UV.", actor=agent)
    services.mail.deliver_due(actor=SYSTEM)
    received_by_her = inbox(lab, 4)
    hers = [_bare(mail.message_id) for mail in services.mail.ticket_mails(ticket_id) if mail.direction == "in"]
    conversation = [
        hers[0],  # her first mail
        _bare(str(received_by_her[0]["Message-ID"])),  # the acknowledgement
        _bare(str(received_by_her[1]["Message-ID"])),  # the agent's answer
        hers[1],  # her photos
        _bare(str(received_by_her[2]["Message-ID"])),  # the closing mail
        hers[2],  # "sigue fallando"
        _bare(str(received_by_her[3]["Message-ID"])),  # the answer after the reopening
    ]
    for ours, position in zip(received_by_her, (1, 2, 4, 6), strict=True):
        assert _bare(str(ours["In-Reply-To"])) == conversation[position - 1], (position, conversation)
        references = [_bare(r) for r in str(ours["References"]).split()]
        assert references == conversation[:position], (position, references, conversation)


OUT_OF_OFFICE_MARKS = (
    ("Auto-Submitted", "auto-replied"),  # RFC 3834, Gmail and most servers
    ("X-Auto-Response-Suppress", "All"),  # Exchange
    ("Precedence", "auto_reply"),
    ("X-Autoreply", "yes"),
)


def test_an_out_of_office_answering_every_closing_mail_reopens_nothing_and_is_not_answered(
    desk: World, mailboxes: MailLab
) -> None:
    """Ana's out-of-office answers the closing mail, threaded to it, again and again: the ticket stays
    closed (R14 is for people), no ticket opens, and the desk sends nothing back."""
    w, lab, services = desk, mailboxes, desk.services
    ticket_id = _ticket_by_mail(w, lab)
    agent = agent_of(w, ticket_id)
    services.tickets.close_solved(ticket_id, actor=agent, solution="Se calibró la plataforma.")
    services.mail.deliver_due(actor=SYSTEM)
    closing = lab.wait_for_messages(CUSTOMER, 2)[-1]
    before = _outbox_count(w)
    for n in range(20):
        later(w, 1)
        auto = reply_to(closing, f"Estoy fuera de la oficina hasta el lunes ({n}).")
        name, value = OUT_OF_OFFICE_MARKS[n % len(OUT_OF_OFFICE_MARKS)]
        auto[name] = value
        customer_writes(lab, auto)
        fetch_and_deliver(w)
    after = services.tickets.get_ticket(ticket_id)
    assert after.status is TicketStatus.CLOSED and after.reopen_count == 0
    assert _outbox_count(w) == before  # nothing answered
    assert _ticket_count(w) == 1
    assert len(lab.messages(CUSTOMER)) == 2


def test_a_robot_that_answers_every_mail_gets_at_most_the_rate_limit(desk: World, mailboxes: MailLab) -> None:
    """A robot with no automatic marks, at the address of a contact of a customer with two machines,
    answers every mail it gets with a new one: each is a known contact's mail naming no machine, so the
    desk answers 'which machine?' automatically — at most 10 in 10 minutes and 15 in 30 (Zammad's
    limit), which stalls the loop; no ticket opens."""
    w, lab, services = desk, mailboxes, desk.services
    robot = "otro@cliente.test"
    services.customers.save_contact(
        ContactForm(CustomerId(w.ids["maker"]), "Buzón automático", "", robot), actor=w.actor("admin")
    )

    def robot_writes(n: int) -> None:
        message = EmailMessage()
        message["From"] = robot
        message["To"] = SUPPORT
        message["Subject"] = f"Recibido ({n})"
        message["Message-ID"] = make_msgid(domain="cliente.test")
        message.set_content("Su mensaje fue recibido. Este buzón no se revisa.")
        lab.append(SUPPORT, bytes(message))

    robot_writes(0)
    answered: list[int] = []  # how many of the desk's answers the robot had, minute by minute
    for minute in range(30):  # half an hour, a round a minute
        fetch_and_deliver(w)
        got = len(lab.messages(robot))
        for _ in range(got - (answered[-1] if answered else 0)):  # the robot answers each mail it got
            robot_writes(minute)
        answered.append(got)
        later(w, 1)
    # Zammad's limit: at most 10 in any 10 minutes and 15 in any 30, so the loop stalls.
    assert answered[0] == 1 and answered[-1] <= 15, answered
    assert all(answered[i + 10] - answered[i] <= 10 for i in range(len(answered) - 10)), answered
    assert answered[-1] == answered[-6]  # silent for the last five minutes
    assert _ticket_count(w) == 0


def _ticket_by_mail(w: World, lab: MailLab) -> TicketId:
    first = EmailMessage()
    first["Subject"] = "La impresora no enciende"
    first.set_content("Buenos días. La impresora de resina no enciende desde esta mañana.")
    customer_writes(lab, first)
    w.services.mail.fetch(actor=SYSTEM)
    with w.services.engine.connect() as connection:
        return TicketId(connection.scalar(select(func.max(TicketRecord.id))))


def _outbox_states(w: World) -> dict[str, int]:
    with w.services.engine.connect() as connection:
        rows = connection.execute(select(MailOutboxRecord.state, func.count()).group_by(MailOutboxRecord.state)).all()
    return {state: n for state, n in rows}


def _ticket_count(w: World) -> int:
    with w.services.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(TicketRecord)) or 0)


def _outbox_count(w: World) -> int:
    return sum(_outbox_states(w).values())
