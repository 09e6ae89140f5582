"""Frozen view objects handed to the UI and the CLI. They hold no session and no ORM object,
so they cross threads freely and a Qt model can never trigger a lazy load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from desktop_app.domain.billing import Balance, BillingLine, Totals
from desktop_app.domain.company import CompanyProfile
from desktop_app.domain.ids import AttachmentId, ContractId, CustomerId, MachineId, TicketId, UserId, VisitId
from desktop_app.domain.model import Channel, EventKind, NoticeKind, Severity, TicketStatus, User
from desktop_app.domain.sla import SlaStatus


@dataclass(frozen=True)
class QueueFilter:
    """What the queue view asks for. Empty fields mean "any"."""

    text: str = ""
    statuses: frozenset[TicketStatus] = frozenset()
    city: str = ""
    agent_id: UserId | None = None
    plan_code: str = ""
    severity: Severity | None = None
    open_only: bool = True
    # Only tickets at one of these escalation levels ("Escalated to me"); None: any level.
    escalation_levels: frozenset[int] | None = None


@dataclass(frozen=True)
class QueueEntry:
    """One ticket as stored, in policy order; the service adds the SLA state."""

    id: TicketId
    number: str
    severity: Severity
    severity_rank: int
    plan_code: str
    plan_name: str
    plan_rank: int
    customer_name: str
    city: str
    machine_serial: str
    model_name: str
    agent_name: str
    status: TicketStatus
    received_at: datetime
    due_at: datetime | None  # the current promise (first response, then next update); None when paused or closed
    response_hours: int
    reopen_count: int
    escalation_level: int
    description: str


@dataclass(frozen=True)
class QueueRow:
    entry: QueueEntry
    sla: SlaStatus


@dataclass(frozen=True)
class QueuePage:
    rows: tuple[QueueRow, ...]
    # Tickets matching the filter, all pages; counted only for the first page (None after).
    total: int | None
    offset: int


@dataclass(frozen=True)
class QueueCounts:
    open: int
    waiting: int
    breached: int


@dataclass(frozen=True)
class TimelineEntry:
    kind: EventKind
    at: datetime
    author_name: str
    body: str
    data: dict[str, str]


@dataclass(frozen=True)
class AttachmentInfo:
    id: AttachmentId
    filename: str
    media_type: str
    size: int
    added_at: datetime
    path: Path


@dataclass(frozen=True)
class TicketDetail:
    id: TicketId
    number: str
    version: int
    status: TicketStatus
    severity: Severity
    channel: Channel
    description: str
    received_at: datetime
    due_at: datetime | None
    first_responded_at: datetime | None
    closed_at: datetime | None
    reopen_count: int
    escalation_level: int
    plan_code: str
    plan_name: str
    response_hours: int
    sla: SlaStatus
    agent_id: UserId | None
    agent_name: str
    customer_id: CustomerId
    customer_name: str
    customer_city: str
    customer_email: str
    customer_phone: str
    customer_paid_up: bool
    customer_trained: bool
    machine_id: MachineId
    machine_serial: str
    model_name: str
    technology: str
    purchase_date: date
    warranty_end: date
    unauthorized_intervention: bool
    last_preventive_maintenance: date | None
    timeline: tuple[TimelineEntry, ...]  # newest first
    attachments: tuple[AttachmentInfo, ...]
    visits: tuple[VisitInfo, ...] = ()  # oldest first
    model_end_of_life: date | None = None  # the model's end of life (R5)


@dataclass(frozen=True)
class VisitInfo:
    """An on-site visit (R16) as shown on the ticket; long_maintenance is the policy's flag."""

    id: VisitId
    technician_name: str
    city: str
    started_at: datetime
    ended_at: datetime
    work_done: str
    parts: str
    travel_expenses: int
    maintenance: bool
    long_maintenance: bool


@dataclass(frozen=True)
class MachineSummary:
    """A machine as intake finds it: enough to recognise the right printer of the right customer."""

    id: MachineId
    serial: str
    model_name: str
    customer_id: CustomerId
    customer_name: str
    city: str
    tax_id: str
    warranty_end: date
    model_end_of_life: date | None = None  # the model's end of life (R5), shown beside its name


@dataclass(frozen=True)
class CoveredMachine:
    id: MachineId
    serial: str
    model_name: str
    warranty_end: date
    model_end_of_life: date | None = None


