"""Notices (the inbox, "Avisos"): written by the use cases and the reminder round, marked read by
their person (what the inbox shows is read in persistence.queries.notices)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop_app.domain.ids import TicketId, UserId
from desktop_app.domain.model import NoticeKind, Notification, TicketStatus
from desktop_app.persistence.tables import NotificationRecord

RUNNING_CODES = (TicketStatus.NEW.value, TicketStatus.IN_PROGRESS.value)


def notice_from_record(r: NotificationRecord) -> Notification:
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
