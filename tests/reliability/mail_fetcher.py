"""The support mailbox read by the real services, for the fetch tests and their child processes.

    python -m tests.reliability.mail_fetcher DB_URL DATA_DIR IMAP_HOST IMAP_PORT USER PASSWORD

fetches the mailbox until nothing new is left, printing one line per round (what it imported), so a
parent can kill it with SIGKILL at any moment.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop_app.bootstrap import Services, build_services
from desktop_app.config import Settings
from desktop_app.domain.permissions import SYSTEM
from desktop_app.mail.imap import ImapMailbox
from desktop_app.mail.reading import StdlibMailReader
from desktop_app.services.mail.fetching import MailFetching
from desktop_app.services.mail.inbound import MailInbound
from desktop_app.services.mail_dto import MailSettings
from desktop_app.services.mail_ports import MailSecurity, ServerSettings


class FixedSecrets:
    """A SecretStore that knows one password (no keyring in a test process)."""

    def __init__(self, password: str) -> None:
        self._password = password

    def get(self, key: str) -> str | None:
        return self._password

    def put(self, key: str, value: str) -> bool:
        return False

    def delete(self, key: str) -> None:
        return None


def fetcher(
    services: Services, imap: ServerSettings, password: str, folder: str = "INBOX", *, batch: int = 50
) -> MailFetching:
    """A MailFetching over the real services, the real IMAP adapter and the real reader."""
    core = services.tickets._core
    inbound = MailInbound(services.uow_factory, services.policy, core.clock, core.attachments, StdlibMailReader())
    settings = MailSettings(imap=imap, folder=folder, fetching_enabled=True)
    return MailFetching(
        services.uow_factory,
        core.clock,
        inbound,
        ImapMailbox(timeout=10),
        FixedSecrets(password),
        lambda: settings,
        batch=batch,
    )


def main(url: str, data_dir: str, host: str, port: str, user: str, password: str) -> None:
    services = build_services(Settings(db_url=url, data_dir=Path(data_dir)), migrate=False)
    imap = ServerSettings(host=host, port=int(port), security=MailSecurity.NONE, user=user)
    fetch = fetcher(services, imap, password, batch=5)
    while True:
        done = fetch.fetch(actor=SYSTEM)
        print(done or "-", flush=True)
        if done is None:
            break


if __name__ == "__main__":
    main(*sys.argv[1:7])
