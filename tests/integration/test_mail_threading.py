"""Issue 14, threading and the timeline's mail, on SQLite and PostgreSQL.

Every mail we send about a ticket answers the latest mail of its conversation with the customer
(In-Reply-To) and names the conversation (References: the first mail and the latest ones), the
acknowledgement of a ticket a mail opened included; a ticket's mails read in the order they happened
(what was received before what it caused); a received mail lists exactly the files it brought, even
when several arrive in the same second. The same story against the real mail lab, seen from the
customer's mailbox, is tests/integration/test_mail_story.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from desktop_app.domain.ids import TicketId
from desktop_app.domain.permissions import SYSTEM
from desktop_app.persistence.tables import MailOutboxRecord
from desktop_app.services.mail import MailService
from desktop_app.services.mail.outbox import MAX_REFERENCES, thread_headers
from tests.integration.test_mail_inbound import JPEG, raw_mail, w  # w: the fixture (mail set up, a known contact)
from tests.integration.world import World

pytestmark = pytest.mark.usefixtures("english_ui")
__all__ = ["w"]  # the inbound tests' fixture, used here by name

OPENING = "La impresora MK-R1-EAFIT_R1 deja capas sin curar desde ayer; adjunto una foto de la pieza."


def _threading(w: World, ticket_id: TicketId) -> list[tuple[str, str, str]]:
    """Our mails about the ticket, oldest first: (template, In-Reply-To, References)."""
    with w.services.engine.connect() as connection:
        rows = connection.execute(
            select(MailOutboxRecord.template, MailOutboxRecord.in_reply_to, MailOutboxRecord.references_text)
            .where(MailOutboxRecord.ticket_id == ticket_id)
            .order_by(MailOutboxRecord.id)
        ).all()
    return [(template, in_reply_to, references) for template, in_reply_to, references in rows]


def _references(text: str) -> list[str]:
    return text.split()


def _later(w: World, minutes: int = 10) -> None:
    w.clock.set(w.clock.now() + timedelta(minutes=minutes))


def _opened(w: World, mail: MailService, message_id: str, *images: tuple[str, bytes]) -> TicketId:
    outcome = mail.import_mail(
        raw_mail(subject="Capas sin curar", body=OPENING, message_id=message_id, images=images), actor=SYSTEM
    )
    assert outcome.state == "ticket" and outcome.reason == "new_ticket", outcome.message
    return w.services.tickets.find_ticket_id(outcome.ticket_number)


def test_the_acknowledgement_answers_the_mail_that_opened_the_ticket_and_comes_after_it(w: World) -> None:
    mail = w.services.mail

    ticket_id = _opened(w, mail, "primero", ("pieza.jpg", JPEG))

    ((template, in_reply_to, references),) = _threading(w, ticket_id)
    assert template == "acknowledgement"
    assert in_reply_to == "primero@cliente.example" and _references(references) == ["primero@cliente.example"]
    # One transaction, one moment: her mail first, then the acknowledgement it caused.
    first, acknowledgement = mail.ticket_mails(ticket_id)
    assert (first.direction, acknowledgement.direction) == ("in", "out") and first.at == acknowledgement.at
    assert [a.filename for a in first.attachments] == ["pieza.jpg"] and acknowledgement.attachments == ()


def test_a_reply_answers_the_latest_mail_of_the_conversation_and_names_all_of_it(w: World) -> None:
    mail, agent = w.services.mail, w.actor("laura")
    ticket_id = _opened(w, mail, "inicio", ("pieza.jpg", JPEG))
    ((_t, _r, acknowledgement_refs),) = _threading(w, ticket_id)
    with w.services.engine.connect() as connection:
        acknowledgement = connection.scalar(
            select(MailOutboxRecord.message_id).where(MailOutboxRecord.ticket_id == ticket_id)
        )
    assert acknowledgement and _references(acknowledgement_refs) == ["inicio@cliente.example"]

    # Our reply after hers: it answers our acknowledgement, the latest mail.
    _later(w)
    w.services.tickets.reply_to_customer(ticket_id, "Revise la película FEP del tanque.", actor=agent)
    _ack, (_t, in_reply_to, references) = _threading(w, ticket_id)
    assert in_reply_to == acknowledgement
    assert _references(references) == ["inicio@cliente.example", acknowledgement]
    with w.services.engine.connect() as connection:
        answer = connection.scalar(
            select(MailOutboxRecord.message_id)
            .where(MailOutboxRecord.ticket_id == ticket_id)
            .order_by(MailOutboxRecord.id.desc())
            .limit(1)
        )
    assert answer

    # She answers; her out-of-office answers too (that is not her word: never answered).
    _later(w)
    hers = mail.import_mail(
        raw_mail(subject="Re: Capas", body="Ya la revisé.", message_id="respuesta", in_reply_to=answer), actor=SYSTEM
    )
    assert hers.state == "ticket", hers.message
    _later(w)
    robot = mail.import_mail(
        raw_mail(
            subject="Fuera de la oficina",
            body="Estoy de vacaciones.",
            message_id="vacaciones",
            in_reply_to=answer,
            headers=[("Auto-Submitted", "auto-replied")],
        ),
        actor=SYSTEM,
    )
    assert robot.state == "automatic", robot.message

    _later(w)
    w.services.tickets.close_solved(ticket_id, actor=agent, solution="Se cambió la película FEP.")
    *_earlier, (template, in_reply_to, references) = _threading(w, ticket_id)
    assert template == "closing_solved"
    assert in_reply_to == "respuesta@cliente.example"  # her last mail, not the robot's
    assert _references(references) == ["inicio@cliente.example", acknowledgement, answer, "respuesta@cliente.example"]


def test_a_long_conversation_names_its_first_mail_and_the_latest_ones() -> None:
    thread = [f"m{i}@x" for i in range(30)]

    in_reply_to, references = thread_headers(thread)

    assert in_reply_to == "m29@x"
    assert references == ("m0@x", *thread[-MAX_REFERENCES:]) and len(references) == MAX_REFERENCES + 1
    assert thread_headers(thread[:3]) == ("m2@x", ("m0@x", "m1@x", "m2@x"))
    assert thread_headers([]) == ("", ())


def test_each_received_mail_lists_only_its_own_files_even_in_the_same_second(w: World) -> None:
    mail = w.services.mail
    ticket_id = _opened(w, mail, "abre", ("pieza.jpg", JPEG))
    with w.services.engine.connect() as connection:
        acknowledgement = connection.scalar(
            select(MailOutboxRecord.message_id).where(MailOutboxRecord.ticket_id == ticket_id)
        )
    assert acknowledgement
    # Three answers fetched in the same second as the mail that opened the ticket (the clock stands).
    for message_id, images in (
        ("fotos", [("tanque.jpg", JPEG + b"t"), ("plataforma.jpg", JPEG + b"p")]),
        ("sin-fotos", []),
        ("otra-foto", [("pieza.jpg", JPEG + b"2")]),  # the same name as the first mail's file
    ):
        outcome = mail.import_mail(
            raw_mail(
                subject="Re: Capas",
                body=f"Respuesta {message_id}.",
                message_id=message_id,
                in_reply_to=acknowledgement,
                images=images,
            ),
            actor=SYSTEM,
        )
        assert outcome.state == "ticket", outcome.message

    received = {m.message_id: m for m in mail.ticket_mails(ticket_id) if m.direction == "in"}
    files = {mid.split("@")[0]: [(a.filename, a.size) for a in m.attachments] for mid, m in received.items()}
    assert files == {
        "abre": [("pieza.jpg", len(JPEG))],
        "fotos": [("tanque.jpg", len(JPEG) + 1), ("plataforma.jpg", len(JPEG) + 1)],
        "sin-fotos": [],
        "otra-foto": [("pieza.jpg", len(JPEG) + 1)],
    }
    # Each named file is one of the ticket's attachments, and no two mails share one.
    detail = w.services.tickets.get_ticket(ticket_id)
    ids = [a.id for m in received.values() for a in m.attachments]
    assert sorted(ids) == sorted(a.id for a in detail.attachments)


def test_the_template_preview_of_a_ticket_shows_the_subject_as_sent_with_its_number(w: World) -> None:
    mail = w.services.mail
    ticket_id = _opened(w, mail, "vista")
    number = w.services.tickets.get_ticket(ticket_id).number

    subject, _text = mail.preview("reply", "Respuesta a su caso: {summary}", "{message}", ticket_id=ticket_id)
    example, _text = mail.preview("reply", "Respuesta a su caso: {summary}", "{message}")

    assert subject == f"[{number}] Respuesta a su caso: Capas sin curar"
    assert not example.startswith("[")  # no ticket chosen: no number to show
    # What the customer reads carries the same subject.
    w.services.tickets.reply_to_customer(ticket_id, "Ya revisamos.", actor=w.actor("laura"))
    sent = [m for m in mail.ticket_mails(ticket_id) if m.template == "reply"]
    assert [m.subject for m in sent] == [subject]
