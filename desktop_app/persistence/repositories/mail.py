"""Outbound mail: the settings row, the edited templates and the outbox (issue 14).

The received mail and the IMAP position are persistence/repositories/mail_inbox.py. What the
screens list (the outbox, a ticket's mails) is read in persistence/queries/mail.py.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop_app.domain.ids import TicketId, UserId
from desktop_app.errors import ConflictError
from desktop_app.i18n import _
from desktop_app.persistence.tables import MailInboxRecord, MailOutboxRecord, MailSettingsRecord, MailTemplateRecord
from desktop_app.services.inbox_ports import InboxState
from desktop_app.services.mail_dto import MailSettings, NewOutboxMail, OutboxMail, OutboxState, StoredTemplate
from desktop_app.services.mail_ports import MailSecurity, ServerSettings

_SETTINGS_ROW = 1
# Addresses are kept one per line: an address never holds a line break (services clean them).
_SEPARATOR = "\n"


def join_addresses(addresses: Sequence[str]) -> str:
    return _SEPARATOR.join(addresses)


def split_addresses(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(_SEPARATOR) if part)


def _security(value: str, default: MailSecurity) -> MailSecurity:
    return MailSecurity(value) if value in MailSecurity._value2member_map_ else default


def _outbox_mail(r: MailOutboxRecord) -> OutboxMail:
    return OutboxMail(
        id=r.id,
        message_id=r.message_id,
        to=split_addresses(r.to_addresses),
        raw_sha256=r.raw_sha256,
        state=OutboxState(r.state),
        attempts=r.attempts,
        next_attempt_at=r.next_attempt_at,
        ticket_id=TicketId(r.ticket_id) if r.ticket_id is not None else None,
        subject=r.subject,
    )


class SqlMailRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # -- settings ----------------------------------------------------------------------------------

    def settings(self) -> MailSettings | None:
        """The saved settings (has_*_password left False: the keyring knows); None before the
        first save."""
        r = self._session.get(MailSettingsRecord, _SETTINGS_ROW)
        if r is None:
            return None
        return MailSettings(
            smtp=ServerSettings(
                r.smtp_host, r.smtp_port, _security(r.smtp_security, MailSecurity.STARTTLS), r.smtp_user
            ),
            imap=ServerSettings(r.imap_host, r.imap_port, _security(r.imap_security, MailSecurity.TLS), r.imap_user),
            folder=r.imap_folder,
            sender_address=r.sender_address,
            sender_name=r.sender_name,
            message_id_domain=r.message_id_domain,
            reopen_window_days=r.reopen_window_days,
            sending_enabled=r.sending_enabled,
            fetching_enabled=r.fetching_enabled,
            version=r.version,
            updated_at=r.updated_at,
        )

    def signing_secret(self) -> str:
        """The hex HMAC key of our Message-IDs; "" before the settings were first saved."""
        return self._session.scalar(select(MailSettingsRecord.signing_secret).where(MailSettingsRecord.id == 1)) or ""

    def save_settings(
        self,
        settings: MailSettings,
        *,
        signing_secret: str,
        at: datetime,
        by: UserId | None,
        expected_version: int | None,
    ) -> None:
        """Write the one settings row. Raises ConflictError when someone saved since
        `expected_version` (None: the caller saw no row)."""
        record = self._session.get(MailSettingsRecord, _SETTINGS_ROW)
        seen = record.version if record is not None else None
        if seen != expected_version:
            raise ConflictError(_("Someone else saved the mail settings meanwhile. Nothing was saved."))
        if record is None:
            record = MailSettingsRecord(id=_SETTINGS_ROW)
            self._session.add(record)
        record.smtp_host, record.smtp_port = settings.smtp.host, settings.smtp.port
        record.smtp_security, record.smtp_user = settings.smtp.security.value, settings.smtp.user
        record.imap_host, record.imap_port = settings.imap.host, settings.imap.port
        record.imap_security, record.imap_user = settings.imap.security.value, settings.imap.user
        record.imap_folder = settings.folder
        record.sender_address, record.sender_name = settings.sender_address, settings.sender_name
        record.message_id_domain = settings.message_id_domain
        record.signing_secret = signing_secret
        record.reopen_window_days = settings.reopen_window_days
        record.sending_enabled, record.fetching_enabled = settings.sending_enabled, settings.fetching_enabled
        record.updated_at, record.updated_by = at, by
        self._session.flush()

    def ensure_signing_secret(self, candidate: str, at: datetime) -> str:
        """The Message-ID signing key, made from `candidate` when there is none yet (the settings
        row is created with the defaults then). Two desks doing it at once: the first one's key
        stays (the second insert fails inside a savepoint, and its transaction goes on)."""
        record = self._session.get(MailSettingsRecord, _SETTINGS_ROW)
        if record is not None:
            if not record.signing_secret:
                record.signing_secret = candidate
                self._session.flush()
            return record.signing_secret
        defaults = MailSettings()
        try:
            with self._session.begin_nested():
                self._session.add(
                    MailSettingsRecord(
                        id=_SETTINGS_ROW,
                        smtp_host="",
                        smtp_port=defaults.smtp.port,
                        smtp_security=defaults.smtp.security.value,
                        smtp_user="",
                        imap_host="",
                        imap_port=defaults.imap.port,
                        imap_security=defaults.imap.security.value,
                        imap_user="",
                        imap_folder=defaults.folder,
                        sender_address="",
                        sender_name="",
                        message_id_domain="",
                        signing_secret=candidate,
                        reopen_window_days=defaults.reopen_window_days,
                        sending_enabled=False,
                        fetching_enabled=False,
                        updated_at=at,
                        updated_by=None,
                    )
                )
        except IntegrityError:
            pass  # another desk made it a moment ago: theirs is the key
        return self.signing_secret()

    # -- templates ---------------------------------------------------------------------------------

    def templates(self) -> dict[str, StoredTemplate]:
        """The templates an administrator edited, by code."""
        return {
            r.code: StoredTemplate(r.code, r.subject, r.body, r.version, r.updated_at, r.updated_by)
            for r in self._session.scalars(select(MailTemplateRecord))
        }

    def template(self, code: str) -> StoredTemplate | None:
        r = self._session.get(MailTemplateRecord, code)
        return None if r is None else StoredTemplate(r.code, r.subject, r.body, r.version, r.updated_at, r.updated_by)

    def save_template(self, code: str, subject: str, body: str, *, at: datetime, by: UserId | None) -> None:
        record = self._session.get(MailTemplateRecord, code)
        if record is None:
            record = MailTemplateRecord(code=code)
            self._session.add(record)
        record.subject, record.body, record.updated_at, record.updated_by = subject, body, at, by
        self._session.flush()

    def delete_template(self, code: str) -> bool:
        """Forget an edited template (the shipped one is used again); False when there was none."""
        result = self._session.execute(delete(MailTemplateRecord).where(MailTemplateRecord.code == code))
        return bool(getattr(result, "rowcount", 0))

    # -- the outbox --------------------------------------------------------------------------------

    def add_outbox(self, mail: NewOutboxMail) -> int:
        """Queue one mail; returns its id."""
        record = MailOutboxRecord(
            ticket_id=mail.ticket_id,
            customer_id=mail.customer_id,
            template=mail.template,
            message_id=mail.message_id,
            in_reply_to=mail.in_reply_to,
            references_text=" ".join(mail.references),
            to_addresses=join_addresses(mail.to),
            subject=mail.subject,
            text_body=mail.text,
            raw_sha256=mail.raw_sha256,
            raw_size=mail.raw_size,
            automatic=mail.automatic,
            state=OutboxState.QUEUED.value,
            state_reason="",
            attempts=0,
            next_attempt_at=mail.next_attempt_at or mail.created_at,
            created_at=mail.created_at,
            created_by=mail.created_by,
        )
        self._session.add(record)
        self._session.flush()
        return record.id

    def get_outbox(self, mail_id: int) -> OutboxMail | None:
        r = self._session.get(MailOutboxRecord, mail_id)
        return None if r is None else _outbox_mail(r)

    def outbox_id_by_message_id(self, message_id: str) -> int | None:
        """Which of our mails has this Message-ID (a bounce names it)."""
        return self._session.scalar(select(MailOutboxRecord.id).where(MailOutboxRecord.message_id == message_id))

    def due(self, now: datetime, limit: int = 100) -> list[OutboxMail]:
        """Queued mail whose next attempt is due, oldest first."""
        stmt = (
            select(MailOutboxRecord)
            .where(MailOutboxRecord.state == OutboxState.QUEUED.value, MailOutboxRecord.next_attempt_at <= now)
            .order_by(MailOutboxRecord.next_attempt_at, MailOutboxRecord.id)
            .limit(limit)
        )
        return [_outbox_mail(r) for r in self._session.scalars(stmt)]

    def claim(self, mail_id: int, now: datetime, until: datetime) -> bool:
        """Take a queued, due mail for one attempt: its next attempt moves to `until` (later than
        now) only while it is still queued and due, so of two senders only the first UPDATE
        matches the row. A sender that dies mid-attempt leaves it to be tried again at `until`."""
        result = self._session.execute(
            update(MailOutboxRecord)
            .where(
                MailOutboxRecord.id == mail_id,
                MailOutboxRecord.state == OutboxState.QUEUED.value,
                MailOutboxRecord.next_attempt_at <= now,
            )
            .values(next_attempt_at=until)
        )
        return getattr(result, "rowcount", 0) == 1

    def release(self, mail_ids: Sequence[int], at: datetime) -> None:
        """Claimed mails not attempted after all (the round stopped): due again at `at`."""
        self._session.execute(
            update(MailOutboxRecord)
            .where(MailOutboxRecord.id.in_(list(mail_ids)), MailOutboxRecord.state == OutboxState.QUEUED.value)
            .values(next_attempt_at=at)
        )

    def mark_sent(self, mail_id: int, at: datetime, attempts: int) -> None:
        self._set(mail_id, state=OutboxState.SENT.value, sent_at=at, attempts=attempts, state_reason="")

    def mark_retry(self, mail_id: int, *, attempts: int, next_attempt_at: datetime, reason: str) -> None:
        """A temporary failure: stays queued, tried again at `next_attempt_at`."""
        self._set(
            mail_id,
            state=OutboxState.QUEUED.value,
            attempts=attempts,
            next_attempt_at=next_attempt_at,
            state_reason=reason,
        )

    def mark_failed(self, mail_id: int, *, attempts: int, reason: str) -> None:
        """Refused for good (a 5xx, or too many attempts): never tried again unless retried by hand."""
        self._set(mail_id, state=OutboxState.FAILED.value, attempts=attempts, next_attempt_at=None, state_reason=reason)

    def mark_bounced(self, mail_id: int, *, at: datetime, reason: str) -> None:
        """A bounce reported the mail undelivered (the inbound pipeline finds which)."""
        self._set(mail_id, state=OutboxState.BOUNCED.value, bounced_at=at, state_reason=reason)

    def requeue(self, mail_id: int, at: datetime) -> bool:
        """A failed or bounced mail queued again by hand (its attempts start over); False when it
        is queued or sent already."""
        result = self._session.execute(
            update(MailOutboxRecord)
            .where(
                MailOutboxRecord.id == mail_id,
                MailOutboxRecord.state.in_((OutboxState.FAILED.value, OutboxState.BOUNCED.value)),
            )
            .values(state=OutboxState.QUEUED.value, next_attempt_at=at, attempts=0, state_reason="")
        )
        return getattr(result, "rowcount", 0) == 1

    def ticket_message_ids(self, ticket_id: TicketId, *, without_templates: Collection[str] = ()) -> list[str]:
        """The Message-IDs of the ticket's conversation with its customer, both ways, oldest first
        (a reply's References; the last one is its In-Reply-To).

        Left out: our mail of `without_templates` (notices to staff), our mail that never reached
        anyone (failed, bounced), and received mail that is not the customer's word (auto-replies,
        bounces). At one moment, what was received comes before what it caused (a mail and the
        acknowledgement written in its transaction).
        """
        out = self._session.execute(
            select(MailOutboxRecord.created_at, MailOutboxRecord.id, MailOutboxRecord.message_id).where(
                MailOutboxRecord.ticket_id == ticket_id,
                MailOutboxRecord.template.not_in(tuple(without_templates)),
                MailOutboxRecord.state.not_in((OutboxState.FAILED.value, OutboxState.BOUNCED.value)),
            )
        ).all()
        received = self._session.execute(
            select(MailInboxRecord.imported_at, MailInboxRecord.id, MailInboxRecord.message_id).where(
                MailInboxRecord.ticket_id == ticket_id,
                MailInboxRecord.message_id.is_not(None),
                MailInboxRecord.state == InboxState.TICKET.value,
            )
        ).all()
        ordered = sorted([(at, 1, i, mid) for at, i, mid in out] + [(at, 0, i, mid) for at, i, mid in received])
        return [str(mid) for *_rest, mid in ordered if mid]

    def automatic_sent_at(self, ticket_id: TicketId | None, address: str, since: datetime) -> list[datetime]:
        """When automatic mail went to this address about this ticket since `since` (the rate
        limit of domain.mail.within_rate_limit); queued mail counts, it is on its way."""
        stmt = select(MailOutboxRecord.created_at, MailOutboxRecord.to_addresses).where(
            MailOutboxRecord.automatic.is_(True),
            MailOutboxRecord.created_at >= since,
            MailOutboxRecord.ticket_id == ticket_id if ticket_id is not None else MailOutboxRecord.ticket_id.is_(None),
        )
        address = address.lower()
        return [at for at, to in self._session.execute(stmt) if address in split_addresses(to.lower())]

    def _set(self, mail_id: int, **values: object) -> None:
        self._session.execute(update(MailOutboxRecord).where(MailOutboxRecord.id == mail_id).values(**values))
