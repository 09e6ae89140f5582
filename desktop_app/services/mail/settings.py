"""The mail settings (administrators): the SMTP and IMAP servers, the sender, the Message-ID domain,
the reopening window (R14), and "Probar conexión".

Passwords never reach the database, a file or a log: they go to the SecretStore (the OS keyring;
MAKERSUPPORT_MAIL_PASSWORD where there is none), under ServerSettings.secret_key. The settings row
keeps the HMAC key of our Message-IDs (made with `secrets` on the first save, never shown).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from datetime import datetime

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.errors import PermissionDeniedError, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.mail_dto import MailCheck, MailSettings
from desktop_app.services.mail_ports import (
    Mailbox,
    MailConnectionError,
    MailSecurity,
    MailTransport,
    SecretStore,
    ServerSettings,
)
from desktop_app.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from desktop_app.services.text_input import clean_line

# A host name (RFC 1123 labels) or an IPv4/IPv6 address as typed.
_HOST = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*",
    re.ASCII,
)
_IP = re.compile(r"[0-9A-Fa-f:.]{2,45}", re.ASCII)
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?", re.ASCII)
# The local part of an address as mail programs write it: printable ASCII, no blanks, no brackets.
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}", re.ASCII)
MAX_REOPEN_DAYS = 365
SIGNING_SECRET_BYTES = 32


def valid_address(address: str) -> bool:
    """Whether a text is one mail address this desk can write ("soporte@somosmaker.com")."""
    local, at, domain = address.rpartition("@")
    return bool(at) and bool(_LOCAL.fullmatch(local)) and bool(_DOMAIN.fullmatch(domain)) and ".." not in address


def new_signing_secret() -> str:
    return secrets.token_hex(SIGNING_SECRET_BYTES)


class MailSettingsStore:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        secret_store: SecretStore,
        transport: MailTransport,
        mailbox: Mailbox,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._secrets = secret_store
        self._transport = transport
        self._mailbox = mailbox

    # -- reading -----------------------------------------------------------------------------------

    def settings(self) -> MailSettings:
        """The settings in force (the defaults before the first save), and whether a password is kept."""
        with self._uow_factory() as uow:
            stored = uow.mail.settings()
        return self.with_password_flags(stored or MailSettings())

    def with_password_flags(self, settings: MailSettings) -> MailSettings:
        return replace(
            settings,
            has_smtp_password=bool(settings.smtp.configured and self._secrets.get(settings.smtp.secret_key("smtp"))),
            has_imap_password=bool(settings.imap.configured and self._secrets.get(settings.imap.secret_key("imap"))),
        )

    def password(self, server: ServerSettings, kind: str) -> str:
        """The server's password from the keyring ("" when none is kept: a server without sign-in)."""
        return self._secrets.get(server.secret_key(kind)) or ""

    # -- saving ------------------------------------------------------------------------------------

    def save_settings(
        self,
        settings: MailSettings,
        *,
        actor: Actor,
        smtp_password: str | None = None,
        imap_password: str | None = None,
    ) -> MailSettings:
        """Check and keep the settings; a password given goes to the keyring (None keeps the stored
        one, "" forgets it). `settings.version` is the version the administrator saw (None: none).

        Raises:
            PermissionDeniedError: not an administrator.
            UserFacingError: a field that cannot be used, said which and why; nothing was saved.
            ConflictError: someone saved meanwhile.
        """
        authorize(actor)
        settings = checked(settings)
        now = self._clock.now()
        with self._uow_factory() as uow:
            before = uow.mail.settings()
            secret = uow.mail.signing_secret() or new_signing_secret()
            # The passwords first: when the keyring refuses, nothing is saved at all.
            password_changes = self._keep_passwords(before, settings, smtp_password, imap_password)
            uow.mail.save_settings(
                settings, signing_secret=secret, at=now, by=actor.user_id, expected_version=settings.version
            )
            changes = _diff(before or MailSettings(), settings) | password_changes
            action = "update" if before is not None else "create"
            if changes or before is None:
                uow.audit.record(AuditEntry(now, actor.user_id, "mail_settings", "1", action, changes))
            uow.commit()
        return self.settings()

    def ensure_signing_secret(self) -> None:
        """Make the Message-ID signing key once (start-up), so mail queued before anyone configured
        mail is signed like the rest."""
        with self._uow_factory() as uow:
            if not uow.mail.signing_secret():
                uow.mail.ensure_signing_secret(new_signing_secret(), self._clock.now())
                uow.commit()

    def _keep_passwords(
        self,
        before: MailSettings | None,
        after: MailSettings,
        smtp_password: str | None,
        imap_password: str | None,
    ) -> dict[str, tuple[str, str]]:
        """Write or forget the passwords in the keyring; what the audit says of them (never a value).
        A server renamed without a new password keeps its password under the new name."""
        changes: dict[str, tuple[str, str]] = {}
        old = before or MailSettings()
        for kind, old_server, new_server, given in (
            ("smtp", old.smtp, after.smtp, smtp_password),
            ("imap", old.imap, after.imap, imap_password),
        ):
            key = new_server.secret_key(kind)
            if given is None:
                old_key = old_server.secret_key(kind)
                kept = self._secrets.get(old_key) if old_key != key else None
                if kept and not self._secrets.get(key):
                    self._put(key, kept)
                continue
            if "\n" in given or "\r" in given or "\x00" in given:
                raise UserFacingError(_("A password cannot contain line breaks."))
            if given:
                self._put(key, given)
                changes[f"{kind}_password"] = ("", _("changed"))
            else:
                self._secrets.delete(key)
                changes[f"{kind}_password"] = ("", _("removed"))
        return changes

    def _put(self, key: str, value: str) -> None:
        if not self._secrets.put(key, value):
            raise UserFacingError(
                _(
                    "This computer has no system keyring to keep the mail password; nothing was saved. "
                    "On a server, give the password in the MAKERSUPPORT_MAIL_PASSWORD variable instead."
                )
            )

    # -- "Probar conexión" -------------------------------------------------------------------------

    def test_connection(self, *, actor: Actor) -> MailCheck:
        """Connect and sign in to each configured server, then leave; what happened, in words."""
        authorize(actor)
        settings = self.settings()
        smtp_ok, smtp_message = False, _("No SMTP server is set.")
        if settings.smtp.configured:
            try:
                self._transport.check(settings.smtp, self.password(settings.smtp, "smtp"))
                smtp_ok, smtp_message = (
                    True,
                    _("SMTP: connected and signed in to {host}.").format(host=settings.smtp.host),
                )
            except MailConnectionError as exc:
                smtp_message = exc.message
        imap_ok, imap_message = False, _("No IMAP server is set.")
        if settings.imap.configured:
            try:
                self._mailbox.check(settings.imap, self.password(settings.imap, "imap"), settings.folder)
                imap_ok, imap_message = (
                    True,
                    _("IMAP: connected to {host} and opened the folder {folder}.").format(
                        host=settings.imap.host, folder=settings.folder
                    ),
                )
            except MailConnectionError as exc:
                imap_message = exc.message
        return MailCheck(smtp_ok, smtp_message, imap_ok, imap_message)


