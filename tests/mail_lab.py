"""A real mail system on loopback for the tests: Dovecot 2.3 (IMAP) and aiosmtpd (SMTP), no mocks.

`make test` installs Dovecot (scripts/install_system_deps.sh: dovecot-core, dovecot-imapd); the
lab starts its own Dovecot in a temporary folder, rootless (as `nobody` when the tests run as
root, since Dovecot refuses to run its login processes as root), on free loopback ports. The SMTP
servers deliver each accepted mail into every recipient's Dovecot INBOX by IMAP APPEND, so mail
the app sends arrives in the customer's mailbox and mail "sent by the customer" arrives in the
support mailbox. Recipients without a lab mailbox are accepted and only recorded (the server
plays the company's relay, which passes mail on to the world).

Pytest: the session fixture `mail_lab` (one lab per xdist worker) and the function fixture
`mailboxes` (the same lab with every mailbox emptied and the SMTP faults reset) come from
tests/mail_fixtures.py.

API of `MailLab` (all hosts are "127.0.0.1"; the certificate also names "localhost"):
    host, imap_host, smtp_host  "127.0.0.1".
    imap_port                   IMAP, plain with STARTTLS offered; plaintext LOGIN allowed.
    imaps_port                  IMAP with TLS from the first byte.
    smtp_port                   SMTP, plain; AUTH PLAIN/LOGIN allowed without TLS, not required.
    smtp_starttls_port          SMTP that requires STARTTLS before anything (and before AUTH).
    smtps_port                  SMTP with TLS from the first byte.
    ca_path                     PEM file of the self-signed CA (trustme) that signed both servers'
                                certificate; `ssl_context()` is a client context trusting it. A
                                process started by a test (the CLI, the worker) trusts it with
                                SSL_CERT_FILE=<ca_path> in its environment (OpenSSL's default
                                verify paths; ssl.create_default_context() follows it).
    USERS / addresses()         the mailboxes: soporte@somosmaker.test (the support desk),
                                agente@somosmaker.test, cliente@cliente.test, otro@cliente.test,
                                extrano@otro.test, plus any `add_user(address, password=None)`.
    password(address)           the mailbox's password (IMAP and SMTP AUTH user = the address);
                                Dovecot answers a wrong one after up to 0.5 s.
    append(address, raw)        puts a mail straight into the INBOX, as if delivered.
    messages(address)           raw bytes of the INBOX's mails, oldest first (not marked seen).
    clear(address) / clear_all()  empties the INBOX and deletes every other folder.
    imap(address)               a logged-in IMAPClient on that mailbox (the caller logs out).
    accepted                    list of Accepted(mail_from, rcpt_tos, content, port, login): every
                                mail an SMTP endpoint took, in order.
    wait_for_messages(address, count, timeout=5.0)  the INBOX's mails once there are `count`.
    reject_recipient(address, reply="550 5.1.1 ...")  RCPT TO that address gets that reply.
    fail_data(reply | None)     every DATA gets that reply ("451 ..." or "554 ..."); None: normal.
    stop_smtp() / start_smtp()  SMTP down (connection refused) and back, on the same ports.
    stop_imap() / start_imap()  Dovecot down (connection refused; SMTP answers 451 to mail for a
                                lab mailbox meanwhile) and back, same ports, mailboxes kept.
    smtp_running / imap_running whether they are up.
    smtp_settings(user=SUPPORT, security=STARTTLS) / imap_settings(...)  the ServerSettings
                                (desktop_app.services.mail_ports) that point the app at this lab.
    reset()                     clear_all(), `accepted` emptied, faults off, IMAP and SMTP started.
    stop()                      everything down and the folder deleted.
    dovecot_log()               Dovecot's log so far (shown in the error when it fails to start).

Use it as `with MailLab() as lab:` or `lab = MailLab().start()` … `lab.stop()`. Delivery happens
before the SMTP server answers 250, so a mail is in the INBOX once smtplib returns. Figures on the
2-core test machine: start ~0.1 s, reset() ~10 ms, SMTP to INBOX ~2.5 ms a mail, stop ~10 ms.
"""

from __future__ import annotations

import contextlib
import grp
import logging
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from imapclient import IMAPClient

from desktop_app.services.mail_ports import MailSecurity, ServerSettings

