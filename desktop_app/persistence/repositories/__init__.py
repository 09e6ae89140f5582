"""Repositories: load and save aggregates, mapping records to domain objects and back.

One module per aggregate. What screens show (queue page, ticket detail, counts, summaries) is a
read model in persistence.queries, not here (ARCHITECTURE.md, convention 17).
"""

from __future__ import annotations

from desktop_app.persistence.repositories.audit import SqlAuditRepository
from desktop_app.persistence.repositories.catalog import SqlCatalogRepository
from desktop_app.persistence.repositories.certificates import SqlCertificateRepository
from desktop_app.persistence.repositories.contracts import SqlContractRepository
from desktop_app.persistence.repositories.notices import SqlNoticeRepository
from desktop_app.persistence.repositories.policy import SqlPolicyRepository
from desktop_app.persistence.repositories.products import SqlCompanyRepository, SqlProductRepository
from desktop_app.persistence.repositories.tickets import SqlTicketRepository

__all__ = [
    "SqlAuditRepository",
    "SqlCatalogRepository",
    "SqlCertificateRepository",
    "SqlCompanyRepository",
    "SqlContractRepository",
    "SqlNoticeRepository",
    "SqlPolicyRepository",
    "SqlProductRepository",
    "SqlTicketRepository",
]
