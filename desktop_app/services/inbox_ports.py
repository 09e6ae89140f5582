"""What the inbound mail services (services/mail/inbound.py, fetching.py, unclassified.py) need of
the database: the received mails (`mail_inbox`), where the fetch left off in each IMAP folder
(`mailbox_state`), and the look-ups that decide where a mail belongs. Persistence implements it
(persistence/repositories/mail_inbox.py) as `uow.mail_inbox`."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from desktop_app.domain.ids import CustomerId, MachineId, TicketId, UserId


class InboxState(StrEnum):
    """Where a received mail went (the `state` column of mail_inbox)."""

    TICKET = "ticket"  # on a ticket's timeline (a reply, or it opened one)
    UNCLASSIFIED = "unclassified"  # waiting for a person: unknown sender, no machine found…
    DISCARDED = "discarded"  # a person threw it away, with a reason
    AUTOMATIC = "automatic"  # an auto-reply: kept, never acted on
    BOUNCE = "bounce"  # a delivery report about one of our mails
    SET_ASIDE = "set_aside"  # could not be read or acted on; the raw mail is kept


@dataclass(frozen=True)
class NewInboxMail:
    """A received mail as it is written, before it has an id."""

    message_id: str | None
    raw_sha256: str
    raw_size: int
    from_address: str
    from_name: str
    to_addresses: str
    subject: str
    text_body: str
    html_body: str
    sent_at: datetime | None
    imported_at: datetime
    source: str
    state: InboxState
    state_reason: str = ""
    ticket_id: TicketId | None = None
    customer_id: CustomerId | None = None
    outbox_id: int | None = None


@dataclass(frozen=True)
class StoredInboxMail:
    """A received mail as stored, with the ticket number it went to (if any)."""

    id: int
    message_id: str | None
    raw_sha256: str
    raw_size: int
    from_address: str
    from_name: str
    to_addresses: str
    subject: str
    text_body: str
    sent_at: datetime | None
    imported_at: datetime
    source: str
    state: InboxState
    state_reason: str
    ticket_id: TicketId | None
    ticket_number: str
    customer_id: CustomerId | None
    handled_by: UserId | None
    handled_at: datetime | None
    discard_reason: str
    version: int


@dataclass(frozen=True)
class MailboxPosition:
    """Where the fetch left off in one folder: its UIDVALIDITY and the last UID imported."""

    folder: str
    uidvalidity: int
    last_uid: int


@dataclass(frozen=True)
class SentMail:
    """One of our outbound mails, found by its Message-ID (a bounce names it)."""

    id: int
    ticket_id: TicketId | None
    state: str


class MailInboxRepository(Protocol):
    # -- received mails ----------------------------------------------------------------------------

    def add(self, mail: NewInboxMail) -> int:
        """Write the mail's row; returns its id (the row is flushed, not committed)."""
        ...

    def get(self, inbox_id: int) -> StoredInboxMail | None: ...

    def by_message_id(self, message_id: str) -> StoredInboxMail | None: ...

    def by_raw_sha256(self, sha256: str) -> StoredInboxMail | None: ...

    def in_state(self, state: InboxState, limit: int = 500) -> list[StoredInboxMail]:
        """The mails in one state, oldest first."""
        ...

    def count_in_state(self, state: InboxState) -> int: ...

    def set_state(
        self,
        inbox_id: int,
        expected_version: int,
        *,
        state: InboxState,
        state_reason: str = "",
        ticket_id: TicketId | None = None,
        customer_id: CustomerId | None = None,
        handled_by: UserId | None = None,
        handled_at: datetime | None = None,
        discard_reason: str = "",
    ) -> None:
        """Move the mail to `state`; ConflictError when its row changed since expected_version
        (somebody else linked or discarded it meanwhile)."""
        ...

    # -- where the fetch left off ------------------------------------------------------------------

    def position(self, folder: str) -> MailboxPosition | None: ...

    def advance(self, folder: str, uidvalidity: int, last_uid: int, at: datetime) -> None:
        """Remember the last UID imported in the folder (written or replaced in this transaction)."""
        ...

    # -- look-ups the routing needs ----------------------------------------------------------------

    def tickets_of_message_ids(self, message_ids: Sequence[str]) -> dict[str, TicketId]:
        """The ticket each of these Message-IDs belongs to, among our sent mails and the received
        ones already on a ticket (ids without a ticket are left out)."""
        ...

    def sent_mail(self, message_id: str) -> SentMail | None: ...

    def customers_of_address(self, address: str) -> list[CustomerId]:
        """The customers this address belongs to: their own e-mail or one of their contacts'
        (anonymised contacts excluded), whatever the letters' case."""
        ...

    def ticket_ids_by_number(self, number: str) -> TicketId | None: ...

    def machines_by_serial(self, serials: Sequence[str]) -> dict[str, tuple[MachineId, CustomerId]]:
        """The registered machines among these serials, with their owner."""
        ...

    def machines_of(self, customer_id: CustomerId) -> list[tuple[MachineId, str]]:
        """The customer's machines with their serials."""
        ...

    def open_ticket_counts(self, people: Collection[UserId]) -> dict[UserId, int]:
        """How many open tickets each of `people` is responsible for (R1's share of the work); a
        person without one is left out."""
        ...

    def last_agent_of(self, customer_id: CustomerId) -> UserId | None:
        """The agent responsible for the customer's latest ticket, if any."""
        ...

    def set_ticket_contact(self, ticket_id: TicketId, address: str) -> None:
        """Where the ticket's mail goes (tickets.contact_email)."""
        ...
