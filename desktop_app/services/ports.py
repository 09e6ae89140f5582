"""What the services need from the outside world, as Protocols. Persistence implements them;
tests implement them with fakes."""

from __future__ import annotations

from collections.abc import Collection, Container, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.billing import TimeEntry, VisitEntry
from desktop_app.domain.certificate import CertificateData, SignedCode
from desktop_app.domain.company import CompanyProfile
from desktop_app.domain.ids import ContractId, CustomerId, MachineId, TicketId, UserId
from desktop_app.domain.lifecycle import ContactAttempt
from desktop_app.domain.model import (
    Attachment,
    Contact,
    Contract,
    Customer,
    Machine,
    Notification,
    ProductModel,
    Role,
    Ticket,
    TicketEvent,
    TicketStatus,
    User,
    Visit,
)
from desktop_app.domain.policy import PolicySettings
from desktop_app.domain.sla import StatusChange
from desktop_app.services.customer_ports import CustomerQueries, CustomerRepository
from desktop_app.services.dto import (
    AgentInfo,
    AuditView,
    Choice,
    ContractSummary,
    Credentials,
    CustomerStatement,
    MachineDetail,
    MachineLabel,
    MachineSummary,
    MachineTicketLine,
    PolicyVersionInfo,
    QueueCounts,
    QueueEntry,
    QueueFilter,
    RecordRef,
    ReminderCandidate,
    StoredCertificate,
    StoredCompany,
    TicketDetail,
)
from desktop_app.services.import_ports import ImportRepository
from desktop_app.services.inbox_ports import MailInboxRepository
from desktop_app.services.outbox_ports import MailQueries, MailRepository
from desktop_app.services.report_ports import ReportQueries


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class JobLock(Protocol):
    """A named lock shared by every process on one database, so a periodic job runs in one place
    at a time (a worker and any open windows)."""

    def hold(self, name: str) -> AbstractContextManager[bool]:
        """Try to take the lock `name` without waiting.

        The context yields True when taken (released when the block ends), False when another
        process or thread holds it now.
        """
        ...


class HolidaySource(Container[date], Protocol):
    """The country's public holidays: membership for the calendar, names for explanations."""

    def in_year(self, year: int) -> list[tuple[date, str]]: ...


class LabelRenderer(Protocol):
    def render(self, labels: Sequence[MachineLabel], sheet: str) -> bytes:
        """A PDF of label sheets; sheet is a format code such as "a4-21" or "letter-30"."""
        ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, stored_hash: str, password: str) -> bool: ...


class AttachmentStore(Protocol):
    def put(self, content: bytes) -> str:
        """Store bytes under their SHA-256 and return it; storing the same bytes twice is a no-op."""
        ...

    def path_for(self, sha256: str) -> Path: ...


class PolicyRepository(Protocol):
    def load(self) -> PolicySettings | None: ...

    def current_version(self) -> int | None: ...

    def save(self, policy: PolicySettings, *, at: datetime, author_id: UserId | None = None, note: str = "") -> int:
        """Append a new version and make it the policy in force; returns the version number."""
        ...


class CatalogRepository(Protocol):
    """Customers, contacts, product models, machines and users: the reference data."""

    def add_customer(self, customer: Customer) -> Customer: ...

    def add_contact(self, contact: Contact) -> Contact: ...

    def add_model(self, model: ProductModel) -> ProductModel: ...

    def add_machine(self, machine: Machine) -> Machine: ...

    def add_user(self, user: User) -> User: ...

    def count_customers(self) -> int: ...

    def get_customer(self, customer_id: CustomerId) -> Customer | None: ...

    def get_machine(self, machine_id: MachineId) -> Machine | None: ...

    def get_model(self, code: str) -> ProductModel | None: ...

    def machine_id_by_serial(self, serial: str) -> MachineId | None: ...

    def update_machine(self, machine: Machine, expected_version: int) -> None:
        """Raises ConflictError when the record changed since expected_version."""
        ...

    def customer_id_by_tax_id(self, tax_id: str) -> CustomerId | None: ...

    def record_maintenance(self, machine_id: MachineId, day: date) -> None:
        """The machine's last preventive maintenance becomes day, unless a later one is recorded."""
        ...

    def user_by_username(self, username: str) -> User | None: ...

    def get_user(self, user_id: UserId) -> User | None: ...

    def users_with_role(self, role: Role) -> list[User]: ...

    def users(self) -> list[User]: ...

    def credentials(self, username: str) -> Credentials | None: ...

    def record_sign_in(self, user_id: UserId, *, success: bool, at: datetime) -> None: ...

    def set_password_hash(self, user_id: UserId, password_hash: str) -> None: ...

    def clear_failed_sign_ins(self, user_id: UserId) -> bool:
        """Forget the user's failed sign-ins (lifts a wait or a lock); False when there is no such user."""
        ...

    def count_admins_with_password(self) -> int: ...


