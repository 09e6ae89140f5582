"""Fetching the support mailbox (the "mail_fetch" job, every minute): each new message imported
exactly once, whatever happens to the process.

The folder's UIDVALIDITY and the last UID imported are kept in `mailbox_state`. Each message is
imported in its own transaction, which ALSO moves the last UID on (services/mail/inbound.py's
`also`): killed before the commit, the message is fetched again next time and nothing of it was
written; killed after, the position says it is done. A changed UIDVALIDITY (the folder was rebuilt)
starts over from the first message; those already imported are recognised by their Message-ID or
their raw bytes and imported once.

The very first fetch of a folder (no position kept yet) imports only the messages nobody has read:
a mailbox the office has used for years holds thousands of answered mails, and importing them
would open a ticket for each. From then on every new message is imported, read or not (a person
may read one in their own mail program before the minute's fetch). If the process dies during
that first fetch, the next one goes on from the last message imported, unread or not.

The server's flags (\\Seen, "MakerSoporte") are set only after the import committed, and only
for the staff's benefit: the desk never relies on them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.errors import PermissionDeniedError
from desktop_app.i18n import _, ngettext
from desktop_app.services.mail.inbound import MailInbound
from desktop_app.services.mail_dto import MailSettings
from desktop_app.services.mail_ports import Mailbox, SecretStore
from desktop_app.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

FETCH_BATCH = 50  # messages fetched, imported and flagged per round trip


class MailFetching:
    """Args:
    uow_factory: opens units of work.
    clock: when the position was moved on.
    inbound: imports each message (one transaction each).
    mailbox: the IMAP adapter (desktop_app/mail/imap.py: ImapMailbox).
    secrets: where the IMAP password is (the OS keyring, or MAKERSUPPORT_MAIL_PASSWORD).
    settings: the mail settings in force (MailService.settings).
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        inbound: MailInbound,
        mailbox: Mailbox,
        secrets: SecretStore,
        settings: Callable[[], MailSettings],
        *,
        batch: int = FETCH_BATCH,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._inbound = inbound
        self._mailbox = mailbox
        self._secrets = secrets
        self._settings = settings
        self._batch = max(1, batch)

    def fetch(self, *, actor: Actor) -> str | None:
        """Import every message above the last UID imported; what was done in a few words, None
        when there was nothing (fetching switched off, no IMAP server set, no new message).

        Raises:
            PermissionDeniedError: neither the mail job nor a person who handles mail.
            MailConnectionError: the server could not be reached or stopped answering (what was
                imported before stays imported; the rest comes next time).
        """
        if not (allows(actor, Permission.RUN_JOBS) or allows(actor, Permission.HANDLE_MAIL)):
            raise PermissionDeniedError(_("Your role does not allow fetching mail."))
        settings = self._settings()
        if not settings.fetching_enabled or not settings.imap.configured:
            return None
        folder = settings.folder or "INBOX"
        password = self._secrets.get(settings.imap.secret_key("imap")) or ""
        states: Counter[str] = Counter()
        with self._mailbox.open(settings.imap, password, folder) as session:
            validity = session.uidvalidity
            with self._uow_factory() as uow:
                position = uow.mail_inbox.position(folder)
            # A changed UIDVALIDITY: the old UIDs mean nothing now; start over (duplicates are caught).
            last = position.last_uid if position is not None and position.uidvalidity == validity else 0
            uids = session.uids_after(last)
            # The folder's last message when the desk first looked: where the next fetch starts.
            first_look = uids[-1] if position is None and uids else None
            if position is None:
                unread = set(session.unseen_uids())
                uids = [uid for uid in uids if uid in unread]
            for start in range(0, len(uids), self._batch):
                done: list[int] = []
                try:
                    for uid, raw in session.fetch(uids[start : start + self._batch]):
                        outcome = self._inbound.receive(raw, source="imap", also=self._advance(folder, validity, uid))
                        done.append(uid)
                        states[outcome.state] += 1
                finally:
                    if done:
                        session.mark_imported(done)
            if first_look is not None:
                with self._uow_factory() as uow:
                    self._advance(folder, validity, first_look)(uow)
                    uow.commit()
        return _summary(states)

    def _advance(self, folder: str, validity: int, uid: int) -> Callable[[UnitOfWork], None]:
        def advance(uow: UnitOfWork) -> None:
            uow.mail_inbox.advance(folder, validity, uid, self._clock.now())

        return advance


def _summary(states: Counter[str]) -> str | None:
    n = sum(states.values())
    if not n:
        return None
    parts: Sequence[str] = [ngettext("{n} mail received", "{n} mails received", n).format(n=n)]
    waiting = states.get("unclassified", 0)
    if waiting:
        parts = [*parts, ngettext("{n} unclassified", "{n} unclassified", waiting).format(n=waiting)]
    return ", ".join(parts)