def authorize(actor: Actor) -> None:
    if not allows(actor, Permission.CONFIGURE_MAIL):
        raise PermissionDeniedError(_("Only an administrator can change the mail settings and templates."))


def checked(settings: MailSettings) -> MailSettings:
    """The settings with every text cleaned to one line, or a UserFacingError naming the field."""
    smtp = _server(settings.smtp, _("SMTP"))
    imap = _server(settings.imap, _("IMAP"))
    folder = clean_line(settings.folder).strip() or "INBOX"
    if len(folder) > 200:
        raise UserFacingError(_("The IMAP folder's name is too long."))
    sender = clean_line(settings.sender_address).strip().lower()
    if sender and (len(sender) > 320 or not valid_address(sender)):
        raise UserFacingError(
            _("The sender address {address} is not a mail address (like soporte@empresa.com).").format(address=sender)
        )
    name = clean_line(settings.sender_name).strip()
    if len(name) > 200:
        raise UserFacingError(_("The sender's name is too long: at most 200 characters."))
    domain = clean_line(settings.message_id_domain).strip().lower()
    if domain and (len(domain) > 253 or not _DOMAIN.fullmatch(domain)):
        raise UserFacingError(
            _("The Message-ID domain {domain} is not a domain name (like somosmaker.com).").format(domain=domain)
        )
    if not 1 <= settings.reopen_window_days <= MAX_REOPEN_DAYS:
        raise UserFacingError(_("A reply reopens a closed ticket within 1 to {n} days.").format(n=MAX_REOPEN_DAYS))
    if settings.sending_enabled and not (smtp.configured and sender):
        raise UserFacingError(_("To send mail, give the SMTP server and the sender address."))
    if settings.fetching_enabled and not imap.configured:
        raise UserFacingError(_("To read the support mailbox, give the IMAP server."))
    return replace(
        settings,
        smtp=smtp,
        imap=imap,
        folder=folder,
        sender_address=sender,
        sender_name=name,
        message_id_domain=domain,
    )


