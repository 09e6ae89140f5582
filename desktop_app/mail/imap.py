"""Reading the support mailbox over IMAP with IMAPClient.

The desk remembers the folder's UIDVALIDITY and the last UID it imported; a session lists the UIDs
above it, fetches each message with BODY.PEEK[] (so nothing is marked read before the import
commits) and, after the commit, flags it \\Seen plus the keyword "MakerSoporte". Nothing is ever
moved or deleted: the mailbox stays the staff's to tidy.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from imapclient import IMAPClient  # type: ignore[import-untyped]
from imapclient.exceptions import IMAPClientError, LoginError  # type: ignore[import-untyped]

from desktop_app.i18n import _
from desktop_app.mail.tls import client_context, connection_problem
from desktop_app.services.mail_ports import MailConnectionError, MailSecurity, ServerSettings

IMPORTED_KEYWORD = b"MakerSoporte"
_SEEN = b"\\Seen"
_BODY = b"BODY[]"


class ImapSession:
    """MailboxSession: one selected folder on one connection."""

    def __init__(self, client: IMAPClient, uidvalidity: int, *, batch_size: int, where: str) -> None:
        self._client = client
        self._uidvalidity = uidvalidity
        self._batch_size = max(1, batch_size)
        self._where = where

    @property
    def uidvalidity(self) -> int:
        return self._uidvalidity

    def uids_after(self, last_uid: int) -> list[int]:
        """The UIDs above `last_uid`, ascending. ("UID n:*" also names the last message when every
        UID is below n, per RFC 3501, hence the filter.)"""
        with self._errors():
            found = self._client.search(["UID", f"{max(0, last_uid) + 1}:*"])
        return sorted(uid for uid in found if uid > last_uid)

    def unseen_uids(self) -> list[int]:
        """The UIDs of the messages without \\Seen, ascending."""
        with self._errors():
            return sorted(self._client.search(["UNSEEN"]))

    def fetch(self, uids: Sequence[int]) -> Iterator[tuple[int, bytes]]:
        """(uid, raw bytes) of each message still there, in the order asked, without marking it seen.
        Fetched in batches so a large backlog neither holds one huge answer in memory nor waits for it."""
        wanted = list(dict.fromkeys(uids))
        for start in range(0, len(wanted), self._batch_size):
            batch = wanted[start : start + self._batch_size]
            with self._errors():
                answer = self._client.fetch(batch, ["BODY.PEEK[]"])
            for uid in batch:
                data = answer.get(uid)
                raw = data.get(_BODY) if data else None
                if isinstance(raw, bytes):  # a message expunged meanwhile is simply not there
                    yield uid, raw

    def mark_imported(self, uids: Sequence[int]) -> None:
        """\\Seen and the keyword "MakerSoporte" on each message (after its import committed)."""
        if not uids:
            return
        with self._errors():
            try:
                self._client.add_flags(list(uids), [_SEEN, IMPORTED_KEYWORD], silent=True)
            except IMAPClientError:
                # A server that keeps no custom keywords (PERMANENTFLAGS without \*): \Seen alone.
                self._client.add_flags(list(uids), [_SEEN], silent=True)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (IMAPClientError, OSError) as exc:
            raise MailConnectionError(
                _("The mailbox {where} stopped answering: {reason}").format(
                    where=self._where, reason=_server_words(exc)
                )
            ) from exc


class ImapMailbox:
    """Mailbox over IMAPClient.

    Args:
        timeout: seconds to wait for the server on each network operation.
        cafile: an extra certificate authority (PEM) to trust besides the system's.
        batch_size: messages per FETCH.
    """

    def __init__(self, *, timeout: float = 30.0, cafile: Path | None = None, batch_size: int = 25) -> None:
        self._timeout = timeout
        self._cafile = cafile
        self._batch_size = batch_size

    def check(self, server: ServerSettings, password: str, folder: str) -> None:
        """Connect, sign in and select the folder, then leave. Raises MailConnectionError."""
        with self.open(server, password, folder):
            pass

    @contextmanager
    def open(self, server: ServerSettings, password: str, folder: str) -> Iterator[ImapSession]:
        """Connect and select the folder read-write. Raises MailConnectionError."""
        client = self._connect(server, password)
        where = f"{server.host}:{server.port}/{folder}"
        try:
            try:
                selected: dict[bytes, Any] = client.select_folder(folder, readonly=False)
            except (IMAPClientError, OSError) as exc:
                raise MailConnectionError(
                    _("The folder {folder} could not be opened on {where}: {reason}").format(
                        folder=folder, where=f"{server.host}:{server.port}", reason=_server_words(exc)
                    )
                ) from exc
            uidvalidity = int(selected.get(b"UIDVALIDITY", 0))
            yield ImapSession(
                client,
                uidvalidity,
                batch_size=self._batch_size,
                where=where,
            )
        finally:
            _logout(client)

    def _connect(self, server: ServerSettings, password: str) -> IMAPClient:
        if not server.configured:
            raise MailConnectionError(_("The incoming mail server (IMAP) is not configured."))
        context = client_context(self._cafile)
        client: IMAPClient | None = None
        try:
            client = IMAPClient(
                server.host,
                port=server.port,
                ssl=server.security is MailSecurity.TLS,
                ssl_context=context if server.security is MailSecurity.TLS else None,
                timeout=self._timeout,
            )
            if server.security is MailSecurity.STARTTLS:
                if not client.has_capability("STARTTLS"):
                    raise MailConnectionError(
                        _(
                            "{where} does not offer STARTTLS, so the password would travel unprotected. "
                            "Choose TLS (usually port 993) or ask the mail provider."
                        ).format(where=f"{server.host}:{server.port}")
                    )
                client.starttls(ssl_context=context)
            if (server.user + password).isascii():
                client.login(server.user, password)
            else:
                # imaplib sends LOGIN's arguments as ASCII; AUTHENTICATE PLAIN carries UTF-8 (a
                # password with "ñ" or an accent).
                client.plain_login(server.user, password)
        except MailConnectionError:
            _logout(client)
            raise
        except LoginError as exc:
            _logout(client)
            raise MailConnectionError(
                _("The incoming mail server refused the user {user} or the password.").format(user=server.user)
            ) from exc
        except (IMAPClientError, OSError, ssl.SSLError) as exc:
            _logout(client)
            raise MailConnectionError(connection_problem(exc, server.host, server.port, self._timeout)) from exc
        return client


def _server_words(exc: BaseException) -> str:
    text = str(exc)
    return text.removeprefix("b'").removeprefix('b"').rstrip("'\"") or type(exc).__name__


def _logout(client: IMAPClient | None) -> None:
    if client is None:
        return
    try:
        client.logout()
    except (IMAPClientError, OSError):
        with suppress(IMAPClientError, OSError):
            client.shutdown()
