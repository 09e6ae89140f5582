"""Handing queued mail to the SMTP server (the "mail_send" job, every 30 s), with retries.

Mails are claimed a batch at a time in a short transaction (each one's next attempt moved a few
minutes ahead, only if it is still queued and due: of two senders, one gets it), then each is sent
and marked in a short transaction of its own, so a mail the server took is marked at once. A round
sends over one SMTP connection (MailTransport.open: a TLS handshake and sign-in per round, not per
mail), made again once when the server drops it. A
temporary failure (server down, 4xx) waits 1, 2, 5, 10, 30, then 60 minutes between attempts, until
MAX_ATTEMPTS; a permanent one (5xx: no such mailbox) fails for good with the
server's reason. Both are on the ticket's timeline through the mail's state. A process killed between
the SMTP server's "OK" and the mark leaves the mail to be sent again when its claim expires: at least
once, the way every mail system delivers.

Several temporary failures in a row end the round (the server is down: the next round tries again),
so a hundred queued mails do not mean a hundred connection timeouts every 30 seconds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.errors import NotFoundError, PermissionDeniedError, UserFacingError
from desktop_app.i18n import _, ngettext
from desktop_app.services.mail.settings import MailSettingsStore
from desktop_app.services.mail_dto import MailSettings, OutboxMail, OutboxState
from desktop_app.services.mail_ports import MailConnectionError, MailDeliveryError, MailSender, MailTransport
from desktop_app.services.ports import AttachmentStore, Clock, UnitOfWorkFactory

log = logging.getLogger(__name__)

BACKOFF_MINUTES = (1, 2, 5, 10, 30, 60)  # after the 1st, 2nd… failed attempt; then 60 each time
MAX_ATTEMPTS = 30  # about a day of trying; then "failed", and a person may send it again
CLAIM = timedelta(minutes=10)  # longer than any one SMTP conversation takes
BATCH = 50  # mails claimed per transaction; a round goes on while there are due ones
GIVE_UP_ROUND_AFTER = 3  # temporary failures in a row: the server is down, try next round


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt (1-based)."""
    index = min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1
    return timedelta(minutes=BACKOFF_MINUTES[index])


@dataclass(frozen=True)
class DeliveryCounts:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def summary(self) -> str | None:
        """What a round did, for the status bar and `makersupport mail send`; None: nothing."""
        parts = []
        if self.sent:
            parts.append(ngettext("{n} mail sent", "{n} mails sent", self.sent).format(n=self.sent))
        if self.retrying:
            parts.append(
                ngettext("{n} mail will be tried again", "{n} mails will be tried again", self.retrying).format(
                    n=self.retrying
                )
            )
        if self.failed:
            parts.append(ngettext("{n} mail failed", "{n} mails failed", self.failed).format(n=self.failed))
        return " · ".join(parts) or None


