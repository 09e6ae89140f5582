"""The policy's version history, for the administrator's "History" list."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from desktop_app.persistence.tables import PolicyVersionRecord
from desktop_app.services.dto import PolicyVersionInfo


class SqlPolicyQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def history(self) -> list[PolicyVersionInfo]:
        """Every version, newest first."""
        rows = self._session.scalars(
            select(PolicyVersionRecord)
            .options(selectinload(PolicyVersionRecord.author))
            .order_by(PolicyVersionRecord.id.desc())
        )
        return [PolicyVersionInfo(r.id, r.created_at, r.author.full_name if r.author else "", r.note) for r in rows]
