"""The audit log (R18): appended to, never updated or deleted. Reading it is persistence.queries.audit."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop_app.domain.audit import AuditEntry
from desktop_app.persistence.tables import AuditRecord


class SqlAuditRepository:
    """Append only: there is deliberately no update or delete here (R18)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, entry: AuditEntry) -> None:
        self._session.add(
            AuditRecord(
                at=entry.at,
                actor_id=entry.actor_id,
                entity=entry.entity,
                entity_id=entry.entity_id,
                action=entry.action,
                changes=json.dumps({k: list(v) for k, v in entry.changes.items()}, ensure_ascii=False, sort_keys=True),
            )
        )
        self._session.flush()

    def last_id(self) -> int:
        return self._session.scalar(select(func.max(AuditRecord.id))) or 0
