"""The vocabulary of the desk: enums and frozen value objects.

The domain returns codes, never sentences: the UI and the documents translate them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from desktop_app.domain.ids import (
    AttachmentId,
    ContactId,
    ContractId,
    CustomerId,
    MachineId,
    ModelCode,
    PlanCode,
    TicketId,
    TrainingId,
    UserId,
    VisitId,
)

# The only cities where makeR does on-site work (policy R16).
ONSITE_CITIES: tuple[str, ...] = ("Barranquilla", "Bogotá", "Cali", "Medellín")


class Severity(StrEnum):
    CRITICAL = "critica"
    HIGH = "alta"
    MEDIUM = "media"
    LOW = "baja"


class TicketStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    CLOSED = "closed"
    CLOSED_NO_RESPONSE = "closed_no_response"
    OUT_OF_SCOPE = "out_of_scope"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES: frozenset[TicketStatus] = frozenset(
    {TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_CUSTOMER}
)


class Channel(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    ONSITE = "onsite"


class Technology(StrEnum):
    FDM = "fdm"
    RESIN = "resin"


class CustomerKind(StrEnum):
    UNIVERSITY = "university"
    SCHOOL = "school"
    LAB = "lab"
    MAKERSPACE = "makerspace"
    COMPANY = "company"


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    AGENT = "agent"
    TECHNICIAN = "technician"
    SERVICE = "service"  # the account `makersupport worker` signs in as: periodic jobs only, never the window


class EventKind(StrEnum):
    CREATED = "created"
    COMMENT = "comment"
    STATUS_CHANGE = "status_change"
    CONTACT_ATTEMPT = "contact_attempt"
    ESCALATION = "escalation"
    ASSIGNMENT = "assignment"
    SEVERITY_CHANGE = "severity_change"
    EMAIL_SENT = "email_sent"
    EMAIL_RECEIVED = "email_received"
    VISIT = "visit"
    ATTACHMENT = "attachment"


class ContactChannel(StrEnum):
    """How a contact prefers to be reached."""

    EMAIL = "email"
    PHONE = "phone"
    WHATSAPP = "whatsapp"


@dataclass(frozen=True)
class Customer:
    name: str
    kind: CustomerKind
    city: str
    tax_id: str
    email: str
    phone: str
    paid_up: bool
    trained: bool
    id: CustomerId | None = None
    address: str = ""
    department: str = ""  # of the city (domain.places); "" on records typed before it was kept
    notes: str = ""
    # Who last set or cleared "a paz y salvo" (R3), and when; None on records from before.
    paid_up_set_at: datetime | None = None
    paid_up_set_by: UserId | None = None


@dataclass(frozen=True)
class Contact:
    customer_id: CustomerId
    name: str
    email: str
    phone: str
    role: str
    id: ContactId | None = None
    preferred_channel: ContactChannel = ContactChannel.EMAIL
    # Consent to process their personal data (habeas data, Ley 1581 de 2012): when it was given.
    consent_at: datetime | None = None
    # When their personal data was replaced at their request; the record stays for the tickets.
    anonymised_at: datetime | None = None


@dataclass(frozen=True)
class TrainingRecord:
    """A training makeR gave a customer with its tools (R3: a customer must be "capacitado")."""

    customer_id: CustomerId
    held_on: date
    topic: str
    trainer: str
    recorded_at: datetime | None = None
    recorded_by: UserId | None = None
    id: TrainingId | None = None


@dataclass(frozen=True)
class ProductModel:
    """A model of the catalogue. `discontinued_from` is its end-of-life date (R5): from that day on,
    only a special contract keeps its machines supported."""

    code: ModelCode
    name: str
    technology: Technology
    discontinued_from: date | None = None
    warranty_months: int = 12  # a new machine's warranty, from its purchase (domain.catalogue)
    # Its preventive maintenance is due this often (R3); None: the policy's interval for every model.
    maintenance_interval_days: int | None = None
    notes: str = ""

    def is_discontinued(self, on: date) -> bool:
        return self.discontinued_from is not None and on >= self.discontinued_from


@dataclass(frozen=True)
class Machine:
    serial: str
    qr_payload: str
    model_code: ModelCode
    customer_id: CustomerId
    purchase_date: date
    warranty_end: date
    unauthorized_intervention: bool = False
    last_preventive_maintenance: date | None = None
    id: MachineId | None = None


@dataclass(frozen=True)
class User:
    username: str
    full_name: str
    email: str
    role: Role
    city: str
    active: bool = True
    id: UserId | None = None


@dataclass(frozen=True)
class Contract:
    customer_id: CustomerId
    plan_code: PlanCode
    invoice_number: str
    valid_from: date
    valid_to: date
    price_before_iva: int
    machine_ids: tuple[MachineId, ...]
    # A special contract is the only way a discontinued model still gets support (R5).
    special: bool = False
    id: ContractId | None = None
    renews_id: ContractId | None = None  # the contract this one renewed: history is kept, not overwritten

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


@dataclass(frozen=True)
class Ticket:
    number: str
    machine_id: MachineId
    customer_id: CustomerId
    plan_code: PlanCode
    severity: Severity
    channel: Channel
    description: str
    status: TicketStatus
    received_at: datetime
    assigned_agent_id: UserId | None = None
    first_response_due_at: datetime | None = None
    first_responded_at: datetime | None = None
    closed_at: datetime | None = None
    reopen_count: int = 0
    escalation_level: int = 1
    # The SLA clock (R7, R14): started at receipt, restarted at each reopen.
    clock_started_at: datetime | None = None
    last_agent_update_at: datetime | None = None
    # The due time of the current promise (first response, then next update); None when paused
    # or closed. Derived by domain.sla.ticket_sla and stored so the queue can sort and count.
    due_at: datetime | None = None
    policy_version: int | None = None
    # Where this ticket's mail goes: the sender of a mail-opened ticket; "" means the customer's
    # address (or its first contact with one), chosen when a mail is written (issue 14).
    contact_email: str = ""
    version: int = 1  # the row's version counter: a stale save is refused
    id: TicketId | None = None

    @property
    def clock_start(self) -> datetime:
        return self.clock_started_at or self.received_at


class NoticeKind(StrEnum):
    """Why a person is told about a ticket (their inbox, "Avisos")."""

    ESCALATION = "escalation"  # the ticket reached my level (R11)
    ASSIGNED = "assigned"  # someone made me responsible for it (R1)
    BREACH_COMING = "breach_coming"  # my ticket's promise is about to be missed (R7, R10)
    LONG_VISIT = "long_visit"  # a maintenance visit lasted more than the maximum (R16), for coordinators
    CUSTOMER_REPLY = "customer_reply"  # the customer answered on my ticket (R9, R14)
    ATTEMPT_DUE = "attempt_due"  # a contact attempt is due today on my waiting ticket (R12)
    MAY_CLOSE = "may_close"  # my waiting ticket may now close without response (R12)


@dataclass(frozen=True)
class Notification:
    """A notice for one person about one ticket. Its words are made when it is read, from its kind
    and data, so each reader sees it in their own language."""

    user_id: UserId
    ticket_id: TicketId
    kind: NoticeKind
    created_at: datetime
    data: tuple[tuple[str, str], ...] = ()
    read_at: datetime | None = None
    # What makes two notices the same one (a reminder is given once per day, per due time…).
    key: str = ""
    id: int | None = None


@dataclass(frozen=True)
class TicketEvent:
    ticket_id: TicketId
    kind: EventKind
    at: datetime
    author_id: UserId | None
    body: str = ""
    # Structured details (old/new status, attempt number, level…): codes, not sentences.
    data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Attachment:
    ticket_id: TicketId
    sha256: str
    filename: str
    media_type: str
    size: int
    added_at: datetime
    id: AttachmentId | None = None


@dataclass(frozen=True)
class Visit:
    ticket_id: TicketId | None
    machine_id: MachineId
    technician_id: UserId
    city: str
    started_at: datetime
    ended_at: datetime
    work_done: str
    parts: str
    travel_expenses: int
    maintenance: bool
    id: VisitId | None = None


class ContractState(StrEnum):
    UPCOMING = "upcoming"
    ACTIVE = "active"
    EXPIRING = "expiring"  # active, ending within EXPIRING_WITHIN_DAYS: time to offer the renewal
    EXPIRED = "expired"

    @property
    def in_force(self) -> bool:
        return self in (ContractState.ACTIVE, ContractState.EXPIRING)


EXPIRING_WITHIN_DAYS = 30


def contract_state(valid_from: date, valid_to: date, today: date) -> ContractState:
    if today < valid_from:
        return ContractState.UPCOMING
    if today > valid_to:
        return ContractState.EXPIRED
    if (valid_to - today).days <= EXPIRING_WITHIN_DAYS:
        return ContractState.EXPIRING
    return ContractState.ACTIVE
