"""One session per user action: the unit of work owns it and rolls back unless commit() is called."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.domain.policy import DEFAULT_POLICY, PolicySettings
from desktop_app.persistence.repositories import (
    SqlCatalogRepository,
    SqlContractRepository,
    SqlPolicyRepository,
    SqlTicketRepository,
)
from desktop_app.persistence.tables import Base


class SqlAlchemyUnitOfWork:
    def __init__(
        self, session_factory: sessionmaker[Session], defaults: PolicySettings = DEFAULT_POLICY
    ) -> None:
        self._session_factory = session_factory
        self._defaults = defaults
        self._session: Session | None = None

    def __enter__(self) -> Self:
        session = self._session = self._session_factory()
        self.policy = SqlPolicyRepository(session, self._defaults)
        self.catalog = SqlCatalogRepository(session)
        self.contracts = SqlContractRepository(session)
        self.tickets = SqlTicketRepository(session)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._session is not None
        try:
            self._session.rollback()  # a no-op after commit(); undoes everything otherwise
        finally:
            self._session.close()
            self._session = None

    def commit(self) -> None:
        assert self._session is not None, "commit() outside a `with` block"
        self._session.commit()

    def rollback(self) -> None:
        assert self._session is not None
        self._session.rollback()

    def wipe(self) -> None:
        """Delete every row of every table (children first). Only `demo --reset` does this."""
        assert self._session is not None
        for table in reversed(Base.metadata.sorted_tables):
            self._session.execute(delete(table))


class SqlAlchemyUnitOfWorkFactory:
    def __init__(
        self, session_factory: sessionmaker[Session], defaults: PolicySettings = DEFAULT_POLICY
    ) -> None:
        self._session_factory = session_factory
        self._defaults = defaults

    def __call__(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self._session_factory, self._defaults)