class AuditRepository(Protocol):
    """Append only (R18); reading the log is ReadModels.audit."""

    def record(self, entry: AuditEntry) -> None: ...

    def last_id(self) -> int: ...


class ContractRepository(Protocol):
    def add(self, contract: Contract) -> Contract: ...

    def covering(self, machine_id: MachineId) -> list[Contract]: ...

    def invoice_taken(self, invoice_number: str, except_id: ContractId | None) -> bool: ...

    def contracts_covering_any(self, machine_ids: Sequence[MachineId]) -> list[Contract]: ...

    def update(self, contract: Contract, expected_version: int) -> None:
        """Raises ConflictError when the contract changed since expected_version."""
        ...

    def get(self, contract_id: ContractId) -> Contract | None: ...


class NoticeRepository(Protocol):
    def add(self, notice: Notification) -> bool:
        """False when the same notice (person, ticket, kind, key) was already given."""
        ...

    def mark_read(self, user_id: UserId, notice_ids: Sequence[int] | None, at: datetime) -> int: ...


class TicketRepository(Protocol):
    def next_number(self, year: int) -> str: ...

    def add(self, ticket: Ticket) -> Ticket: ...

    def get(self, ticket_id: TicketId) -> Ticket | None: ...

    def save(self, ticket: Ticket) -> Ticket:
        """Write a changed ticket; ConflictError when its version moved on since it was read."""
        ...

    def add_events(self, events: Sequence[TicketEvent]) -> None: ...

    def status_changes(self, ticket_id: TicketId) -> list[StatusChange]: ...

    def contact_attempts(self, ticket_id: TicketId, since: datetime) -> list[ContactAttempt]: ...

    def add_attachment(self, attachment: Attachment) -> Attachment: ...

    def add_visit(self, visit: Visit) -> Visit: ...

    def visit_overlaps(self, technician_id: UserId, started_at: datetime, ended_at: datetime) -> bool: ...

    def escalation_candidates(self, now: datetime, below_level: int, *, overdue_only: bool) -> list[TicketId]:
        """Running tickets below the top level (with overdue_only, only those past their due time)."""
        ...


class CertificateRepository(Protocol):
    def next_number(self, year: int) -> str: ...

    def add(self, certificate: StoredCertificate, issued_by: UserId | None) -> None: ...

    def get(self, number: str) -> StoredCertificate | None: ...

    def for_contract(self, contract_id: ContractId) -> list[StoredCertificate]: ...

    def revoked(self) -> list[StoredCertificate]:
        """Every revoked certificate, by number."""
        ...

    def revoke(self, number: str, at: datetime, reason: str) -> None: ...


class CertificateSigner(Protocol):
    @property
    def can_sign(self) -> bool: ...

    def sign(self, payload: bytes) -> SignedCode:
        """Raises UserFacingError when this installation has no signing key."""
        ...

    def verify(self, code: SignedCode) -> bool | None:
        """True genuine, False altered (a trusted key's signature does not match), None unknown key."""
        ...

    def public_key(self) -> bytes | None:
        """The raw public part of this installation's signing key; None when it has none."""
        ...

    def trusted_public_keys(self) -> list[bytes]:
        """The raw public keys this installation verifies with: its own and the trusted ones."""
        ...


class StatementRenderer(Protocol):
    def render(self, statement: CustomerStatement, company: CompanyProfile | None = None) -> bytes:
        """A customer's billing statement as a PDF, headed with the company's data."""
        ...


class CertificateRenderer(Protocol):
    def render(
        self, data: CertificateData, qr_text: str, paper: str = "letter", company: CompanyProfile | None = None
    ) -> bytes:
        """The certificate as a one-page PDF on "letter" or "a4" paper, issued by the company."""
        ...


class ProductRepository(Protocol):
    """The catalogue of product models (R5's end of life among their facts)."""

    def models(self) -> list[tuple[ProductModel, int, int]]:
        """Every model by name: (model, row version, machines registered of it)."""
        ...

    def get(self, code: str) -> tuple[ProductModel, int] | None: ...

    def exists_like(self, code: str) -> bool:
        """Whether a model has this code, whatever its letters' case."""
        ...

    def add(self, model: ProductModel) -> None: ...

    def update(self, model: ProductModel, expected_version: int) -> None:
        """Raises ConflictError when the record changed since expected_version."""
        ...


class CompanyRepository(Protocol):
    def get(self) -> StoredCompany | None:
        """The saved company data; None before anyone saved it."""
        ...

    def save(self, profile: CompanyProfile, *, at: datetime, by: UserId | None, expected_version: int | None) -> None:
        """Raises ConflictError when someone saved meanwhile."""
        ...


# -- read models (ARCHITECTURE.md, convention 17): what screens and reports show, as DTOs -------------


