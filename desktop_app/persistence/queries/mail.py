"""What the screens show of mail: a ticket's mails both ways (its timeline) and the outbox list."""

from __future__ import annotations

import json
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.domain.ids import AttachmentId, CustomerId, TicketId
from desktop_app.domain.model import EventKind
from desktop_app.persistence.repositories.mail import split_addresses
from desktop_app.persistence.tables import (
    AttachmentRecord,
    MailInboxRecord,
    MailOutboxRecord,
    MailSettingsRecord,
    TicketEventRecord,
    TicketRecord,
)
from desktop_app.services.mail_dto import ATTACHMENT_IDS, MailAttachment, OutboxRow, OutboxState, TicketMail


class SqlMailQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def ticket_mails(self, ticket_id: TicketId) -> list[TicketMail]:
        """Every mail of the ticket, sent and received, oldest first; at one moment, what was
        received comes before what it caused (a mail and the acknowledgement written with it). A
        received mail carries the files it brought, as its timeline event names them."""
        sender = self._session.scalar(select(MailSettingsRecord.sender_address)) or ""
        files = self._received_files(ticket_id)
        mails = [
            TicketMail(
                direction="out",
                id=r.id,
                at=r.created_at,
                from_address=sender,
                to=split_addresses(r.to_addresses),
                subject=r.subject,
                text=r.text_body,
                state=r.state,
                state_reason=r.state_reason,
                template=r.template,
                message_id=r.message_id,
                sent_at=r.sent_at,
                attempts=r.attempts,
            )
            for r in self._session.scalars(select(MailOutboxRecord).where(MailOutboxRecord.ticket_id == ticket_id))
        ]
        mails += [
            TicketMail(
                direction="in",
                id=r.id,
                at=r.imported_at,
                from_address=r.from_address,
                to=split_addresses(r.to_addresses),
                subject=r.subject,
                text=r.text_body,
                state=r.state,
                state_reason=r.state_reason,
                message_id=r.message_id or "",
                html=r.html_body,
                sent_at=r.sent_at,
                attachments=files.get(r.id, ()),
            )
            for r in self._session.scalars(select(MailInboxRecord).where(MailInboxRecord.ticket_id == ticket_id))
        ]
        return sorted(mails, key=lambda mail: (mail.at, mail.direction == "out", mail.id))

    def _received_files(self, ticket_id: TicketId) -> dict[int, tuple[MailAttachment, ...]]:
        """The files each received mail of the ticket brought, by the mail's inbox id: the
        attachment rows its EMAIL_RECEIVED event names (services/mail/inbound.py)."""
        named: dict[int, list[int]] = {}
        for (data,) in self._session.execute(
            select(TicketEventRecord.data).where(
                TicketEventRecord.ticket_id == ticket_id, TicketEventRecord.kind == EventKind.EMAIL_RECEIVED.value
            )
        ):
            values = json.loads(data or "{}")
            mail_id, ids = str(values.get("mail_id", "")), str(values.get(ATTACHMENT_IDS, ""))
            if mail_id.isdigit() and ids:
                named[int(mail_id)] = [int(i) for i in ids.split(",") if i.isdigit()]
        wanted = {i for ids in named.values() for i in ids}
        if not wanted:
            return {}
        rows = {
            r.id: MailAttachment(AttachmentId(r.id), r.filename, r.size)
            for r in self._session.scalars(
                select(AttachmentRecord).where(AttachmentRecord.ticket_id == ticket_id, AttachmentRecord.id.in_(wanted))
            )
        }
        return {mail_id: tuple(rows[i] for i in ids if i in rows) for mail_id, ids in named.items()}

    def outbox(self, states: Collection[OutboxState] = (), limit: int = 500) -> list[OutboxRow]:
        """Outbound mail, newest first; only the given states when any are given."""
        stmt = select(MailOutboxRecord, TicketRecord.number).outerjoin(
            TicketRecord, TicketRecord.id == MailOutboxRecord.ticket_id
        )
        if states:
            stmt = stmt.where(MailOutboxRecord.state.in_([state.value for state in states]))
        stmt = stmt.order_by(MailOutboxRecord.created_at.desc(), MailOutboxRecord.id.desc()).limit(limit)
        return [
            OutboxRow(
                id=r.id,
                ticket_id=TicketId(r.ticket_id) if r.ticket_id is not None else None,
                ticket_number=number or "",
                customer_id=CustomerId(r.customer_id) if r.customer_id is not None else None,
                template=r.template,
                to=split_addresses(r.to_addresses),
                subject=r.subject,
                state=OutboxState(r.state),
                state_reason=r.state_reason,
                attempts=r.attempts,
                created_at=r.created_at,
                next_attempt_at=r.next_attempt_at,
                sent_at=r.sent_at,
                automatic=r.automatic,
            )
            for r, number in self._session.execute(stmt)
        ]

    def raw_sha256(self, direction: str, mail_id: int) -> str | None:
        """Where the composed or received mail's bytes are in the attachment store."""
        table = MailOutboxRecord if direction == "out" else MailInboxRecord
        return self._session.scalar(select(table.raw_sha256).where(table.id == mail_id))