class MailDelivery:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        attachments: AttachmentStore,
        transport: MailTransport,
        settings: MailSettingsStore,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._attachments = attachments
        self._transport = transport
        self._settings = settings

    def deliver_due(self, *, actor: Actor) -> str | None:
        """Send every queued mail that is due; a summary with plurals, or None when nothing was
        due or sending is not configured and enabled yet (the mail waits, queued)."""
        if not (allows(actor, Permission.RUN_JOBS) or allows(actor, Permission.HANDLE_MAIL)):
            raise PermissionDeniedError(_("Your role does not allow this action."))
        with self._uow_factory() as uow:
            settings = uow.mail.settings() or MailSettings()
        if not settings.can_send:
            return None
        password = self._settings.password(settings.smtp, "smtp")
        counts = DeliveryCounts()
        in_a_row = 0
        with self._transport.open(settings.smtp, password) as session:
            while True:
                claimed = self._claim_batch()
                if not claimed:
                    break
                for index, mail in enumerate(claimed):
                    outcome = self._attempt(mail, settings, session)
                    if outcome is OutboxState.SENT:
                        counts = DeliveryCounts(counts.sent + 1, counts.retrying, counts.failed)
                        in_a_row = 0
                    elif outcome is OutboxState.FAILED:
                        counts = DeliveryCounts(counts.sent, counts.retrying, counts.failed + 1)
                        in_a_row = 0
                    else:
                        counts = DeliveryCounts(counts.sent, counts.retrying + 1, counts.failed)
                        in_a_row += 1
                        if in_a_row >= GIVE_UP_ROUND_AFTER:
                            # The server is down: the rest go back to the queue for the next round.
                            self._release([later.id for later in claimed[index + 1 :]])
                            return counts.summary()
        return counts.summary()

    def _claim_batch(self) -> list[OutboxMail]:
        """Up to BATCH due mails taken for this sender in one short transaction: each claim is a
        conditional UPDATE, so a mail another sender took meanwhile is simply not among them."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            due = uow.mail.due(now, BATCH)
            claimed = [mail for mail in due if uow.mail.claim(mail.id, now, now + CLAIM)]
            uow.commit()
        return claimed

    def _release(self, mail_ids: list[int]) -> None:
        if not mail_ids:
            return
        with self._uow_factory() as uow:
            uow.mail.release(mail_ids, self._clock.now())
            uow.commit()

    def _attempt(self, mail: OutboxMail, settings: MailSettings, session: MailSender) -> OutboxState:
        """One attempt at one claimed mail; its state after it."""
        attempts = mail.attempts + 1
        try:
            raw = self._attachments.path_for(mail.raw_sha256).read_bytes()
        except OSError:
            self._mark(mail.id, OutboxState.FAILED, attempts, _("The written mail is missing from the files folder."))
            return OutboxState.FAILED
        try:
            session.send(settings.sender_address, mail.to, raw)
        except MailDeliveryError as exc:
            if exc.permanent:
                self._mark(mail.id, OutboxState.FAILED, attempts, exc.message)
                return OutboxState.FAILED
            return self._later(mail.id, attempts, exc.message)
        except MailConnectionError as exc:
            return self._later(mail.id, attempts, exc.message)
        except OSError as exc:  # a network error the adapter did not word
            return self._later(mail.id, attempts, str(exc) or type(exc).__name__)
        self._mark(mail.id, OutboxState.SENT, attempts, "")
        return OutboxState.SENT

    def _later(self, mail_id: int, attempts: int, reason: str) -> OutboxState:
        if attempts >= MAX_ATTEMPTS:
            self._mark(
                mail_id,
                OutboxState.FAILED,
                attempts,
                _("Gave up after {n} attempts: {reason}").format(n=attempts, reason=reason),
            )
            return OutboxState.FAILED
        self._mark(mail_id, OutboxState.QUEUED, attempts, reason)
        return OutboxState.QUEUED

    def _mark(self, mail_id: int, state: OutboxState, attempts: int, reason: str) -> None:
        now = self._clock.now()
        with self._uow_factory() as uow:
            if state is OutboxState.SENT:
                uow.mail.mark_sent(mail_id, now, attempts)
            elif state is OutboxState.FAILED:
                uow.mail.mark_failed(mail_id, attempts=attempts, reason=reason[:2000])
            else:
                uow.mail.mark_retry(
                    mail_id, attempts=attempts, next_attempt_at=now + backoff(attempts), reason=reason[:2000]
                )
            uow.commit()
        if state is not OutboxState.SENT:
            log.info("mail %s %s after attempt %s: %s", mail_id, state.value, attempts, reason)

    def retry(self, mail_id: int, *, actor: Actor) -> None:
        """Queue a failed or bounced mail again, to go at the next round (audited).

        Raises:
            NotFoundError: no such mail. UserFacingError: it is queued or sent already.
        """
        if not allows(actor, Permission.HANDLE_MAIL):
            raise PermissionDeniedError(_("Your role does not allow this action."))
        now = self._clock.now()
        with self._uow_factory() as uow:
            mail = uow.mail.get_outbox(mail_id)
            if mail is None:
                raise NotFoundError(_("Mail {id} does not exist.").format(id=mail_id))
            if not uow.mail.requeue(mail_id, now):
                raise UserFacingError(_("Only a mail that failed or bounced can be sent again."))
            changes = {"state": (mail.state.value, OutboxState.QUEUED.value)}
            uow.audit.record(AuditEntry(now, actor.user_id, "mail", str(mail_id), "retry", changes))
            uow.commit()
