"""The TLS context both mail connections use, and the words for a failed connection.

Certificates are always verified (the system's trusted authorities, plus one extra CA file when
given: a company's own authority, or the test lab's). There is no "accept any certificate" switch:
a mail password must never go to a server that only claims to be the company's.
"""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

from desktop_app.i18n import _


def client_context(cafile: Path | None = None) -> ssl.SSLContext:
    """A client context that verifies the server's certificate and name (TLS 1.2 at least)."""
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cafile is not None:
        context.load_verify_locations(cafile=str(cafile))
    return context


def connection_problem(exc: BaseException, host: str, port: int, timeout: float) -> str:
    """What went wrong reaching a mail server, in words for the person who configures it."""
    where = f"{host}:{port}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _("The certificate of {where} could not be verified ({reason}): the connection was not made.").format(
            where=where, reason=exc.verify_message or exc.reason or str(exc)
        )
    if isinstance(exc, ssl.SSLError):
        return _(
            "The secure connection with {where} failed ({reason}). "
            "Check the security setting (TLS or STARTTLS) and the port."
        ).format(where=where, reason=exc.reason or str(exc))
    if isinstance(exc, socket.gaierror):
        return _("The server {host} was not found. Check the address.").format(host=host)
    if isinstance(exc, TimeoutError):  # socket.timeout is TimeoutError
        return _("{where} did not answer within {seconds} seconds.").format(where=where, seconds=round(timeout))
    if isinstance(exc, ConnectionRefusedError):
        return _("{where} refused the connection. Check the port, or whether the server is running.").format(
            where=where
        )
    return _("The connection with {where} failed: {reason}").format(where=where, reason=str(exc) or type(exc).__name__)