class QueueQueries(Protocol):
    def page(self, flt: QueueFilter, offset: int, limit: int) -> list[QueueEntry]:
        """Tickets matching the filter in policy order (R8, domain.queue)."""
        ...

    def count(self, flt: QueueFilter) -> int: ...

    def counts(self, now: datetime) -> QueueCounts:
        """Open, waiting-on-customer and breached tickets, for the status bar."""
        ...


class TicketDetailQueries(Protocol):
    def detail(self, ticket_id: TicketId, attachment_store: AttachmentStore) -> TicketDetail | None:
        """The ticket's page; its SLA is left for the service to compute."""
        ...

    def visits(self, ticket_id: TicketId) -> list[tuple[Visit, str]]:
        """The ticket's visits, oldest first, with the technician's name."""
        ...


class MachineQueries(Protocol):
    def search(self, text: str, limit: int) -> list[MachineSummary]: ...

    def of_customer(self, customer_id: CustomerId) -> list[MachineSummary]: ...

    def summary(self, machine_id: MachineId) -> MachineSummary | None: ...

    def detail(self, machine_id: MachineId) -> MachineDetail | None: ...

    def labels(self, customer_id: CustomerId | None, serials: Sequence[str]) -> list[MachineLabel]:
        """The labels of a customer's machines, or of the given serials (those that exist)."""
        ...

    def tickets(self, machine_id: MachineId) -> list[MachineTicketLine]:
        """Every ticket of the machine, newest first."""
        ...

    def open_tickets(self, machine_id: MachineId) -> list[tuple[TicketId, str, TicketStatus]]: ...

    def visits(self, machine_id: MachineId) -> list[tuple[Visit, str]]:
        """The machine's visits, newest first, with the technician's name."""
        ...


class DirectoryQueries(Protocol):
    """The lists pickers and filters offer."""

    def agents(self) -> list[AgentInfo]: ...

    def cities(self) -> list[str]: ...

    def customer_choices(self) -> list[Choice]: ...

    def model_choices(self) -> list[Choice]: ...


class ContractQueries(Protocol):
    def summaries(self, text: str = "") -> list[ContractSummary]: ...

    def get_summary(self, contract_id: ContractId) -> ContractSummary | None: ...


class BillingQueries(Protocol):
    def advisory_time(self, machine_ids: Sequence[MachineId], start: datetime, end: datetime) -> list[TimeEntry]:
        """The minutes recorded with comments on these machines' tickets in [start, end)."""
        ...

    def visits(self, machine_ids: Sequence[MachineId], start: datetime, end: datetime) -> list[VisitEntry]:
        """The visits to these machines that started in [start, end)."""
        ...


class AuditQueries(Protocol):
    def search(
        self, *, entity: str = "", entity_id: str = "", actor_id: UserId | None = None, text: str = "", limit: int = 500
    ) -> list[AuditView]: ...

    def references(self, wanted: Mapping[str, Collection[str]]) -> dict[tuple[str, str], RecordRef]:
        """The human reference of each wanted record, by (kind, id), in one query per kind: kinds
        "ticket", "contract", "machine", "visit" (ids) and "certificate" (numbers) with the page
        that opens them; "user" and "customer" by name. Records that no longer exist are left out."""
        ...


class PolicyQueries(Protocol):
    def history(self) -> list[PolicyVersionInfo]:
        """Every policy version, newest first."""
        ...


class NoticeQueries(Protocol):
    def inbox(
        self, user_id: UserId, *, unread_only: bool = False, limit: int = 200
    ) -> list[tuple[Notification, str]]: ...

    def unread_count(self, user_id: UserId) -> int: ...

    def reminder_candidates(self) -> list[ReminderCandidate]: ...


class ReadModels(Protocol):
    """The read models of one unit of work (`uow.queries`); repositories only load and save."""

    queue: QueueQueries
    ticket: TicketDetailQueries
    machines: MachineQueries
    directory: DirectoryQueries
    contracts: ContractQueries
    billing: BillingQueries
    audit: AuditQueries
    policy: PolicyQueries
    notices: NoticeQueries
    customers: CustomerQueries
    mail: MailQueries  # a ticket's mails both ways, the outbox
    reports: ReportQueries  # the reports' bulk reads (issue 15, services/report_ports.py)


class UnitOfWork(Protocol):
    """One transaction per user action. Leaving the block without commit() rolls back."""

    policy: PolicyRepository
    catalog: CatalogRepository
    customers: CustomerRepository  # customers, contacts, trainings, added places
    contracts: ContractRepository
    tickets: TicketRepository
    audit: AuditRepository
    certificates: CertificateRepository
    notices: NoticeRepository
    products: ProductRepository
    company: CompanyRepository
    imports: ImportRepository  # bulk look-ups and writes of imports and exports
    mail: MailRepository  # mail settings, edited templates, the outbox
    mail_inbox: MailInboxRepository  # received mail, where the fetch left off, routing look-ups
    queries: ReadModels

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def wipe(self) -> None:
        """Delete every row (demo reset)."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
