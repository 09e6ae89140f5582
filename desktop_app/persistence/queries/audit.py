"""The audit log as people read it (R18): newest first, filtered by record, person or text."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from desktop_app.domain.ids import UserId
from desktop_app.persistence._common import like_pattern
from desktop_app.persistence.tables import AuditRecord
from desktop_app.services.dto import AuditView


class SqlAuditQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def search(
        self,
        *,
        entity: str = "",
        entity_id: str = "",
        actor_id: UserId | None = None,
        text: str = "",
        limit: int = 500,
    ) -> list[AuditView]:
        stmt = select(AuditRecord).options(selectinload(AuditRecord.actor))
        if entity:
            stmt = stmt.where(AuditRecord.entity == entity)
        if entity_id:
            stmt = stmt.where(AuditRecord.entity_id == entity_id)
        if actor_id is not None:
            stmt = stmt.where(AuditRecord.actor_id == actor_id)
        for term in text.split():
            stmt = stmt.where(AuditRecord.changes.ilike(like_pattern(term), escape="\\"))
        rows = self._session.scalars(stmt.order_by(AuditRecord.at.desc(), AuditRecord.id.desc()).limit(limit))
        return [
            AuditView(
                r.at,
                r.actor.full_name if r.actor else "",
                r.entity,
                r.entity_id,
                r.action,
                {k: (v[0], v[1]) for k, v in json.loads(r.changes or "{}").items()},
            )
            for r in rows
        ]
