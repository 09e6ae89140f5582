"""Sending over SMTP with smtplib: TLS from the first byte, STARTTLS, or (on this computer) plain.

STARTTLS is never skipped: a server that does not offer it is an error, not a reason to send the
password in clear. A refusal the server means for good (a 5xx: no such mailbox, message refused)
is a permanent MailDeliveryError; anything else (server down, busy, 4xx) is temporary and the
outbox tries again later.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from desktop_app.i18n import _
from desktop_app.mail.tls import client_context, connection_problem
from desktop_app.services.mail_ports import MailConnectionError, MailDeliveryError, MailSecurity, ServerSettings

log = logging.getLogger(__name__)


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())


def _sign_in(client: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib encodes the credentials as ASCII, so a password with "ñ" or an accent would raise
    UnicodeEncodeError; such credentials go as AUTH PLAIN in UTF-8 (RFC 4616) instead."""
    if (user + password).isascii():
        client.login(user, password)
        return
    if not client.has_extn("auth") or "PLAIN" not in client.esmtp_features.get("auth", "").upper().split():
        raise MailConnectionError(
            _(
                "The outgoing mail server does not accept a password with accents or ñ (it does not offer AUTH "
                "PLAIN). Change the password to one without them, or ask the mail provider."
            )
        )
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, reply = client.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