_T = TypeVar("_T")
HOST = "127.0.0.1"
# The mailboxes every lab has, with their passwords (IMAP user and SMTP AUTH user = the address).
USERS: dict[str, str] = {
    "soporte@somosmaker.test": "soporte-clave-1",
    "agente@somosmaker.test": "agente-clave-1",
    "cliente@cliente.test": "cliente-clave-1",
    "otro@cliente.test": "otro-clave-1",
    "extrano@otro.test": "extrano-clave-1",
}
SUPPORT = "soporte@somosmaker.test"
INSTALL_HINT = "run scripts/install_system_deps.sh (`make test` runs it) to install Dovecot (dovecot-imapd)"


def _not_login_data_notice(record: logging.LogRecord) -> bool:
    # aiosmtpd 1.4 itself sets the deprecated Session.login_data on every AUTH and logs about it.
    return "login_data is deprecated" not in record.getMessage()


logging.getLogger("mail.log").addFilter(_not_login_data_notice)


@dataclass(frozen=True)
class Accepted:
    """One mail an SMTP endpoint took: the envelope, the bytes, which port, who signed in ("" none)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    port: int
    login: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


# Debian installs it in /usr/sbin, which a non-root PATH often lacks.
DOVECOT_PATHS = ("/usr/sbin/dovecot",)


def dovecot_binary() -> str:
    """Dovecot's path; RuntimeError saying how to install it when it is missing."""
    found = shutil.which("dovecot") or next((path for path in DOVECOT_PATHS if os.path.exists(path)), None)
    if not found:
        raise RuntimeError(f"Dovecot is not installed: {INSTALL_HINT}")
    return found


