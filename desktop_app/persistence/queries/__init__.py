"""Read models: queries that return DTOs for screens and reports (ARCHITECTURE.md, convention 17).

Repositories (persistence.repositories) load and save aggregates; what a page shows is read here,
straight off the tables, in the unit of work's session (`uow.queries`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from desktop_app.persistence.queries.audit import SqlAuditQueries
from desktop_app.persistence.queries.billing import SqlBillingQueries
from desktop_app.persistence.queries.contracts import SqlContractQueries
from desktop_app.persistence.queries.customers import SqlCustomerQueries
from desktop_app.persistence.queries.directory import SqlDirectoryQueries
from desktop_app.persistence.queries.machines import SqlMachineQueries
from desktop_app.persistence.queries.mail import SqlMailQueries
from desktop_app.persistence.queries.notices import SqlNoticeQueries
from desktop_app.persistence.queries.policy import SqlPolicyQueries
from desktop_app.persistence.queries.queue import SqlQueueQueries
from desktop_app.persistence.queries.reports import SqlReportQueries
from desktop_app.persistence.queries.ticket_detail import SqlTicketDetailQueries


class SqlReadModels:
    """Every read model over one session, as `uow.queries.<name>`."""

    def __init__(self, session: Session) -> None:
        self.queue = SqlQueueQueries(session)
        self.ticket = SqlTicketDetailQueries(session)
        self.machines = SqlMachineQueries(session)
        self.directory = SqlDirectoryQueries(session)
        self.contracts = SqlContractQueries(session)
        self.billing = SqlBillingQueries(session)
        self.audit = SqlAuditQueries(session)
        self.policy = SqlPolicyQueries(session)
        self.notices = SqlNoticeQueries(session)
        self.customers = SqlCustomerQueries(session)
        self.mail = SqlMailQueries(session)  # a ticket's mails both ways, the outbox
        self.reports = SqlReportQueries(session)  # the reports' bulk reads (issue 15)


__all__ = ["SqlReadModels"]
