"""The plain values the mail services, their repositories and the screens exchange (issue 14).

Kept beside services/mail_ports.py (the adapters' values) rather than in services/dto.py, so the
mail capability's records read in one place. Frozen: a screen never changes what it was given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from desktop_app.domain.ids import AttachmentId, CustomerId, TicketId, UserId
from desktop_app.domain.mail_templates import TemplateCode
from desktop_app.services.mail_ports import MailFile, MailSecurity, ServerSettings

DEFAULT_SMTP = ServerSettings(port=587, security=MailSecurity.STARTTLS)
DEFAULT_IMAP = ServerSettings(port=993, security=MailSecurity.TLS)
DEFAULT_REOPEN_WINDOW_DAYS = 30  # R14: a reply within this many days reopens; later, a new ticket
# The key of a received mail's EMAIL_RECEIVED event naming the attachment rows it brought
# (comma-separated ids): its files, exactly, however many mails arrived at the same moment.
ATTACHMENT_IDS = "attachment_ids"


class OutboxState(StrEnum):
    """Where an outbound mail is: waiting for (another) attempt, handed to the server, refused for
    good, or reported back undelivered by a bounce."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = "bounced"


@dataclass(frozen=True)
class MailSettings:
    """The mail settings as an administrator sees and edits them. Never a password: only whether
    one is kept (in the OS keyring, services/mail_ports.SecretStore).

    Attributes:
        smtp, imap: the servers (host "" = not configured).
        folder: the IMAP folder the support mail is read from.
        sender_address, sender_name: the From of every mail the desk sends.
        message_id_domain: the right side of our Message-IDs (the sender's domain when empty).
        reopen_window_days: R14, how long a reply to a closed ticket reopens it.
        sending_enabled / fetching_enabled: the mail jobs' switches; mail is queued in any case.
        version: the row's version (None: never saved); updated_at: when it was last saved.
    """

    smtp: ServerSettings = DEFAULT_SMTP
    imap: ServerSettings = DEFAULT_IMAP
    folder: str = "INBOX"
    sender_address: str = ""
    sender_name: str = ""
    message_id_domain: str = ""
    reopen_window_days: int = DEFAULT_REOPEN_WINDOW_DAYS
    sending_enabled: bool = False
    fetching_enabled: bool = False
    has_smtp_password: bool = False
    has_imap_password: bool = False
    version: int | None = None
    updated_at: datetime | None = None

    @property
    def id_domain(self) -> str:
        """The domain our Message-IDs end with: the one set, else the sender's, else a fixed one."""
        if self.message_id_domain:
            return self.message_id_domain
        _local, _at, domain = self.sender_address.rpartition("@")
        return domain or "makersoporte.invalid"

    @property
    def can_send(self) -> bool:
        """Whether the mail job may hand mail to the SMTP server now."""
        return self.sending_enabled and self.smtp.configured and bool(self.sender_address)


@dataclass(frozen=True)
class MailCheck:
    """What "Probar conexión" found, per server, in words."""

    smtp_ok: bool
    smtp_message: str
    imap_ok: bool
    imap_message: str


@dataclass(frozen=True)
class StoredTemplate:
    """A template an administrator edited, as the database keeps it."""

    code: str
    subject: str
    body: str
    version: int
    updated_at: datetime
    updated_by: UserId | None


@dataclass(frozen=True)
class TemplateInfo:
    """One mail template as the editor shows it: the text in force, whether an administrator
    changed it from the shipped one (then "Restablecer" is offered), and the placeholders allowed."""

    code: str
    subject: str
    body: str
    edited: bool
    placeholders: tuple[str, ...]
    version: int | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class NewOutboxMail:
    """An outbound mail to insert into the outbox (the composed bytes are already stored)."""

    template: str
    message_id: str
    to: tuple[str, ...]
    subject: str
    text: str
    raw_sha256: str
    raw_size: int
    automatic: bool
    created_at: datetime
    created_by: UserId | None
    ticket_id: TicketId | None = None
    customer_id: CustomerId | None = None
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    next_attempt_at: datetime | None = None


@dataclass(frozen=True)
class OutboxMail:
    """One outbox row as the delivery reads it."""

    id: int
    message_id: str
    to: tuple[str, ...]
    raw_sha256: str
    state: OutboxState
    attempts: int
    next_attempt_at: datetime | None
    ticket_id: TicketId | None = None
    subject: str = ""


@dataclass(frozen=True)
class OutboxRow:
    """One outbound mail in the outbox list (Settings → Correo, `makersupport mail outbox`)."""

    id: int
    ticket_id: TicketId | None
    ticket_number: str
    customer_id: CustomerId | None
    template: str
    to: tuple[str, ...]
    subject: str
    state: OutboxState
    state_reason: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    automatic: bool


@dataclass(frozen=True)
class MailAttachment:
    """A file a received mail brought, as it became one of the ticket's attachments."""

    id: AttachmentId
    filename: str
    size: int


@dataclass(frozen=True)
class TicketMail:
    """One mail of a ticket, either way, for its timeline.

    Attributes:
        direction: "out" (we sent it) or "in" (received).
        state: out: queued · sent · failed · bounced; in: the inbox state ("ticket", ...).
        state_reason: why it failed or bounced, in the server's words.
        at: when it was written (out) or received (in).
        attachments: in: exactly the files this mail brought to the ticket (its timeline event
            names them), never another mail's received at the same moment.
    """

    direction: str
    id: int
    at: datetime
    from_address: str
    to: tuple[str, ...]
    subject: str
    text: str
    state: str
    state_reason: str = ""
    template: str = ""
    message_id: str = ""
    html: str = ""
    sent_at: datetime | None = None
    attempts: int = 0
    attachments: tuple[MailAttachment, ...] = field(default=())


class Skipped:
    """Why no mail went (the timeline's EMAIL_SENT event carries the code as "skipped")."""

    NO_ADDRESS = "no_address"  # "sin correo del cliente"
    NEVER_AUTO_ANSWER = "never_auto_answer"  # mailer-daemon, no-reply… never get automatic mail
    RATE_LIMIT = "rate_limit"  # too many automatic mails to this address about this ticket
    BAD_ADDRESS = "bad_address"  # the address cannot be written in a mail
    NO_STAFF_ADDRESS = "no_staff_address"  # nobody of the next level has an e-mail address


@dataclass(frozen=True)
class MailRequest:
    """One mail a use case wants sent.

    Attributes:
        template: which template; its text is the administrator's edited one or the shipped one.
        facts: facts beyond the ticket's own (message, solution, attempt, reason, level, …).
        attachments: files carried (the agent's, the certificate's PDF).
        automatic: written by the desk itself, not a person (rate-limited, never to robots, marked
            Auto-Submitted so auto-replies stay quiet).
        to: the recipients when not the customer (staff for escalation notices).
        customer_id: for mail not about a ticket (a certificate): the customer it goes to.
        to_customer_address: a given customer address (a reply to the sender of a mail).
        in_reply_to: the Message-ID answered when the ticket has no mail yet (the customer's mail
            that opened it) or the mail is about no ticket (the mail that asked).
    """

    template: TemplateCode
    facts: Mapping[str, str] = field(default_factory=dict)
    attachments: tuple[MailFile, ...] = ()
    automatic: bool = False
    to: tuple[str, ...] = ()
    customer_id: CustomerId | None = None
    to_customer_address: str = ""
    in_reply_to: str = ""
