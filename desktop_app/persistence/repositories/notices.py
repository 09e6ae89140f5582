"""Notices (the inbox, "Avisos"): written by the use cases and the reminder round, read and marked
read by their person; plus the few ticket facts the reminder round starts from."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desktop_app.domain.ids import TicketId, UserId
from desktop_app.domain.model import NoticeKind, Notification, TicketStatus
from desktop_app.persistence.tables import NotificationRecord, TicketRecord
from desktop_app.services.dto import ReminderCandidate

RUNNING_CODES = (TicketStatus.NEW.value, TicketStatus.IN_PROGRESS.value)


def _notice(r: NotificationRecord) -> Notification:
    data = json.loads(r.data) if r.data else {}
    if not data and r.body:
        data = {"text": r.body}  # a notice written before notices were worded when read
    return Notification(
        UserId(r.user_id),
        TicketId(r.ticket_id),
        NoticeKind(r.kind) if r.kind in NoticeKind._value2member_map_ else NoticeKind.ESCALATION,
        r.created_at,
        tuple(sorted(data.items())),
        r.read_at,
        r.key,
        r.id,
    )


class SqlNoticeRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, notice: Notification) -> bool:
        """Write the notice unless the same one (person, ticket, kind and key) was already given;
        returns whether it was written. A notice without a key is always new."""
        if notice.key and self._session.scalar(
            select(NotificationRecord.id).where(
                NotificationRecord.user_id == notice.user_id,
                NotificationRecord.ticket_id == notice.ticket_id,
                NotificationRecord.kind == notice.kind.value,
                NotificationRecord.key == notice.key,
            )
        ):
            return False
        self._session.add(
            NotificationRecord(
                user_id=notice.user_id,
                ticket_id=notice.ticket_id,
                kind=notice.kind.value,
                body="",
                data=json.dumps(dict(notice.data), ensure_ascii=False, sort_keys=True),
                key=notice.key,
                created_at=notice.created_at,
                read_at=notice.read_at,
            )
        )
        self._session.flush()
        return True

    def for_user(self, user_id: UserId, *, unread_only: bool = False, limit: int = 200) -> list[Notification]:
        """The person's notices, newest first."""
        stmt = select(NotificationRecord).where(NotificationRecord.user_id == user_id)
        if unread_only:
            stmt = stmt.where(NotificationRecord.read_at.is_(None))
        stmt = stmt.order_by(NotificationRecord.created_at.desc(), NotificationRecord.id.desc()).limit(limit)
        return [_notice(r) for r in self._session.scalars(stmt)]

    def ticket_numbers(self, ticket_ids: Sequence[TicketId]) -> dict[TicketId, str]:
        if not ticket_ids:
            return {}
        rows = self._session.execute(
            select(TicketRecord.id, TicketRecord.number).where(TicketRecord.id.in_(set(ticket_ids)))
        )
        return {TicketId(i): number for i, number in rows}

    def unread_count(self, user_id: UserId) -> int:
        stmt = select(func.count(NotificationRecord.id)).where(
            NotificationRecord.user_id == user_id, NotificationRecord.read_at.is_(None)
        )
        return int(self._session.scalar(stmt) or 0)

    def mark_read(self, user_id: UserId, notice_ids: Sequence[int] | None, at: datetime) -> int:
        """Mark the person's notices read (only theirs: an id of someone else's is ignored);
        None marks all of them. Returns how many changed."""
        stmt = (
            update(NotificationRecord)
            .where(NotificationRecord.user_id == user_id, NotificationRecord.read_at.is_(None))
            .values(read_at=at)
        )
        if notice_ids is not None:
            stmt = stmt.where(NotificationRecord.id.in_(list(notice_ids)))
        result = self._session.execute(stmt)
        return int(getattr(result, "rowcount", 0) or 0)

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
