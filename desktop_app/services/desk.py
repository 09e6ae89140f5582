"""The services a window needs, handed over as one value (wired in bootstrap.py)."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.services.audit import AuditService
from desktop_app.services.backups import BackupService
from desktop_app.services.billing import BillingService
from desktop_app.services.catalogue import CatalogueService
from desktop_app.services.certificates import CertificateService
from desktop_app.services.company import CompanyService
from desktop_app.services.connection_check import ConnectionCheck
from desktop_app.services.contracts import ContractService
from desktop_app.services.customers import CustomerService
from desktop_app.services.field.sync import FieldSyncService
from desktop_app.services.first_run import FirstRunService
from desktop_app.services.importing import ImportService
from desktop_app.services.jobs import JobRunner
from desktop_app.services.machines import MachineService
from desktop_app.services.mail import MailService
from desktop_app.services.notifications import NotificationService
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.reports import ReportService
from desktop_app.services.tickets import TicketService
from desktop_app.services.users import UserService


@dataclass(frozen=True)
class Desk:
    tickets: TicketService
    contracts: ContractService
    machines: MachineService
    certificates: CertificateService
    billing: BillingService
    policy: PolicyService
    users: UserService
    audit: AuditService
    backups: BackupService
    database_label: str
    database_is_local_file: bool
    connection_check: ConnectionCheck
    jobs: JobRunner  # the periodic jobs (escalation round, automatic backup), locked across processes
    notifications: NotificationService  # the signed-in person's inbox ("Avisos")
    catalogue: CatalogueService  # product models (Settings)
    company: CompanyService  # the company's data and signing key (Settings)
    imports: ImportService  # spreadsheets in and out (customers, contacts, machines, contracts)
    customers: CustomerService  # customers, contacts, trainings, free-support standing (R3)
    first_run: FirstRunService | None = None  # the first-run guide's facts (None: no guide offered)
    mail: MailService | None = None  # mail settings, templates, the outbox, a ticket's mails (issue 14)
    reports: ReportService | None = None  # the Informes page, report PDFs and CLI (issue 15)
    field: FieldSyncService | None = None  # on a technician's field copy only: its sync (issue 16)
