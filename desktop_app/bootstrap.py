"""Composition root for everything but the widgets: settings → engine → migrations → services.

The CLI and the GUI both start here, so they see the same database through the same services.
What only some sessions need is wired so that it is imported on first use, not here: ReportLab
(documents/lazy.py), the QR encoder, keyring, and Alembic when the schema is already current.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.config import Settings, default_db_url
from desktop_app.devices.qr_encoder import qr_modules
from desktop_app.documents.company_file import shipped_company
from desktop_app.documents.lazy import LazyCertificateRenderer, LazyLabelRenderer, LazyStatementRenderer
from desktop_app.holidays_co import ColombianHolidays
from desktop_app.importing.reading import SpreadsheetReader
from desktop_app.importing.writing import SpreadsheetWriter
from desktop_app.mail.composing import MimeComposer
from desktop_app.mail.default_templates import load_default_templates
from desktop_app.mail.lazy import LazyImapMailbox, LazyMailReader, LazySmtpTransport
from desktop_app.mail.secrets import KeyringSecretStore
from desktop_app.paths import resource_path
from desktop_app.persistence.attachment_store import FileAttachmentStore
from desktop_app.persistence.backup import DatabaseBackups
from desktop_app.persistence.db import make_engine, make_session_factory, redact_url, sqlite_file
from desktop_app.persistence.field import local_ids
from desktop_app.persistence.field.blobs import DatabaseBlobStore, SharedAttachmentStore
from desktop_app.persistence.field.journal import CommandJournal
from desktop_app.persistence.field.store import SqlFieldStore
from desktop_app.persistence.job_lock import job_lock_for
from desktop_app.persistence.migrate import DatabaseProbe, upgrade_to_head
from desktop_app.persistence.unit_of_work import SqlAlchemyUnitOfWorkFactory
from desktop_app.security import Argon2PasswordHasher
from desktop_app.services.audit import AuditService
from desktop_app.services.backups import BackupService
from desktop_app.services.billing import BillingService
from desktop_app.services.catalogue import CatalogueService
from desktop_app.services.certificates import CertificateService
from desktop_app.services.clock import SystemClock
from desktop_app.services.company import CompanyService
from desktop_app.services.contracts import ContractService
from desktop_app.services.customers import CustomerService
from desktop_app.services.demo import DemoLoader
from desktop_app.services.desk import Desk
from desktop_app.services.field.recording import FieldRecorder
from desktop_app.services.field.sync import FieldSyncService
from desktop_app.services.first_run import FirstRunService
from desktop_app.services.importing import ImportService
from desktop_app.services.jobs import JobRunner, backup_job, periodic_jobs
from desktop_app.services.machines import MachineService
from desktop_app.services.mail import MailService
from desktop_app.services.notifications import NotificationService
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import AttachmentStore, Clock
from desktop_app.services.reports import ReportService
from desktop_app.services.tickets import TicketService
from desktop_app.services.users import UserService
from desktop_app.services.web_site import WebSiteService
from desktop_app.signing import PRIVATE_KEY_NAME, Ed25519CertificateSigner, generate_keys


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    uow_factory: SqlAlchemyUnitOfWorkFactory
    policy: PolicyService
    tickets: TicketService
    notifications: NotificationService
    contracts: ContractService
    machines: MachineService
    certificates: CertificateService
    billing: BillingService
    users: UserService
    audit: AuditService
    backups: BackupService
    demo: DemoLoader
    customers: CustomerService
    catalogue: CatalogueService
    company: CompanyService
    imports: ImportService
    mail: MailService
    attachments: AttachmentStore  # the local folder on a SQLite file; the team database's copy on a server
    reports: ReportService | None = None  # issue 15: read-only, over the queue's policy and calendar
    session_factory: sessionmaker[Session] | None = None
    journal: CommandJournal | None = None
    field: FieldSyncService | None = None  # on a technician's field copy only (issue 16)

    @property
    def database_label(self) -> str:
        """What the status bar says about the database: the file, or the server without password."""
        path = sqlite_file(self.settings.db_url)
        if path is not None:
            return str(path)
        return redact_url(self.engine.url.render_as_string(hide_password=True))  # and ?password=

    @property
    def is_local_file(self) -> bool:
        return sqlite_file(self.settings.db_url) is not None

    @property
    def desk(self) -> Desk:
        return Desk(
            self.tickets,
            self.contracts,
            self.machines,
            self.certificates,
            self.billing,
            self.policy,
            self.users,
            self.audit,
            self.backups,
            self.database_label,
            self.is_local_file,
            DatabaseProbe(self.backups.newest_automatic),
            self.jobs,
            self.notifications,
            self.catalogue,
            self.company,
            self.imports,
            customers=self.customers,
            first_run=self.first_run,
            mail=self.mail,
            reports=self.reports,
            field=self.field,
        )

    @cached_property
    def first_run(self) -> FirstRunService:
        """The first-run guide's facts; its key is made in this installation's keys folder."""
        keys_dir = self.settings.keys_dir
        return FirstRunService(self.company, self.customers, self.users, lambda: generate_keys(keys_dir))

    @cached_property
    def web_site(self) -> WebSiteService:
        """The facts of the public support pages (`makersupport web export`)."""
        return WebSiteService(self.certificates, self.policy, self.company.profile)

    @cached_property
    def jobs(self) -> JobRunner:
        """This process's periodic jobs (one runner per process, so each job keeps its interval),
        locked per job across every process on the database."""
        if self.field is not None:
            # A field copy: the office runs the escalation round, the reminders and the mail. Run
            # here, the round would escalate tickets on the laptop alone (no command records it),
            # and the office's own escalation would then look like no conflict at all.
            return JobRunner([backup_job(self.backups)], job_lock_for(self.engine, self.settings.db_url))
        return JobRunner(
            periodic_jobs(self.tickets, self.backups, self.notifications, mail_send=self.mail, mail_fetch=self.mail),
            job_lock_for(self.engine, self.settings.db_url),
        )

    def close(self) -> None:
        self.engine.dispose()


def build_services(settings: Settings, *, clock: Clock | None = None, migrate: bool = True) -> Services:
    """Open (and create or upgrade) the database and wire the services.

    Raises:
        DatabaseUnavailableError: with a message for the user; nothing was written.
    """
    engine = make_engine(settings.db_url, create_folder=settings.db_url == default_db_url())
    clock = clock or SystemClock()
    session_factory = make_session_factory(engine)
    journal = CommandJournal()  # field commands: recorded on a field copy, marked applied at the office
    journal.install(session_factory)
    uow_factory = SqlAlchemyUnitOfWorkFactory(session_factory)  # connects on first use only
    backups = BackupService(DatabaseBackups(settings.db_url), settings.data_dir / "backups", clock, uow_factory)
    try:
        if migrate:
            # A damaged file is refused with the newest automatic backup to restore named.
            upgrade_to_head(engine, backups.newest_automatic)
        local_files = FileAttachmentStore(settings.attachments_dir)
        attachments: AttachmentStore = local_files
        if engine.dialect.name != "sqlite":
            # A team server: every workstation (and field laptop) reads the files from the database.
            attachments = SharedAttachmentStore(local_files, DatabaseBlobStore(session_factory))
        policy = PolicyService(uow_factory, ColombianHolidays(), clock)
        hasher = Argon2PasswordHasher()
        if migrate:
            policy.ensure_defaults()
    except BaseException:
        engine.dispose()
        raise
    signer = Ed25519CertificateSigner(settings.keys_dir / PRIVATE_KEY_NAME, [resource_path("keys"), settings.keys_dir])
    company = CompanyService(uow_factory, clock, signer, shipped_company)
    mail = MailService(
        uow_factory,
        policy,
        clock,
        attachments,
        composer=MimeComposer(),
        transport=LazySmtpTransport(),
        mailbox=LazyImapMailbox(),
        secret_store=KeyringSecretStore(),
        default_templates=load_default_templates(),
        company=shipped_company,
        reader=LazyMailReader(),
    )
    if migrate:
        try:
            mail.ensure_signing_secret()  # the Message-ID key, made once per database
        except BaseException:
            engine.dispose()
            raise
    field_store = _field_store(settings, session_factory) if migrate else None
    # A field copy queues no mail: the office sends it when it replays the change (issue 16).
    tickets = TicketService(
        uow_factory, policy, clock, attachments, mail=mail.outbox_writer if field_store is None else None
    )
    field = None
    if field_store is not None:
        field = _field_sync(settings, session_factory, field_store, journal, tickets, attachments, clock, policy)
    return Services(
        settings=settings,
        engine=engine,
        uow_factory=uow_factory,
        session_factory=session_factory,
        journal=journal,
        field=field,
        policy=policy,
        tickets=tickets,
        notifications=NotificationService(uow_factory, policy, clock),
        contracts=ContractService(uow_factory, policy, clock),
        machines=MachineService(uow_factory, policy, clock, LazyLabelRenderer(qr_modules)),
        certificates=CertificateService(
            uow_factory,
            policy,
            clock,
            signer,
            LazyCertificateRenderer(qr_modules),
            company.profile,
            mail=mail.outbox_writer,
        ),
        billing=BillingService(uow_factory, policy, clock, LazyStatementRenderer(), company.profile),
        users=UserService(uow_factory, hasher, clock),
        audit=AuditService(uow_factory),
        backups=backups,
        demo=DemoLoader(uow_factory, policy, attachments, hasher),
        customers=CustomerService(uow_factory, policy, clock),
        catalogue=CatalogueService(uow_factory, policy, clock),
        company=company,
        imports=ImportService(uow_factory, policy, clock, SpreadsheetReader(), SpreadsheetWriter()),
        mail=mail,
        attachments=attachments,
        reports=ReportService(uow_factory, policy, clock, ColombianHolidays()),
    )


def _field_store(settings: Settings, session_factory: sessionmaker[Session]) -> SqlFieldStore | None:
    """The field copy's bookkeeping when the database is one (an SQLite file with its state row)."""
    if sqlite_file(settings.db_url) is None:
        return None
    store = SqlFieldStore(session_factory)
    return store if store.state() is not None else None


def _field_sync(
    settings: Settings,
    session_factory: sessionmaker[Session],
    store: SqlFieldStore,
    journal: CommandJournal,
    tickets: TicketService,
    attachments: AttachmentStore,
    clock: Clock,
    policy: PolicyService,
) -> FieldSyncService:
    """On a field copy: rows made here get ids apart from the office's, each ticket change is
    recorded for the office, and the sync service is wired."""
    local_ids.install(session_factory)
    tickets.field_recorder = FieldRecorder(tickets, journal, store, attachments, clock)
    from desktop_app.field_office import OfficePasswords, office_opener

    passwords = OfficePasswords()
    return FieldSyncService(
        store,
        attachments,
        clock,
        office_opener(settings, session_factory, build_services, passwords),
        after_pull=policy.reload,
        keep_password=passwords.keep,
    )
