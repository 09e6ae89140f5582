"""The inbox ("Avisos") as its person reads it, and the open tickets the reminder round starts from."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop_app.domain.ids import TicketId, UserId
from desktop_app.domain.model import Notification, TicketStatus
from desktop_app.persistence.repositories.notices import notice_from_record
from desktop_app.persistence.tables import NotificationRecord, TicketRecord
from desktop_app.services.dto import ReminderCandidate

RUNNING_CODES = (TicketStatus.NEW.value, TicketStatus.IN_PROGRESS.value)


class SqlNoticeQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def inbox(self, user_id: UserId, *, unread_only: bool = False, limit: int = 200) -> list[tuple[Notification, str]]:
        """The person's notices, newest first, each with its ticket's number (one query)."""
        stmt = (
            select(NotificationRecord, TicketRecord.number)
            .join(TicketRecord, TicketRecord.id == NotificationRecord.ticket_id)
            .where(NotificationRecord.user_id == user_id)
        )
        if unread_only:
            stmt = stmt.where(NotificationRecord.read_at.is_(None))
        stmt = stmt.order_by(NotificationRecord.created_at.desc(), NotificationRecord.id.desc()).limit(limit)
        return [(notice_from_record(record), number) for record, number in self._session.execute(stmt)]

    def unread_count(self, user_id: UserId) -> int:
        stmt = select(func.count(NotificationRecord.id)).where(
            NotificationRecord.user_id == user_id, NotificationRecord.read_at.is_(None)
        )
        return int(self._session.scalar(stmt) or 0)

    def reminder_candidates(self) -> list[ReminderCandidate]:
        """Open tickets with a responsible agent: those waiting on the customer (contact attempts,
        R12) and those running with a due time (a breach coming, R7)."""
        stmt = (
            select(
                TicketRecord.id,
                TicketRecord.number,
                TicketRecord.status,
                TicketRecord.assigned_agent_id,
                TicketRecord.due_at,
                TicketRecord.plan_code,
                TicketRecord.severity,
                TicketRecord.received_at,
                TicketRecord.clock_started_at,
            )
            .where(
                TicketRecord.assigned_agent_id.is_not(None),
                TicketRecord.status.in_((*RUNNING_CODES, TicketStatus.WAITING_CUSTOMER.value)),
            )
            .order_by(TicketRecord.id)
        )
        return [
            ReminderCandidate(
                TicketId(row.id),
                row.number,
                TicketStatus(row.status),
                UserId(row.assigned_agent_id),
                row.due_at,
                row.plan_code,
                row.severity,
                row.clock_started_at or row.received_at,
            )
            for row in self._session.execute(stmt)
        ]
