"""What the outbound mail services need from storage (`uow.mail`, `uow.queries.mail`), as Protocols.
The received mail's repository is services/inbox_ports.py."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from desktop_app.domain.ids import TicketId, UserId
from desktop_app.services.mail_dto import (
    MailSettings,
    NewOutboxMail,
    OutboxMail,
    OutboxRow,
    OutboxState,
    StoredTemplate,
    TicketMail,
)


class MailRepository(Protocol):
    """The mail settings row, the edited templates and the outbox."""

    def settings(self) -> MailSettings | None:
        """The saved settings (never a password); None before the first save."""
        ...

    def signing_secret(self) -> str:
        """The hex HMAC key of our Message-IDs; "" before the first save."""
        ...

    def save_settings(
        self,
        settings: MailSettings,
        *,
        signing_secret: str,
        at: datetime,
        by: UserId | None,
        expected_version: int | None,
    ) -> None:
        """Raises ConflictError when someone saved since `expected_version`."""
        ...

    def ensure_signing_secret(self, candidate: str, at: datetime) -> str:
        """The signing key, made from `candidate` (with a default settings row) when there is none."""
        ...

    def templates(self) -> dict[str, StoredTemplate]: ...

    def template(self, code: str) -> StoredTemplate | None: ...

    def save_template(self, code: str, subject: str, body: str, *, at: datetime, by: UserId | None) -> None: ...

    def delete_template(self, code: str) -> bool: ...

    def add_outbox(self, mail: NewOutboxMail) -> int:
        """Queue one mail; returns its id."""
        ...

    def get_outbox(self, mail_id: int) -> OutboxMail | None: ...

    def outbox_id_by_message_id(self, message_id: str) -> int | None: ...

    def due(self, now: datetime, limit: int = 100) -> list[OutboxMail]:
        """Queued mail whose next attempt is due, oldest first."""
        ...

    def claim(self, mail_id: int, now: datetime, until: datetime) -> bool:
        """Take a queued, due mail for one attempt (its next attempt moves to `until`); False when
        another sender took it first."""
        ...

    def release(self, mail_ids: Sequence[int], at: datetime) -> None:
        """Claimed mails not attempted after all: due again at `at`."""
        ...

    def mark_sent(self, mail_id: int, at: datetime, attempts: int) -> None: ...

    def mark_retry(self, mail_id: int, *, attempts: int, next_attempt_at: datetime, reason: str) -> None: ...

    def mark_failed(self, mail_id: int, *, attempts: int, reason: str) -> None: ...

    def mark_bounced(self, mail_id: int, *, at: datetime, reason: str) -> None: ...

    def requeue(self, mail_id: int, at: datetime) -> bool:
        """A failed or bounced mail queued again; False when it is queued or sent already."""
        ...

    def ticket_message_ids(self, ticket_id: TicketId, *, without_templates: Collection[str] = ()) -> list[str]:
        """The Message-IDs of the ticket's conversation with its customer, both ways, oldest first
        (received before caused at one moment); not our mail of `without_templates`, nor mail that
        never reached anyone, nor auto-replies and bounces."""
        ...

    def automatic_sent_at(self, ticket_id: TicketId | None, address: str, since: datetime) -> list[datetime]:
        """When automatic mail went to this address about this ticket since `since`."""
        ...


class MailQueries(Protocol):
    def ticket_mails(self, ticket_id: TicketId) -> list[TicketMail]:
        """Every mail of the ticket, sent and received, oldest first."""
        ...

    def outbox(self, states: Collection[OutboxState] = (), limit: int = 500) -> list[OutboxRow]:
        """Outbound mail, newest first."""
        ...

    def raw_sha256(self, direction: str, mail_id: int) -> str | None: ...