@dataclass(frozen=True)
class ContractSummary:
    id: ContractId
    customer_id: CustomerId
    customer_name: str
    city: str
    plan_code: str
    plan_name: str
    plan_rank: int
    invoice_number: str
    valid_from: date
    valid_to: date
    price_before_iva: int
    special: bool
    machines: tuple[CoveredMachine, ...]
    version: int = 1
    renews_id: ContractId | None = None


@dataclass(frozen=True)
class AgentInfo:
    id: UserId
    full_name: str
    role: str
    city: str


@dataclass(frozen=True)
class PolicyVersionInfo:
    version: int
    created_at: datetime
    author_name: str
    note: str


@dataclass(frozen=True)
class Credentials:
    user: User
    password_hash: str | None
    failed_sign_ins: int
    last_failed_sign_in_at: datetime | None


@dataclass(frozen=True)
class RecordRef:
    """A record as people name it (R18): a ticket by its number, a contract by its invoice, a
    machine by its serial, a person by name; and the page that opens it ("ticket", "machine",
    "contract"; "" when there is none)."""

    label: str
    open_kind: str = ""
    open_id: int | None = None


@dataclass(frozen=True)
class AuditFieldChange:
    """One recorded change, worded: the field's label and its values in the interface language."""

    field: str  # the code name, as stored
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditView:
    at: datetime
    actor_name: str
    entity: str
    entity_id: str
    action: str
    changes: dict[str, tuple[str, str]]  # as stored: field code -> (before, after)
    # Filled by AuditService: the record by its human reference, and the changes as people read them.
    record: RecordRef | None = None
    fields: tuple[AuditFieldChange, ...] = ()


@dataclass(frozen=True)
class MachineDetail:
    """One machine record as the registry shows and edits it; version guards concurrent edits."""

    id: MachineId
    version: int
    serial: str
    qr_payload: str
    model_code: str
    model_name: str
    customer_id: CustomerId
    customer_name: str
    city: str
    purchase_date: date
    warranty_end: date
    unauthorized_intervention: bool
    last_preventive_maintenance: date | None
    model_end_of_life: date | None = None  # the model's end of life (R5)


@dataclass(frozen=True)
class MachineTicketLine:
    id: TicketId
    number: str
    status: TicketStatus
    severity: Severity
    received_at: datetime
    title: str  # the description's first line


@dataclass(frozen=True)
class Choice:
    """A value for a combo box: a customer, a model."""

    value: str
    label: str


@dataclass(frozen=True)
class MachineLabel:
    """What one printed machine label shows: its QR payload and the texts beside it (R2)."""

    serial: str
    model_name: str
    customer_name: str
    payload: str


@dataclass(frozen=True)
class StoredCertificate:
    """An issued certificate as recorded: `payload` holds its full facts (domain/certificate.to_payload),
    which are what its QR carries unless they had to be shortened to fit it (domain/certificate.qr_payload)."""

    number: str
    contract_id: ContractId
    issued_at: datetime
    key_id: str  # hex
    payload: bytes
    revoked_at: datetime | None
    revoked_reason: str


@dataclass(frozen=True)
class ContractStatement:
    """What one contract used of its plan, and its billable lines (R6, R17)."""

    contract: ContractSummary
    balance: Balance
    lines: tuple[BillingLine, ...]
    totals: Totals


@dataclass(frozen=True)
class CustomerStatement:
    customer_id: CustomerId
    customer_name: str
    customer_tax_id: str
    issued_on: date
    contracts: tuple[ContractStatement, ...]
    totals: Totals  # every line, the contracts' and those without one
    # Work on machines no contract covered on its day ("Sin contrato", R17).
    without_contract: tuple[BillingLine, ...] = ()


@dataclass(frozen=True)
class NoticeView:
    """One line of a person's inbox ("Avisos"), worded in the reader's language."""

    id: int
    kind: NoticeKind
    ticket_id: TicketId
    ticket_number: str
    text: str
    created_at: datetime
    read: bool


@dataclass(frozen=True)
class ReminderCandidate:
    """An open ticket with a responsible agent, as the reminder round first sees it."""

    ticket_id: TicketId
    number: str
    status: TicketStatus
    agent_id: UserId
    due_at: datetime | None
    plan_code: str
    severity: str
    clock_start: datetime


@dataclass(frozen=True)
class StoredCompany:
    """The company data as saved: who saved it last and when; version guards concurrent edits."""

    profile: CompanyProfile
    version: int
    updated_at: datetime
    updated_by_name: str
