"""Ids for rows made on a field copy, apart from the office's.

The office's ids are 32-bit (PostgreSQL INTEGER): a row made on the laptop gets an id from 2³¹ up,
so it can never take the id of an office row that a later pull brings (SQLite's own choice,
the largest id + 1, would). The office gives its own ids when the command is replayed there, and
the laptop's rows are replaced by the office's at the pull after.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.persistence.tables import (
    AttachmentRecord,
    AuditRecord,
    MailOutboxRecord,
    NotificationRecord,
    TicketEventRecord,
    TicketRecord,
    VisitRecord,
)

LOCAL_BASE = 2**31  # the first id past PostgreSQL's INTEGER

_LOCAL_TABLES = (
    TicketRecord,
    TicketEventRecord,
    AttachmentRecord,
    VisitRecord,
    NotificationRecord,
    AuditRecord,
    MailOutboxRecord,
)


def is_local(record_id: int) -> bool:
    return record_id >= LOCAL_BASE


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    following: dict[type, int] = {}
    for record in session.new:
        kind = type(record)
        if kind not in _LOCAL_TABLES or getattr(record, "id", None) is not None:
            continue
        if kind not in following:
            newest = session.scalar(select(func.max(kind.id)).where(kind.id >= LOCAL_BASE))
            following[kind] = (newest or LOCAL_BASE - 1) + 1
        record.id = following[kind]
        following[kind] += 1


def install(factory: sessionmaker[Session]) -> None:
    """Give the rows this factory's sessions add ids from LOCAL_BASE up."""
    event.listen(factory, "before_flush", _before_flush)
