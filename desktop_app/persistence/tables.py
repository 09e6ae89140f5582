"""ORM records. They never leave this package: repositories map them to domain objects and DTOs.

Every mutable row carries `version`, which SQLAlchemy checks on UPDATE so a stale write fails
instead of silently overwriting someone else's change.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from desktop_app.domain.queue import QUEUE_ORDER
from desktop_app.persistence.types import UTCDateTime

# Named constraints keep Alembic's batch mode (SQLite) and PostgreSQL migrations identical.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Versioned:
    """Optimistic concurrency: UPDATE … WHERE version = :seen, then version + 1."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:
        return {"version_id_col": cls.version}  # type: ignore[attr-defined]


class UserRecord(Versioned, Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Rate limiting of sign-ins (domain.sign_in): consecutive failures and the last one.
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failed_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CustomerRecord(Versioned, Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(60), index=True)
    tax_id: Mapped[str] = mapped_column(String(30), unique=True)
    email: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    paid_up: Mapped[bool] = mapped_column(Boolean)
    trained: Mapped[bool] = mapped_column(Boolean)
    address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    department: Mapped[str] = mapped_column(String(60), default="", server_default="")
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Who set or cleared "a paz y salvo" (R3), and when.
    paid_up_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paid_up_set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class ContactRecord(Versioned, Base):
    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(80))
    preferred_channel: Mapped[str] = mapped_column(String(10), default="email", server_default="email")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # habeas data, Ley 1581
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TrainingRecordRecord(Base):
    """A training given to a customer (R3). Rows are added and removed, never edited."""

    __tablename__ = "training_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(200))
    trainer: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class PlaceRecord(Base):
    """A municipality an administrator added to the built-in list (domain.places)."""

    __tablename__ = "places"
    __table_args__ = (UniqueConstraint("name", "department"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    department: Mapped[str] = mapped_column(String(60))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class ProductModelRecord(Versioned, Base):
    __tablename__ = "product_models"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    technology: Mapped[str] = mapped_column(String(10))
    discontinued_from: Mapped[date | None] = mapped_column(Date, nullable=True)  # the end of life (R5)
    warranty_months: Mapped[int] = mapped_column(Integer, default=12, server_default="12")
    maintenance_interval_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")


class CompanyRecord(Versioned, Base):
    """The company's own data (domain.company), one row; none yet on a new installation, which
    prints the shipped defaults (resources/certificate/company.json) until an administrator saves."""

    __tablename__ = "company"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    legal_name: Mapped[str] = mapped_column(String(200))
    tax_id: Mapped[str] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    support_email: Mapped[str] = mapped_column(String(200))
    website: Mapped[str] = mapped_column(String(120))
    seal_ring_text: Mapped[str] = mapped_column(String(40))
    seal_centre_text: Mapped[str] = mapped_column(String(24))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class MachineRecord(Versioned, Base):
    __tablename__ = "machines"
    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    qr_payload: Mapped[str] = mapped_column(String(200), unique=True)
    model_code: Mapped[str] = mapped_column(ForeignKey("product_models.code"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    purchase_date: Mapped[date] = mapped_column(Date)
    warranty_end: Mapped[date] = mapped_column(Date)
    unauthorized_intervention: Mapped[bool] = mapped_column(Boolean, default=False)
    last_preventive_maintenance: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Folded serial, model, customer name, tax id and city (domain.search), for a plain LIKE.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    model: Mapped[ProductModelRecord] = relationship(lazy="joined")
    customer: Mapped[CustomerRecord] = relationship()


class PlanRecord(Versioned, Base):
    __tablename__ = "plans"
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    rank: Mapped[int] = mapped_column(Integer)
    onsite: Mapped[bool] = mapped_column(Boolean)
    included_advisory_hours: Mapped[int] = mapped_column(Integer)
    included_maintenances: Mapped[int] = mapped_column(Integer)
    price_before_iva: Mapped[int] = mapped_column(Integer)


class SeverityRecord(Versioned, Base):
    __tablename__ = "severities"
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, unique=True)


class ResponseTargetRecord(Versioned, Base):
    __tablename__ = "response_targets"
    plan_code: Mapped[str] = mapped_column(ForeignKey("plans.code"), primary_key=True)
    severity_code: Mapped[str] = mapped_column(ForeignKey("severities.code"), primary_key=True)
    hours: Mapped[float] = mapped_column(Float)


class PolicyVersionRecord(Base):
    """Every saved policy, whole, as JSON (R18). Append-only: the latest row is the policy in
    force; plans, severities and response_targets are its projection for joins."""

    __tablename__ = "policy_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[str] = mapped_column(Text)

    author: Mapped[UserRecord | None] = relationship()


class NotificationRecord(Base):
    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    # A sentence, in notices written before 0007; newer ones are worded when read, from `data`.
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[str] = mapped_column(Text, default="", server_default="")  # JSON object
    key: Mapped[str] = mapped_column(String(80), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)


contract_machines = Table(
    "contract_machines",
    Base.metadata,
    Column("contract_id", ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True),
    Column("machine_id", ForeignKey("machines.id"), primary_key=True),
)


class ContractRecord(Versioned, Base):
    __tablename__ = "contracts"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    plan_code: Mapped[str] = mapped_column(ForeignKey("plans.code"))
    invoice_number: Mapped[str] = mapped_column(String(40), unique=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    price_before_iva: Mapped[int] = mapped_column(Integer)
    special: Mapped[bool] = mapped_column(Boolean, default=False)
    renews_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), nullable=True)

    customer: Mapped[CustomerRecord] = relationship()
    plan: Mapped[PlanRecord] = relationship()
    machines: Mapped[list[MachineRecord]] = relationship(secondary=contract_machines, order_by="MachineRecord.serial")


class CertificateRecord(Base):
    """Every certificate issued (R15): its signed facts exactly as the QR carries them, and its
    revocation. Append-only but for the revocation fields."""

    __tablename__ = "certificates"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    key_id: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_reason: Mapped[str] = mapped_column(Text, default="")


class CertificateCounterRecord(Base):
    __tablename__ = "certificate_counters"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class TicketCounterRecord(Base):
    """The last number handed out per year, so ticket numbers stay dense and human-readable."""

    __tablename__ = "ticket_counters"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


# The column of the ticket row that holds each key of the queue order (domain.queue.QueueKey).
# The order itself is the domain's: the index below and the queue's ORDER BY follow QUEUE_ORDER.
QUEUE_COLUMNS = {
    "plan_rank": "plan_rank",
    "severity_rank": "severity_rank",
    "received_at": "received_at",
    "sequence": "id",
}


class TicketRecord(Versioned, Base):
    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    machine_id: Mapped[int] = mapped_column(ForeignKey("machines.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    plan_code: Mapped[str] = mapped_column(ForeignKey("plans.code"))
    severity: Mapped[str] = mapped_column(ForeignKey("severities.code"))
    channel: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(30))
    assigned_agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    escalation_level: Mapped[int] = mapped_column(Integer, default=1)
    # Copies of the plan's and severity's rank, so the queue (R8) is read straight off one index
    # instead of sorting every open ticket; the policy repository rewrites them when a rank changes.
    plan_rank: Mapped[int] = mapped_column(Integer)
    severity_rank: Mapped[int] = mapped_column(Integer)
    # Folded (lower case, no accents) number + customer + serial + description, for one plain LIKE.
    search_text: Mapped[str] = mapped_column(Text, default="")
    clock_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_agent_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The current promise's due time (domain.sla.ticket_sla); None while paused or closed.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    policy_version_id: Mapped[int | None] = mapped_column(ForeignKey("policy_versions.id"), nullable=True)
    # Where this ticket's mail goes (issue 14): the sender of a mail-opened ticket; "" means the
    # customer's e-mail or its first contact with one, chosen when a mail is written.
    contact_email: Mapped[str] = mapped_column(String(320), default="", server_default="")

    machine: Mapped[MachineRecord] = relationship()
    customer: Mapped[CustomerRecord] = relationship()
    plan: Mapped[PlanRecord] = relationship()
    agent: Mapped[UserRecord | None] = relationship()

    # The queue is read far more often than anything else: this index is its order (R8), built
    # from the domain's definition. There is deliberately no index on status: half the tickets are
    # open, so it would not narrow anything, and SQLite would prefer it to the ordered scan and sort
    # every open ticket instead. R1's share of the work (open tickets per agent, for a mail that
    # opens a ticket) is counted off (agent, status) alone: a seek per agent, no table row read.
    __table_args__ = (
        Index("ix_tickets_queue_order", *(QUEUE_COLUMNS[key] for key in QUEUE_ORDER)),
        Index("ix_tickets_assigned_agent_id_status", "assigned_agent_id", "status"),
        Index("ix_tickets_customer_id_received_at", "customer_id", "received_at"),
    )


class TicketEventRecord(Base):
    """Append-only timeline: events are never updated, so they carry no version."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[str] = mapped_column(Text, default="{}")

    author: Mapped[UserRecord | None] = relationship()


class AttachmentRecord(Base):
    """Metadata only: the bytes live in the content-addressed store, named by their SHA-256."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VisitRecord(Versioned, Base):
    __tablename__ = "visits"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True, index=True)
    machine_id: Mapped[int] = mapped_column(ForeignKey("machines.id"), index=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    city: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    work_done: Mapped[str] = mapped_column(Text)
    parts: Mapped[str] = mapped_column(Text, default="")
    travel_expenses: Mapped[int] = mapped_column(Integer, default=0)
    maintenance: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("machine_id", "started_at"),)


class AuditRecord(Base):
    """R18: who changed what, when, with the values before and after. Append-only: the
    application has no code that updates or deletes these rows."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(30))
    changes: Mapped[str] = mapped_column(Text, default="{}")

    actor: Mapped[UserRecord | None] = relationship()

    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)


# -- mail (issue 14, migration 0011) ---------------------------------------------------------------


class MailSettingsRecord(Versioned, Base):
    """The mail servers and the sender, one row (id 1); none until an administrator saves them.
    Never a password (the OS keyring, services/mail_ports.SecretStore). `signing_secret` is the
    HMAC key of our Message-IDs (hex of 32 random bytes), made on the first save."""

    __tablename__ = "mail_settings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    smtp_host: Mapped[str] = mapped_column(String(255), default="", server_default="")
    smtp_port: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    smtp_security: Mapped[str] = mapped_column(String(10), default="starttls", server_default="starttls")
    smtp_user: Mapped[str] = mapped_column(String(320), default="", server_default="")
    imap_host: Mapped[str] = mapped_column(String(255), default="", server_default="")
    imap_port: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    imap_security: Mapped[str] = mapped_column(String(10), default="tls", server_default="tls")
    imap_user: Mapped[str] = mapped_column(String(320), default="", server_default="")
    imap_folder: Mapped[str] = mapped_column(String(200), default="INBOX", server_default="INBOX")
    sender_address: Mapped[str] = mapped_column(String(320), default="", server_default="")
    sender_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    message_id_domain: Mapped[str] = mapped_column(String(255), default="", server_default="")
    signing_secret: Mapped[str] = mapped_column(String(64), default="", server_default="")
    reopen_window_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    sending_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    fetching_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class MailTemplateRecord(Versioned, Base):
    """A mail template an administrator edited; without a row the shipped default is used."""

    __tablename__ = "mail_templates"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class MailOutboxRecord(Base):
    """One outbound mail, written in the transaction of the change that caused it and delivered
    by the mail job. The composed mail (.eml) is in the attachment store under `raw_sha256`."""

    __tablename__ = "mail_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), nullable=True, index=True
    )
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), nullable=True, index=True)
    template: Mapped[str] = mapped_column(String(40))
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    in_reply_to: Mapped[str] = mapped_column(String(255), default="", server_default="")
    references_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    to_addresses: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(400))
    text_body: Mapped[str] = mapped_column(Text)
    raw_sha256: Mapped[str] = mapped_column(String(64))
    raw_size: Mapped[int] = mapped_column(Integer)
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    state_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    # The delivery job reads "queued and due" far more often than anything else.
    __table_args__ = (Index("ix_mail_outbox_state_next_attempt_at", "state", "next_attempt_at"),)


class MailInboxRecord(Versioned, Base):
    """One received mail (fetched or imported from a file), kept raw in the attachment store under
    `raw_sha256`, and where it went: a ticket, the unclassified list, discarded, set aside."""

    __tablename__ = "mail_inbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL when the mail had none; several NULLs are allowed by UNIQUE on SQLite and PostgreSQL.
    message_id: Mapped[str | None] = mapped_column(String(255), nullable=True, unique=True)
    raw_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    raw_size: Mapped[int] = mapped_column(Integer)
    from_address: Mapped[str] = mapped_column(String(320), default="", server_default="")
    from_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    to_addresses: Mapped[str] = mapped_column(Text, default="", server_default="")
    subject: Mapped[str] = mapped_column(String(400), default="", server_default="")
    text_body: Mapped[str] = mapped_column(Text, default="", server_default="")
    html_body: Mapped[str] = mapped_column(Text, default="", server_default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20), index=True)
    state_reason: Mapped[str] = mapped_column(String(60), default="", server_default="")
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), nullable=True, index=True
    )
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), nullable=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("mail_outbox.id"), nullable=True)
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    discard_reason: Mapped[str] = mapped_column(Text, default="", server_default="")


class MailboxStateRecord(Base):
    """Where the fetch left off in one IMAP folder: a changed UIDVALIDITY means start over."""

    __tablename__ = "mailbox_state"
    folder: Mapped[str] = mapped_column(String(200), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


# -- field laptops (issue 16, migration 0014) ----------------------------------------------------------


class ChangeCounterRecord(Base):
    """The office's change sequence, one row (id 1). A committing transaction takes the next value
    by UPDATE … RETURNING just before COMMIT, holding the row's lock until then: so values become
    visible in the order they were taken, and a puller that read up to N never misses a slower
    transaction's N − 1 (persistence/field/change_log.py)."""

    __tablename__ = "change_counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(BigInteger)


class ChangeLogRecord(Base):
    """What a committed transaction touched, stamped with its change sequence number: the field
    copies pull what changed after their watermark. Keys, not contents: the rows are read again."""

    __tablename__ = "change_log"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entity: Mapped[str] = mapped_column(String(20), primary_key=True)
    entity_key: Mapped[str] = mapped_column(String(40), primary_key=True)


class AppliedCommandRecord(Base):
    """A field command the office has applied (or a person dropped), written in the transaction
    that applied it: replaying the same command again changes nothing (exactly-once effect)."""

    __tablename__ = "applied_commands"
    command_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), index=True)
    device_seq: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(10))  # "applied" or "dropped" (the office's kept)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    result: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the ticket a new ticket became


