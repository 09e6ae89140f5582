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
from collections.abc import Sequence
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
        """Hand one mail to the server. Raises MailDeliveryError (permanent for a 5xx)."""
        if not recipients:
            raise MailDeliveryError(_("The mail has no recipient."), permanent=True)
        try:
            client = self._connect(server, password)
        except MailConnectionError as exc:
            raise MailDeliveryError(exc.message) from exc
        try:
            refused = client.sendmail(sender, list(recipients), raw)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _reply in exc.recipients.values()]
            details = "; ".join(
                f"{address}: {code} {_reply_text(reply)}" for address, (code, reply) in exc.recipients.items()
            )
            raise MailDeliveryError(
                _("The server refused every recipient ({details}).").format(details=details),
                permanent=all(500 <= code < 600 for code in codes),
            ) from exc
        except smtplib.SMTPResponseException as exc:
            # SMTPSenderRefused, SMTPDataError and the rest carry the server's code.
            raise MailDeliveryError(
                _("The server did not take the mail: {code} {reply}").format(
                    code=exc.smtp_code, reply=_reply_text(exc.smtp_error)
                ),
                permanent=500 <= exc.smtp_code < 600,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailDeliveryError(
                connection_problem(exc, server.host, server.port, self._timeout),
            ) from exc
        finally:
            self._quit(client)
        if refused:
            # Some recipients took it: sending again would give them a second copy, so it counts as
            # sent; the refused ones are logged (addresses only, never the content).
            log.warning("SMTP %s:%s refused some recipients: %s", server.host, server.port, sorted(refused))

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
