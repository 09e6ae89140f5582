"""What the screens show of mail: a ticket's mails both ways (its timeline) and the outbox list."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.domain.ids import CustomerId, TicketId
from desktop_app.persistence.repositories.mail import split_addresses
from desktop_app.persistence.tables import MailInboxRecord, MailOutboxRecord, MailSettingsRecord, TicketRecord
from desktop_app.services.mail_dto import OutboxRow, OutboxState, TicketMail


class SqlMailQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def ticket_mails(self, ticket_id: TicketId) -> list[TicketMail]:
        """Every mail of the ticket, sent and received, oldest first."""
        sender = self._session.scalar(select(MailSettingsRecord.sender_address)) or ""
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
            )
            for r in self._session.scalars(select(MailInboxRecord).where(MailInboxRecord.ticket_id == ticket_id))
        ]
        return sorted(mails, key=lambda mail: (mail.at, mail.direction == "in", mail.id))

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