class SmtpTransport:
    """MailTransport over smtplib.

    Args:
        timeout: seconds to wait for the server on each network operation.
        cafile: an extra certificate authority (PEM) to trust besides the system's, e.g. a company's
            own or the test lab's; certificates are verified in any case.
        local_hostname: the name given in EHLO (None: this computer's name).
    """

    def __init__(self, *, timeout: float = 30.0, cafile: Path | None = None, local_hostname: str | None = None) -> None:
        self._timeout = timeout
        self._cafile = cafile
        self._local_hostname = local_hostname
        # Loading the trusted authorities costs ~60 ms: once per transport, not once per mail.
        self._context: ssl.SSLContext | None = None

    def _tls_context(self) -> ssl.SSLContext:
        if self._context is None:
            self._context = client_context(self._cafile)
        return self._context

    def check(self, server: ServerSettings, password: str) -> None:
        """Connect, protect and sign in, then leave. Raises MailConnectionError."""
        client = self._connect(server, password)
        self._quit(client)

    def send(self, server: ServerSettings, password: str, sender: str, recipients: Sequence[str], raw: bytes) -> None:
        """Hand one mail to the server over a connection of its own. Raises MailDeliveryError
        (permanent for a 5xx)."""
        with self.open(server, password) as session:
            session.send(sender, recipients, raw)

    @contextmanager
    def open(self, server: ServerSettings, password: str) -> Iterator[SmtpSession]:
        """A session for a delivery round: one connection (TCP, TLS, sign-in) for many mails
        instead of one per mail; QUIT when the block ends."""
        session = SmtpSession(self, server, password)
        try:
            yield session
        finally:
            session.close()

    def _connect(self, server: ServerSettings, password: str) -> smtplib.SMTP:
        if not server.configured:
            raise MailConnectionError(_("The outgoing mail server (SMTP) is not configured."))
        client: smtplib.SMTP | None = None
        try:
            if server.security is MailSecurity.TLS:
                client = smtplib.SMTP_SSL(
                    server.host,
                    server.port,
                    local_hostname=self._local_hostname,
                    timeout=self._timeout,
                    context=self._tls_context(),
                )
            else:
                client = smtplib.SMTP(
                    server.host, server.port, local_hostname=self._local_hostname, timeout=self._timeout
                )
            client.ehlo()
            if server.security is MailSecurity.STARTTLS:
                if not client.has_extn("starttls"):
                    raise MailConnectionError(
                        _(
                            "{where} does not offer STARTTLS, so the password would travel unprotected. "
                            "Choose TLS (usually port 465) or ask the mail provider."
                        ).format(where=f"{server.host}:{server.port}")
                    )
                client.starttls(context=self._tls_context())
                client.ehlo()
            if server.user:
                _sign_in(client, server.user, password)
        except MailConnectionError:
            self._quit(client)
            raise
        except smtplib.SMTPAuthenticationError as exc:
            self._quit(client)
            raise MailConnectionError(
                _("The outgoing mail server refused the user {user} or the password.").format(user=server.user)
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            self._quit(client)
            raise MailConnectionError(
                _("{where} does not accept signing in (AUTH). Leave the user empty or check the port.").format(
                    where=f"{server.host}:{server.port}"
                )
            ) from exc
        except smtplib.SMTPResponseException as exc:
            self._quit(client)
            raise MailConnectionError(
                _("The outgoing mail server answered: {code} {reply}").format(
                    code=exc.smtp_code, reply=_reply_text(exc.smtp_error)
                )
            ) from exc
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            self._quit(client)
            raise MailConnectionError(connection_problem(exc, server.host, server.port, self._timeout)) from exc
        return client

    @staticmethod
    def _quit(client: smtplib.SMTP | None) -> None:
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


class _Dropped(Exception):
    """The connection went away (or the server closed it with 421, or stopped taking mail on it)
    before the mail was handed over: sending it again on a new connection cannot make a copy."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class SmtpSession:
    """MailSender: mails over one SMTP connection, made at the first mail.

    When the connection is found gone or the server will not take another mail on it (421, or a
    4xx to MAIL FROM on a connection that already carried mail: a per-connection limit), the mail is
    tried once more on a new connection. A connection that breaks while the mail's data is on its way
    is not tried again here (the server may have taken it): the mail's attempt fails as a temporary
    error and the outbox decides, as with one connection per mail.
    """

    def __init__(self, transport: SmtpTransport, server: ServerSettings, password: str) -> None:
        self._transport = transport
        self._server = server
        self._password = password
        self._client: smtplib.SMTP | None = None
        self._carried = 0  # mails the current connection took

    def send(self, sender: str, recipients: Sequence[str], raw: bytes) -> None:
        """Hand one mail to the server. Raises MailDeliveryError (permanent for a 5xx)."""
        if not recipients:
            raise MailDeliveryError(_("The mail has no recipient."), permanent=True)
        fresh = self._client is None
        try:
            self._send_once(sender, recipients, raw)
        except _Dropped as dropped:
            self._drop()
            if fresh:
                # A connection made for this very mail was refused it: nothing to gain by another.
                raise self._as_delivery_error(dropped.cause) from dropped.cause
            log.info(
                "SMTP %s:%s connection ended (%s); connecting again",
                self._server.host,
                self._server.port,
                dropped,
            )
            try:
                self._send_once(sender, recipients, raw)
            except _Dropped as again:
                self._drop()
                raise self._as_delivery_error(again.cause) from again.cause

    def close(self) -> None:
        """QUIT (or just close) the connection, if any."""
        self._drop()

    def _drop(self) -> None:
        client, self._client = self._client, None
        self._carried = 0
        SmtpTransport._quit(client)

    def _send_once(self, sender: str, recipients: Sequence[str], raw: bytes) -> None:
        if self._client is None:
            try:
                self._client = self._transport._connect(self._server, self._password)
            except MailConnectionError as exc:
                raise MailDeliveryError(exc.message) from exc
        client = self._client
        # smtplib.sendmail's steps, taken one by one so a failure is known to come before the data
        # (safe to send again) or while the data was on its way (it may have arrived).
        try:
            code, reply = client.mail(sender)
            if code != 250:
                if code == 421 or (400 <= code < 500 and self._carried > 0):
                    raise _Dropped(smtplib.SMTPSenderRefused(code, reply, sender))
                self._reset(client)
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            refused: dict[str, tuple[int, bytes]] = {}
            for address in recipients:
                code, reply = client.rcpt(address)
                if code == 421:
                    raise _Dropped(smtplib.SMTPRecipientsRefused({address: (code, reply)}))
                if code not in (250, 251):
                    refused[address] = (code, reply)
            if len(refused) == len(recipients):
                self._reset(client)
                raise smtplib.SMTPRecipientsRefused(refused)
        except smtplib.SMTPServerDisconnected as exc:
            raise _Dropped(exc) from exc
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
            raise self._as_delivery_error(exc) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise _Dropped(exc) from exc
        try:
            code, reply = client.data(raw)
        except smtplib.SMTPResponseException as exc:  # a refusal of DATA itself: nothing was taken
            if exc.smtp_code == 421:
                raise _Dropped(exc) from exc
            self._reset(client)
            raise self._as_delivery_error(exc) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Gone while the data was on its way: the server may have it; not sent again here.
            self._drop()
            raise self._as_delivery_error(exc) from exc
        if code != 250:
            if code == 421:
                raise _Dropped(smtplib.SMTPDataError(code, reply))
            self._reset(client)
            raise self._as_delivery_error(smtplib.SMTPDataError(code, reply))
        self._carried += 1
        if refused:
            # Some recipients took it: sending again would give them a second copy, so it counts as
            # sent; the refused ones are logged (addresses only, never the content).
            log.warning("SMTP %s:%s refused some recipients: %s", self._server.host, self._server.port, sorted(refused))

    def _reset(self, client: smtplib.SMTP) -> None:
        """RSET after a refusal so the connection can carry the next mail; drop it if that fails."""
        try:
            client.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _as_delivery_error(self, exc: BaseException) -> MailDeliveryError:
        if isinstance(exc, MailDeliveryError):
            return exc
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            codes = [code for code, _reply in exc.recipients.values()]
            details = "; ".join(
                f"{address}: {code} {_reply_text(reply)}" for address, (code, reply) in exc.recipients.items()
            )
            return MailDeliveryError(
                _("The server refused every recipient ({details}).").format(details=details),
                permanent=all(500 <= code < 600 for code in codes),
            )
        if isinstance(exc, smtplib.SMTPResponseException):
            # SMTPSenderRefused, SMTPDataError and the rest carry the server's code.
            return MailDeliveryError(
                _("The server did not take the mail: {code} {reply}").format(
                    code=exc.smtp_code, reply=_reply_text(exc.smtp_error)
                ),
                permanent=500 <= exc.smtp_code < 600,
            )
        return MailDeliveryError(
            connection_problem(exc, self._server.host, self._server.port, self._transport._timeout)
        )