def _close_quietly(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:
        with contextlib.suppress(Exception):
            client.shutdown()


class _Handler:
    """aiosmtpd handler: checks AUTH against the lab's mailboxes, delivers by IMAP APPEND."""

    def __init__(self, lab: MailLab, port: int) -> None:
        self._lab = lab
        self._port = port

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        reply = self._lab._rejected.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_MAIL(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        if self._lab._drop_after is not None:
            self._lab._drop_after -= 1
        if self._lab._drop_after is not None and self._lab._drop_after < 0:
            # The server goes away in the middle of a conversation: the connection is cut, no answer.
            self._lab._drop_after = None
            server.transport.abort()
            return "421 4.3.2 Connection dropped"  # never arrives: the transport is gone
        limit = self._lab._per_connection
        if limit is not None:
            # A server that takes only so many mails per connection (many providers do).
            carried = getattr(session, "lab_carried", 0)
            if carried >= limit[0]:
                return limit[1]
            session.lab_carried = carried + 1  # type: ignore[attr-defined]
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        if self._lab._data_reply:
            return self._lab._data_reply
        content = envelope.original_content or b""
        for rcpt in envelope.rcpt_tos:
            if rcpt.lower() in self._lab._users:
                # Blocking IMAP in the server's loop: one delivery at a time, which a test server can afford.
                try:
                    self._lab._deliver(rcpt.lower(), content)
                except Exception:
                    return "451 4.3.0 Mailbox unavailable, try again later"
        login = session.auth_data
        self._lab.accepted.append(
            Accepted(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                content=content,
                port=self._port,
                login=login.decode() if isinstance(login, bytes) else str(login or ""),
            )
        )
        return "250 2.0.0 OK: queued"


class MailLab:
    """Dovecot and aiosmtpd on loopback, in a temporary folder (see the module docstring)."""

    host = HOST
    imap_host = HOST
    smtp_host = HOST

    def __init__(self) -> None:
        self._users: dict[str, str] = dict(USERS)
        self.accepted: list[Accepted] = []
        self._rejected: dict[str, str] = {}
        self._data_reply: str | None = None
        self._per_connection: tuple[int, str] | None = None
        self._drop_after: int | None = None
        self.sign_ins = 0  # successful AUTHs: one per SMTP connection that signed in
        self._controllers: list[Controller] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._client_lock = threading.Lock()
        self._clients: dict[str, IMAPClient] = {}
        self.folder = Path(tempfile.mkdtemp(prefix="makersupport-mail-"))
        self.imap_port = _free_port()
        self.imaps_port = _free_port()
        self.smtp_port = _free_port()
        self.smtp_starttls_port = _free_port()
        self.smtps_port = _free_port()
        # Dovecot refuses to run its login processes as root: as root, everything runs as `nobody`.
        self._as_nobody = os.geteuid() == 0
        account = pwd.getpwnam("nobody") if self._as_nobody else pwd.getpwuid(os.geteuid())
        self._user, self._uid, self._gid = account.pw_name, account.pw_uid, account.pw_gid
        self._group = grp.getgrgid(self._gid).gr_name
        self._ca = trustme.CA()
        self._server_cert = self._ca.issue_cert("localhost", HOST, "mail.somosmaker.test")
        self.ca_path = self.folder / "ca.pem"

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> MailLab:
        """Start Dovecot and the SMTP endpoints; returns once every port answers."""
        try:
            self._write_files()
            self._start_dovecot()
            self.start_smtp()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Everything down and the folder deleted; safe to call twice."""
        self.stop_smtp()
        self.stop_imap()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> MailLab:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # -- Dovecot ------------------------------------------------------------------------------

    def _write_files(self) -> None:
        self._ca.cert_pem.write_to_path(str(self.ca_path))
        self._server_cert.cert_chain_pems[0].write_to_path(str(self.folder / "server.pem"))
        self._server_cert.private_key_pem.write_to_path(str(self.folder / "server.key"))
        for name in ("base", "state", "home", "users"):
            (self.folder / name).mkdir()
        for address in self._users:
            self._write_passwd(address)
        (self.folder / "dovecot.conf").write_text(self._config(), encoding="utf-8")
        if self._as_nobody:
            for path in [self.folder, *self.folder.rglob("*")]:
                os.chown(path, self._uid, self._gid)

    def _write_passwd(self, address: str) -> None:
        # One passwd file per mailbox: Dovecot rereads a changed passwd file at most once a second,
        # but opens a file it has not seen at once, so a mailbox added mid-test works at once.
        passwd = self.folder / "users" / address
        scratch = passwd.with_name(f".{address}.new")
        scratch.write_text(f"{address}:{{PLAIN}}{self._users[address]}::::::\n", encoding="utf-8")
        scratch.chmod(0o644)
        scratch.replace(passwd)  # atomic: the auth process never reads half a file
        if self._as_nobody:
            os.chown(passwd, self._uid, self._gid)

    def _config(self) -> str:
        folder = self.folder
        return f"""\
base_dir = {folder}/base
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = {HOST}
ssl = yes
ssl_cert = <{folder}/server.pem
ssl_key = <{folder}/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Lu
# A wrong password is answered within 0.5 s (Dovecot's failure timer) instead of 2 s: tests try wrong ones.
auth_failure_delay = 0
default_internal_user = {self._user}
default_internal_group = {self._group}
default_login_user = {self._user}
first_valid_uid = {self._uid}
first_valid_gid = {self._gid}
mail_location = maildir:~/Maildir
mail_fsync = never
mail_max_userip_connections = 1000
login_greeting = makeR lab IMAP ready
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu {folder}/users/%Lu
}}
userdb {{
  driver = static
  args = uid={self._uid} gid={self._gid} home={folder}/home/%Ld/%Ln
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {HOST}
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {self.imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  # No growing penalty for an address that failed to sign in (every test comes from 127.0.0.1).
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0600
  }}
  unix_listener stats-writer {{
    mode = 0600
  }}
}}
"""

    def dovecot_log(self) -> str:
        """Dovecot's log so far ("" when there is none)."""
        try:
            return (self.folder / "dovecot.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    @property
    def imap_running(self) -> bool:
        return self._process is not None

    def start_imap(self) -> None:
        """Start Dovecot again after stop_imap(), same ports, mailboxes as they were (no-op when running)."""
        if self._process is None:
            self._start_dovecot()

    def stop_imap(self) -> None:
        """Stop Dovecot: connecting is refused until start_imap(); the mailboxes stay on disk.

        Delivery by the SMTP servers fails meanwhile (they answer 451), as a real one would.
        """
        self._close_clients()
        process, self._process = self._process, None
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is not None:
            watchdog.kill()
            watchdog.wait(timeout=10)
            if watchdog.stdin is not None:
                watchdog.stdin.close()
        if process is not None:
            was_running = process.poll() is None
            # SIGKILL to the whole group: a clean SIGTERM costs Dovecot a second or two, and a
            # killed Dovecot loses nothing a test needs (maildir is written before APPEND answers).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            # The group's other members die a moment later: wait until the ports refuse, and drop
            # the pid file, which would make the next start think the old master still runs.
            deadline = time.monotonic() + 5
            while was_running and (self._answers(self.imap_port, None) or self._answers(self.imaps_port, None)):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.01)
            (self.folder / "base" / "master.pid").unlink(missing_ok=True)

    def _start_dovecot(self) -> None:
        command = [dovecot_binary(), "-c", str(self.folder / "dovecot.conf"), "-F"]
        if self._as_nobody:
            command = ["runuser", "-u", self._user, "--", *command]
        output = self.folder / "dovecot.out"
        with open(output, "ab") as sink:
            # Its own process group: stop_imap() ends the master and every child it started at once.
            self._process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        # If this test process dies without stopping the lab (kill -9, a crashed xdist worker), the
        # watchdog reads end-of-file on its stdin, kills Dovecot's group and deletes the folder.
        self._watchdog = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import os, shutil, sys; sys.stdin.buffer.read(); "
                f"os.killpg({self._process.pid}, 9); shutil.rmtree({str(self.folder)!r}, ignore_errors=True)",
            ],
            stdin=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while True:
            if self._process.poll() is not None:
                self._fail(f"Dovecot exited with code {self._process.returncode}")
            if self._answers(self.imap_port, b"* OK") and self._answers(self.imaps_port, None):
                return
            if time.monotonic() > deadline:
                self._fail("Dovecot did not answer within 15 s")
            time.sleep(0.02)

    def _fail(self, why: str) -> None:
        printed = (self.folder / "dovecot.out").read_text(encoding="utf-8", errors="replace")
        raise RuntimeError(
            f"{why} ({self.folder / 'dovecot.conf'}).\n--- output ---\n{printed}\n--- dovecot.log ---\n"
            f"{self.dovecot_log()}"
        )

    @staticmethod
    def _answers(port: int, greeting: bytes | None) -> bool:
        try:
            with socket.create_connection((HOST, port), timeout=1) as connection:
                if greeting is None:
                    return True
                return connection.recv(64).startswith(greeting)
        except OSError:
            return False

    # -- mailboxes ----------------------------------------------------------------------------

    def addresses(self) -> list[str]:
        return list(self._users)

    def password(self, address: str) -> str:
        return self._users[address.lower()]

    def add_user(self, address: str, password: str | None = None) -> str:
        """A new mailbox (usable at once: Dovecot rereads the passwd file); returns its password."""
        address = address.lower()
        self._users[address] = password or f"{address.split('@')[0]}-clave-1"
        self._write_passwd(address)
        return self._users[address]

    def imap(self, address: str) -> IMAPClient:
        """A logged-in IMAP connection on the mailbox (plain port); the caller logs out."""
        client = IMAPClient(HOST, port=self.imap_port, ssl=False, timeout=10)
        password = self.password(address)
        if password.isascii():
            client.login(address.lower(), password)
        else:  # imaplib sends LOGIN as ASCII; AUTHENTICATE PLAIN carries UTF-8 ("ñ", accents)
            client.plain_login(address.lower(), password)
        return client

    def append(self, address: str, raw: bytes) -> None:
        """Put a mail straight into the mailbox's INBOX, unseen, as if it had been delivered."""
        self._with_client(address, lambda client: client.append("INBOX", raw))

    def messages(self, address: str) -> list[bytes]:
        """The raw mails in the INBOX, oldest first; they stay unseen."""

        def read(client: IMAPClient) -> list[bytes]:
            client.select_folder("INBOX", readonly=True)
            uids = sorted(client.search("ALL"))
            fetched = client.fetch(uids, [b"BODY.PEEK[]"]) if uids else {}
            client.unselect_folder()
            return [bytes(fetched[uid][b"BODY[]"]) for uid in uids]

        return self._with_client(address, read)

    def wait_for_messages(self, address: str, count: int, timeout: float = 5.0) -> list[bytes]:
        """The INBOX's mails once there are at least `count` (AssertionError after `timeout` s)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(address)
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"{address} has {len(found)} mails, expected {count}"
                return found
            time.sleep(0.05)

    def clear(self, address: str) -> None:
        """Empty the INBOX and delete every other folder of the mailbox."""

        def empty(client: IMAPClient) -> None:
            for _flags, _delimiter, name in client.list_folders():
                if name.upper() != "INBOX":
                    client.delete_folder(name)
            status = client.select_folder("INBOX")
            if status.get(b"EXISTS"):
                client.set_flags("1:*", [b"\\Deleted"], silent=True)
                client.expunge()
            client.unselect_folder()

        self._with_client(address, empty)

    def clear_all(self) -> None:
        for address in self._users:
            self.clear(address)

    def _deliver(self, address: str, raw: bytes) -> None:
        self._with_client(address, lambda client: client.append("INBOX", raw))

    def _with_client(self, address: str, work: Callable[[IMAPClient], _T]) -> _T:
        # One cached connection per mailbox (a login costs more than the work), used by one
        # thread at a time (tests and the SMTP servers' deliveries); retried once on a fresh
        # connection when the cached one went stale (Dovecot's idle logout, a test that broke it).
        address = address.lower()
        with self._client_lock:
            for attempt in (1, 2):
                client = self._clients.get(address)
                try:
                    if client is None:
                        client = self._clients[address] = self.imap(address)
                    return work(client)
                except (OSError, IMAPClient.AbortError, IMAPClient.Error):
                    broken = self._clients.pop(address, None)
                    if broken is not None:
                        _close_quietly(broken)
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")

    def _close_clients(self) -> None:
        with self._client_lock:
            clients, self._clients = self._clients, {}
        for client in clients.values():
            _close_quietly(client)

    # -- what the app is configured with --------------------------------------------------------

    def smtp_settings(self, user: str = SUPPORT, security: MailSecurity = MailSecurity.STARTTLS) -> ServerSettings:
        """The app's SMTP settings for this lab: the port that speaks `security`, signing in as `user`."""
        ports = {
            MailSecurity.NONE: self.smtp_port,
            MailSecurity.STARTTLS: self.smtp_starttls_port,
            MailSecurity.TLS: self.smtps_port,
        }
        return ServerSettings(host=HOST, port=ports[security], security=security, user=user)

    def imap_settings(self, user: str = SUPPORT, security: MailSecurity = MailSecurity.STARTTLS) -> ServerSettings:
        """The app's IMAP settings for this lab (STARTTLS and NONE share the plain port)."""
        port = self.imaps_port if security is MailSecurity.TLS else self.imap_port
        return ServerSettings(host=HOST, port=port, security=security, user=user)

    # -- TLS ----------------------------------------------------------------------------------

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts the lab's CA (and nothing else)."""
        context = ssl.create_default_context(cafile=str(self.ca_path))
        return context

    def _server_ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._server_cert.configure_cert(context)
        return context

    # -- SMTP ---------------------------------------------------------------------------------

    @property
    def smtp_running(self) -> bool:
        return bool(self._controllers)

    def start_smtp(self) -> None:
        """Start the three SMTP endpoints on their ports (no-op when running)."""
        if self._controllers:
            return
        common: dict[str, Any] = {
            "hostname": HOST,
            "server_hostname": "mail.somosmaker.test",
            "authenticator": self._authenticate,
            "auth_required": False,
        }
        endpoints = [
            Controller(_Handler(self, self.smtp_port), port=self.smtp_port, auth_require_tls=False, **common),
            Controller(
                _Handler(self, self.smtp_starttls_port),
                port=self.smtp_starttls_port,
                tls_context=self._server_ssl_context(),
                require_starttls=True,
                **common,
            ),
            Controller(
                _Handler(self, self.smtps_port),
                port=self.smtps_port,
                ssl_context=self._server_ssl_context(),
                # TLS from the first byte, which aiosmtpd's AUTH-needs-TLS check does not see.
                auth_require_tls=False,
                **common,
            ),
        ]
        try:
            for controller in endpoints:
                controller.start()
                self._controllers.append(controller)
        except BaseException:
            self.stop_smtp()
            raise

    def stop_smtp(self) -> None:
        """Stop the SMTP endpoints: connecting is refused until start_smtp()."""
        controllers, self._controllers = self._controllers, []
        for controller in controllers:
            controller.stop()

    def _authenticate(
        self, server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode("utf-8", "replace").lower()
            password = auth_data.password.decode("utf-8", "replace")
            if self._users.get(login) == password:
                self.sign_ins += 1
                return AuthResult(success=True, auth_data=auth_data.login)
        return AuthResult(success=False, handled=False)

    def reject_recipient(self, address: str, reply: str = "550 5.1.1 No such user here") -> None:
        """RCPT TO `address` gets `reply` (a 5xx refuses for good, a 4xx asks to try later)."""
        self._rejected[address.lower()] = reply

    def fail_data(self, reply: str | None) -> None:
        """Every DATA gets `reply` (e.g. "451 4.3.0 Try again later"); None: accept again."""
        self._data_reply = reply

    def limit_per_connection(self, count: int | None, reply: str = "421 4.7.0 Too many messages, reconnect") -> None:
        """MAIL FROM gets `reply` after `count` mails on one connection; None: no limit."""
        self._per_connection = None if count is None else (count, reply)

    def drop_connection(self, after: int = 0) -> None:
        """After `after` more mails (MAIL FROM, any connection), the next one is met by cutting its
        connection, unanswered; once."""
        self._drop_after = after

    def reset(self) -> None:
        """Between tests: every mailbox empty, `accepted` empty, no faults, SMTP up."""
        self._rejected.clear()
        self._data_reply = None
        self._per_connection = None
        self._drop_after = None
        self.sign_ins = 0
        self.accepted.clear()
        self.start_imap()
        self.start_smtp()
        self.clear_all()
