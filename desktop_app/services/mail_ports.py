"""What the mail services need from the outside world, and the plain values they exchange.

The services (services/mail/) decide what is sent, when, and where a received mail belongs; the
adapters in desktop_app/mail/ speak the protocols and the formats: SMTP (smtplib), IMAP
(IMAPClient), MIME reading (the standard library's parser, charset-normalizer, nh3) and writing.
app.py hands the adapters in, as it does the spreadsheet reader of the importer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from desktop_app.errors import UserFacingError

# A mail larger than this is kept raw and set aside with a reason, never parsed.
MAX_MAIL_BYTES = 60 * 1024 * 1024


class MailSecurity(StrEnum):
    """How a connection to a mail server is protected."""

    TLS = "tls"  # TLS from the first byte (SMTPS 465, IMAPS 993)
    STARTTLS = "starttls"  # plain, then upgraded (SMTP 587, IMAP 143)
    NONE = "none"  # only for a server on this computer or in tests


@dataclass(frozen=True)
class ServerSettings:
    """One mail server: where it is, how the connection is protected, and whom to sign in as. The
    password is never here: it lives in the OS keyring (SecretStore) or the environment."""

    host: str = ""
    port: int = 0
    security: MailSecurity = MailSecurity.STARTTLS
    user: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.host and self.port)

    def secret_key(self, kind: str) -> str:
        """The keyring entry of this server's password ("smtp:user@host:port")."""
        return f"{kind}:{self.user}@{self.host}:{self.port}"


@dataclass(frozen=True)
class MailAddress:
    """One mailbox: the display name as written and the address, lower-cased."""

    address: str
    name: str = ""


@dataclass(frozen=True)
class MailFile:
    """A file carried by a mail, in or out."""

    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class ParsedMail:
    """What the desk reads of one received mail. The reader never raises: what it could not read
    is left empty and named in `problems`; the raw bytes are kept beside it in any case.

    Attributes:
        message_id: the Message-ID without angle brackets ("" when missing or unreadable).
        in_reply_to, references: the ids named by those headers, in order, without brackets.
        sender: From (None when missing or unreadable); reply_to: Reply-To when given.
        subject: decoded (encoded words, accents), on one line.
        date: the Date header, tz-aware, None when missing or nonsense.
        text: the body as plain text (a text/plain part, or the HTML part turned into text).
        html: the HTML part sanitised with nh3 (no scripts, no remote images), "" when none.
        attachments: the files (images inline or attached); winmail.dat stays one file.
        automatic: "" when a person wrote it; else the header that says it is automatic
            ("Auto-Submitted: auto-replied", "Precedence: bulk", ...).
        bounce: a delivery-status report (a bounce).
        bounced_message_ids: for a bounce, the Message-ID(s) of the mail that did not arrive.
        problems: codes of what the reader had to work around ("bad-message-id", "unknown-charset",
            "undeclared-8bit", "too-big", "no-from", ...).
    """

    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    sender: MailAddress | None
    reply_to: MailAddress | None
    to: tuple[MailAddress, ...]
    cc: tuple[MailAddress, ...]
    subject: str
    date: datetime | None
    text: str
    html: str
    attachments: tuple[MailFile, ...]
    automatic: str = ""
    bounce: bool = False
    bounced_message_ids: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutgoingMail:
    """A mail the desk sends, before it is written as MIME.

    Attributes:
        message_id: our own id, without brackets (domain.mail.new_message_id: signed).
        in_reply_to / references: threading; the ticket's previous mails, without brackets.
        auto_submitted: "" for a mail a person wrote (a reply); "auto-generated" or "auto-replied"
            for automatic mail, which also carries X-Auto-Response-Suppress.
        html: the HTML alternative; "" means the composer makes one from `text`.
    """

    message_id: str
    sender: MailAddress
    to: tuple[MailAddress, ...]
    subject: str
    text: str
    date: datetime
    html: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    auto_submitted: str = ""
    attachments: tuple[MailFile, ...] = ()


class MailConnectionError(UserFacingError):
    """The server could not be reached or refused us; the message says which and why, in words."""


class MailDeliveryError(UserFacingError):
    """The SMTP server did not take a mail. `permanent`: it refused it for good (a 5xx: bad
    address); otherwise it is tried again later (server down, 4xx)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class MailReader(Protocol):
    def parse(self, raw: bytes) -> ParsedMail:
        """Read a mail; never raises (see ParsedMail.problems)."""
        ...


class MailComposer(Protocol):
    def compose(self, mail: OutgoingMail) -> bytes:
        """The mail as bytes ready for SMTP: text plus an HTML alternative, attachments, headers."""
        ...


class MailSender(Protocol):
    """One SMTP connection kept for a delivery round (MailTransport.open)."""

    def send(self, sender: str, recipients: Sequence[str], raw: bytes) -> None:
        """Hand one mail to the server over the round's connection, connecting (again) when needed.
        Raises MailDeliveryError (permanent or not), as MailTransport.send."""
        ...


class MailTransport(Protocol):
    """Sending over SMTP."""

    def open(self, server: ServerSettings, password: str) -> AbstractContextManager[MailSender]:
        """A session that sends many mails over one connection (made at the first mail, made again
        once when the server drops it or stops taking mail on it), closed when the block ends."""
        ...

    def check(self, server: ServerSettings, password: str) -> None:
        """Connect, protect and sign in, then leave. Raises MailConnectionError."""
        ...

    def send(self, server: ServerSettings, password: str, sender: str, recipients: Sequence[str], raw: bytes) -> None:
        """Hand one mail to the server. Raises MailDeliveryError (permanent or not)."""
        ...


class MailboxSession(Protocol):
    """One open IMAP folder."""

    @property
    def uidvalidity(self) -> int: ...

    def uids_after(self, last_uid: int) -> list[int]:
        """The UIDs of the folder's messages above `last_uid`, ascending."""
        ...

    def unseen_uids(self) -> list[int]:
        """The UIDs of the folder's messages nobody has read yet (no \\Seen flag), ascending."""
        ...

    def fetch(self, uids: Sequence[int]) -> Iterator[tuple[int, bytes]]:
        """(uid, raw bytes) of each message, without marking it seen (BODY.PEEK[])."""
        ...

    def mark_imported(self, uids: Sequence[int]) -> None:
        """Flag the messages as handled (\\Seen and the keyword "MakerSoporte"); called only after
        the import of each has committed."""
        ...


class Mailbox(Protocol):
    """Reading the support mailbox over IMAP."""

    def check(self, server: ServerSettings, password: str, folder: str) -> None:
        """Connect, sign in and select the folder, then leave. Raises MailConnectionError."""
        ...

    def open(self, server: ServerSettings, password: str, folder: str) -> AbstractContextManager[MailboxSession]:
        """Connect and select the folder (read-write). Raises MailConnectionError."""
        ...


class SecretStore(Protocol):
    """Where the mail passwords live: the OS keyring, else an environment variable
    (MAKERSUPPORT_MAIL_PASSWORD) for servers without one. Never the database, a file or a log."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str) -> bool:
        """Keep the secret; False when there is no keyring here (then nothing is kept)."""
        ...

    def delete(self, key: str) -> None: ...
