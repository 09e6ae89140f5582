"""The outbox and the mail settings as stored, on SQLite and PostgreSQL (issue 14)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop_app.domain.ids import TicketId
from desktop_app.domain.model import Channel, Severity
from desktop_app.errors import ConflictError
from desktop_app.services.mail_dto import MailSettings, NewOutboxMail, OutboxState
from desktop_app.services.mail_ports import MailSecurity, ServerSettings
from desktop_app.services.tickets import IntakeRequest
from tests.integration.world import PHOTO, World


def _ticket(world: World) -> TicketId:
    detail = world.services.tickets.create_ticket(
        IntakeRequest(
            world.ids["uni_m3"],
            "La impresora no calienta la cama desde ayer.",
            Severity.HIGH,
            Channel.EMAIL,
            None,
            (PHOTO,),
        ),
        actor=world.actor("laura"),
    )
    return detail.id


def _mail(world: World, ticket_id: TicketId | None, message_id: str, automatic: bool = False) -> NewOutboxMail:
    return NewOutboxMail(
        template="reply",
        message_id=message_id,
        to=("cliente@x.co",),
        subject="Asunto",
        text="Hola",
        raw_sha256="0" * 64,
        raw_size=10,
        automatic=automatic,
        created_at=world.clock.now(),
        created_by=None,
        ticket_id=ticket_id,
    )


def test_a_queued_mail_is_claimed_by_one_sender_only_and_marked_sent(world: World) -> None:
    ticket_id = _ticket(world)
    now = world.clock.now()
    with world.services.uow_factory() as uow:
        (ack,) = uow.mail.due(now)  # the acknowledgement of the new ticket
        first = uow.mail.add_outbox(_mail(world, ticket_id, "a@x"))
        second = uow.mail.add_outbox(_mail(world, ticket_id, "b@x", automatic=True))
        uow.commit()
    with world.services.uow_factory() as uow:
        assert [m.id for m in uow.mail.due(now)] == [ack.id, first, second]
        assert uow.mail.claim(first, now, now + timedelta(minutes=5))
        uow.commit()
    with world.services.uow_factory() as uow:
        assert not uow.mail.claim(first, now, now + timedelta(minutes=5))  # taken: not due any more
        assert [m.id for m in uow.mail.due(now)] == [ack.id, second]
        uow.mail.mark_sent(first, now, 1)
        uow.commit()
    with world.services.uow_factory() as uow:
        assert uow.mail.get_outbox(first).state is OutboxState.SENT  # type: ignore[union-attr]
        assert uow.mail.ticket_message_ids(ticket_id) == [ack.message_id, "a@x", "b@x"]
        assert uow.mail.automatic_sent_at(ticket_id, "CLIENTE@x.co", now - timedelta(hours=1)) == [now]
        assert [row.id for row in uow.queries.mail.outbox([OutboxState.QUEUED])] == [second, ack.id]
        assert [mail.id for mail in uow.queries.mail.ticket_mails(ticket_id)] == [ack.id, first, second]


def test_the_settings_row_is_written_once_and_a_stale_save_is_refused(world: World) -> None:
    settings = MailSettings(
        smtp=ServerSettings("smtp.x.co", 587, MailSecurity.STARTTLS, "soporte@x.co"), sender_address="soporte@x.co"
    )
    now = world.clock.now()
    with world.services.uow_factory() as uow:
        made = uow.mail.settings()  # the start-up made the row with the Message-ID key, defaults otherwise
        assert made is not None and made.version == 1 and not made.smtp.configured
        assert len(uow.mail.signing_secret()) == 64
        uow.mail.save_settings(settings, signing_secret="ab" * 32, at=now, by=None, expected_version=1)
        uow.commit()
    with world.services.uow_factory() as uow:
        stored = uow.mail.settings()
        assert stored is not None and stored.smtp == settings.smtp and stored.version == 2
        assert uow.mail.signing_secret() == "ab" * 32
        with pytest.raises(ConflictError):
            uow.mail.save_settings(settings, signing_secret="ab" * 32, at=now, by=None, expected_version=1)
