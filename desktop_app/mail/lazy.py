"""The SMTP and IMAP adapters as start-up wires them: smtplib, ssl and IMAPClient are imported when
the first mail is sent or the mailbox first read, not when the window opens (most sessions on a
desk without mail configured never do either). Each stand-in builds the real adapter on first use
and passes every call straight to it, like documents/lazy.py does for ReportLab.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.mail.imap import ImapMailbox
    from desktop_app.mail.reading import StdlibMailReader
    from desktop_app.mail.smtp import SmtpTransport
    from desktop_app.services.mail_ports import MailboxSession, MailSender, ParsedMail, ServerSettings


class LazySmtpTransport:
    """The services' MailTransport port (SmtpTransport on first use)."""

    def __init__(self, *, cafile: Path | None = None) -> None:
        self._cafile = cafile
        self._real: SmtpTransport | None = None

    def _transport(self) -> SmtpTransport:
        if self._real is None:
            from desktop_app.mail.smtp import SmtpTransport

            self._real = SmtpTransport(cafile=self._cafile)
        return self._real

    def check(self, server: ServerSettings, password: str) -> None:
        self._transport().check(server, password)

    def send(self, server: ServerSettings, password: str, sender: str, recipients: Sequence[str], raw: bytes) -> None:
        self._transport().send(server, password, sender, recipients, raw)

    def open(self, server: ServerSettings, password: str) -> AbstractContextManager[MailSender]:
        return self._transport().open(server, password)


class LazyImapMailbox:
    """The services' Mailbox port (ImapMailbox on first use)."""

    def __init__(self, *, cafile: Path | None = None) -> None:
        self._cafile = cafile
        self._real: ImapMailbox | None = None

    def _mailbox(self) -> ImapMailbox:
        if self._real is None:
            from desktop_app.mail.imap import ImapMailbox

            self._real = ImapMailbox(cafile=self._cafile)
        return self._real

    def check(self, server: ServerSettings, password: str, folder: str) -> None:
        self._mailbox().check(server, password, folder)

    def open(self, server: ServerSettings, password: str, folder: str) -> AbstractContextManager[MailboxSession]:
        return self._mailbox().open(server, password, folder)


class LazyMailReader:
    """The services' MailReader port (StdlibMailReader on first use: the e-mail parser,
    charset-normalizer and nh3 load when the first mail is read)."""

    def __init__(self) -> None:
        self._real: StdlibMailReader | None = None

    def parse(self, raw: bytes) -> ParsedMail:
        if self._real is None:
            from desktop_app.mail.reading import StdlibMailReader

            self._real = StdlibMailReader()
        return self._real.parse(raw)
