"""The lists pickers and filters offer: agents, cities, customers and product models."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.domain.ids import UserId
from desktop_app.domain.model import Role
from desktop_app.persistence.tables import CustomerRecord, ProductModelRecord, UserRecord
from desktop_app.services.dto import AgentInfo, Choice


class SqlDirectoryQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def agents(self) -> list[AgentInfo]:
        """Active people by name, for the agent picker and the queue's agent filter (not the worker's
        service account, which never works a ticket)."""
        users = self._session.scalars(
            select(UserRecord)
            .where(UserRecord.active.is_(True), UserRecord.role != Role.SERVICE.value)
            .order_by(UserRecord.full_name)
        )
        return [AgentInfo(UserId(u.id), u.full_name, u.role, u.city) for u in users]

    def cities(self) -> list[str]:
        """The cities customers are in, for the queue's city filter."""
        return list(self._session.scalars(select(CustomerRecord.city).distinct().order_by(CustomerRecord.city)))

    def customer_choices(self) -> list[Choice]:
        rows = self._session.execute(
            select(CustomerRecord.id, CustomerRecord.name, CustomerRecord.city).order_by(CustomerRecord.name)
        )
        return [Choice(str(i), f"{name} ({city})") for i, name, city in rows]

    def model_choices(self) -> list[Choice]:
        rows = self._session.execute(
            select(ProductModelRecord.code, ProductModelRecord.name).order_by(ProductModelRecord.name)
        )
        return [Choice(code, name) for code, name in rows]