class AttachmentBlobRecord(Base):
    """An attachment's bytes kept in the shared database, so every workstation and field laptop of
    a team reads the same files; uploaded in chunks, so a cut upload resumes where it stopped."""

    __tablename__ = "attachment_blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AttachmentChunkRecord(Base):
    __tablename__ = "attachment_chunks"
    sha256: Mapped[str] = mapped_column(ForeignKey("attachment_blobs.sha256", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class FieldCopyRecord(Base):
    """On a field copy only (one row, id 1): where it came from and how far it has synced."""

    __tablename__ = "field_copy"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    device_id: Mapped[str] = mapped_column(String(36))
    office_url: Mapped[str] = mapped_column(Text)  # never with a password (the keyring holds it)
    user_id: Mapped[int] = mapped_column(Integer)
    city: Mapped[str] = mapped_column(String(60))
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    watermark: Mapped[int] = mapped_column(BigInteger)  # the office's change sequence pulled up to
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    clock_skew_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    next_provisional: Mapped[int] = mapped_column(Integer, default=1)


class FieldOutboxRecord(Base):
    """On a field copy: each change made offline, as the command that replays it at the office,
    written in the transaction of the change itself."""

    __tablename__ = "field_outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    command_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(40))
    ticket_ref: Mapped[str] = mapped_column(Text)  # JSON: {"office": id} or {"new": command_id}
    payload: Mapped[str] = mapped_column(Text)  # JSON: the call's arguments
    base: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the fields before the change
    mine: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the fields it sets
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    copied_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the last sync (or the copy) before it
    state: Mapped[str] = mapped_column(String(10), index=True)  # pending, conflict, done, dropped
    conflict: Mapped[str] = mapped_column(Text, default="")  # JSON: clashes, the office's reason
    result: Mapped[str] = mapped_column(Text, default="{}")
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    settled_how: Mapped[str] = mapped_column(String(12), default="")