def _server(server: ServerSettings, kind: str) -> ServerSettings:
    host = clean_line(server.host).strip().lower()
    if host and not (_HOST.fullmatch(host) or (":" in host and _IP.fullmatch(host))):
        raise UserFacingError(
            _("{kind} server: {host} is not a server name (like smtp.empresa.com).").format(kind=kind, host=host)
        )
    if not isinstance(server.port, int) or not 1 <= server.port <= 65535:
        raise UserFacingError(_("{kind} server: the port is a number from 1 to 65535.").format(kind=kind))
    if server.security not in MailSecurity:
        raise UserFacingError(_("{kind} server: choose how the connection is protected.").format(kind=kind))
    user = clean_line(server.user).strip()
    if len(user) > 320:
        raise UserFacingError(_("{kind} server: the user name is too long.").format(kind=kind))
    return ServerSettings(host, server.port, MailSecurity(server.security), user)


def _diff(before: MailSettings, after: MailSettings) -> dict[str, tuple[str, str]]:
    """What the audit records of a save: every setting that changed, as text; never a password."""
    values = {
        "smtp_host": (before.smtp.host, after.smtp.host),
        "smtp_port": (str(before.smtp.port), str(after.smtp.port)),
        "smtp_security": (before.smtp.security.value, after.smtp.security.value),
        "smtp_user": (before.smtp.user, after.smtp.user),
        "imap_host": (before.imap.host, after.imap.host),
        "imap_port": (str(before.imap.port), str(after.imap.port)),
        "imap_security": (before.imap.security.value, after.imap.security.value),
        "imap_user": (before.imap.user, after.imap.user),
        "imap_folder": (before.folder, after.folder),
        "sender_address": (before.sender_address, after.sender_address),
        "sender_name": (before.sender_name, after.sender_name),
        "message_id_domain": (before.message_id_domain, after.message_id_domain),
        "reopen_window_days": (str(before.reopen_window_days), str(after.reopen_window_days)),
        "sending_enabled": (str(before.sending_enabled), str(after.sending_enabled)),
        "fetching_enabled": (str(before.fetching_enabled), str(after.fetching_enabled)),
    }
    return {name: pair for name, pair in values.items() if pair[0] != pair[1]}


def signing_key(uow: UnitOfWork, now: datetime) -> bytes:
    """The Message-ID HMAC key of this database, made now (in the caller's transaction, safely
    against a second desk doing the same) when the start-up did not make it yet."""
    secret = uow.mail.signing_secret()
    if not secret:
        secret = uow.mail.ensure_signing_secret(new_signing_secret(), now)
    return bytes.fromhex(secret)
