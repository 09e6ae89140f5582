"""One session per user action: the unit of work owns it and rolls back unless commit() is called."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import delete
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from desktop_app.errors import ConflictError, DatabaseUnavailableError
from desktop_app.i18n import _
from desktop_app.persistence import audit_guard
from desktop_app.persistence.migrate import describe_database_error
from desktop_app.persistence.queries import SqlReadModels
from desktop_app.persistence.repositories import (
    SqlAuditRepository,
    SqlCatalogRepository,
    SqlCertificateRepository,
    SqlCompanyRepository,
    SqlContractRepository,
    SqlNoticeRepository,
    SqlPolicyRepository,
    SqlProductRepository,
    SqlTicketRepository,
)
from desktop_app.persistence.repositories.customers import SqlCustomerRepository
from desktop_app.persistence.repositories.importing import SqlImportRepository
from desktop_app.persistence.repositories.mail import SqlMailRepository
from desktop_app.persistence.repositories.mail_inbox import SqlMailInboxRepository
from desktop_app.persistence.tables import Base


class SqlAlchemyUnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

    def __enter__(self) -> Self:
        session = self._session = self._session_factory()
        self.policy = SqlPolicyRepository(session)
        self.catalog = SqlCatalogRepository(session)
        self.customers = SqlCustomerRepository(session)
        self.contracts = SqlContractRepository(session)
        self.tickets = SqlTicketRepository(session)
        self.audit = SqlAuditRepository(session)
        self.certificates = SqlCertificateRepository(session)
        self.notices = SqlNoticeRepository(session)
        self.products = SqlProductRepository(session)  # the catalogue of models
        self.company = SqlCompanyRepository(session)
        self.imports = SqlImportRepository(session)  # imports and exports, in bulk
        self.mail = SqlMailRepository(session)  # mail settings, edited templates, the outbox
        self.mail_inbox = SqlMailInboxRepository(session)  # received mail (services/mail/inbound.py)
        self.queries = SqlReadModels(session)  # what screens show (persistence.queries)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._session is not None
        try:
            self._session.rollback()  # a no-op after commit(); undoes everything otherwise
        except DBAPIError:
            pass  # the connection is gone (server down): there is nothing to roll back
        finally:
            self._session.close()
            self._session = None
        if isinstance(exc, StaleDataError):
            # The row's version moved between our read and our write (another workstation saved).
            raise ConflictError(_("Someone else changed this record meanwhile. Nothing was saved.")) from exc
        if isinstance(exc, DBAPIError) and not isinstance(exc, IntegrityError):
            # Disk full, read-only file, server down: a message for the user, not a traceback.
            raise DatabaseUnavailableError(describe_database_error(exc), detail=str(exc)) from exc

    def commit(self) -> None:
        assert self._session is not None, "commit() outside a `with` block"
        try:
            self._session.commit()
        except DBAPIError as exc:
            if isinstance(exc, IntegrityError):
                raise
            raise DatabaseUnavailableError(describe_database_error(exc), detail=str(exc)) from exc
        except StaleDataError as exc:
            # Someone else saved the same row since we read it (version counter): nothing of ours
            # was written; the caller shows both versions.
            raise ConflictError(_("Someone else changed this record meanwhile. Nothing was saved.")) from exc

    def rollback(self) -> None:
        assert self._session is not None
        self._session.rollback()

    def wipe(self) -> None:
        """Delete every row of every table (children first). Only `demo --reset` does this.

        The audit log's append-only guard (migration 0008) is lifted for this transaction only,
        which needs the database owner's login on PostgreSQL (PermissionDeniedError otherwise).
        """
        assert self._session is not None
        with audit_guard.lifted(self._session):
            for table in reversed(Base.metadata.sorted_tables):
                if table.name != "change_counter":  # field copies hold watermarks on it: it never goes back
                    self._session.execute(delete(table))


class SqlAlchemyUnitOfWorkFactory:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __call__(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self._session_factory)
