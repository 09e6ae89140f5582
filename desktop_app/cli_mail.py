"""`makersupport mail …`: the support mailbox from the command line, thin over MailService.

makersupport mail configure [--smtp-host H] [--smtp-port N] [--smtp-security tls|starttls|none] [--smtp-user U]
                            [--imap-host H] [--imap-port N] [--imap-security …] [--imap-user U] [--imap-folder F]
                            [--sender ADDRESS] [--sender-name NAME] [--domain DOMAIN] [--reopen-days N]
                            [--enable|--disable] [--enable-sending|--disable-sending]
                            [--enable-fetching|--disable-fetching] [--ask-passwords]
makersupport mail test                            connect to both servers; exit 1 when either fails
makersupport mail fetch                           one fetch of the support mailbox now
makersupport mail send                            deliver the outbox's due mail now
makersupport mail outbox [--state S] [--format table|json]
makersupport mail import FILE.eml...              saved mails through the same pipeline as fetched ones

The passwords never go on the command line (any local user can read it in the process list): they
are asked for without echo (--ask-passwords) and kept in the OS keyring, or, on a computer without
one, read from MAKERSUPPORT_MAIL_PASSWORD each time they are needed. Every subcommand but `outbox`
signs in (cli_sign_in.py): `configure` and `test` as an administrator (they use the stored
passwords), the others as anyone who handles mail.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desktop_app.cli_sign_in import stdin_is_terminal
from desktop_app.domain.permissions import Actor
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _, ngettext
from desktop_app.services.mail_dto import OutboxState
from desktop_app.services.mail_ports import MailSecurity

MAIL_PASSWORD_ENV = "MAKERSUPPORT_MAIL_PASSWORD"
OUTBOX_STATES = tuple(state.value for state in OutboxState)
_SECURITY = tuple(security.value for security in MailSecurity)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 65_535:
        raise argparse.ArgumentTypeError(_("“{text}” is not a port number between 1 and 65535.").format(text=text))
    return value


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 365:
        raise argparse.ArgumentTypeError(_("“{text}” is not a number of days between 1 and 365.").format(text=text))
    return value


def _switch(group: argparse._MutuallyExclusiveGroup, name: str, dest: str, on: str, off: str) -> None:
    group.add_argument(f"--enable{name}", dest=dest, action="store_const", const=True, help=on)
    group.add_argument(f"--disable{name}", dest=dest, action="store_const", const=False, help=off)


def add_mail_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `mail` command and its subcommands."""
    mail = commands.add_parser("mail", help=_("the support mailbox: settings, fetching, sending, saved mails"))
    mail_commands = mail.add_subparsers(dest="mail_command", required=True)
    configure = mail_commands.add_parser(
        "configure", help=_("change the mail settings (administrators); only the options given change")
    )
    for kind, label in (("smtp", _("sending (SMTP)")), ("imap", _("receiving (IMAP)"))):
        configure.add_argument(f"--{kind}-host", metavar="HOST", help=_("{server} server name").format(server=label))
        configure.add_argument(
            f"--{kind}-port", type=_port, metavar="PORT", help=_("{server} server port").format(server=label)
        )
        configure.add_argument(
            f"--{kind}-security",
            choices=_SECURITY,
            help=_("{server} connection protection: tls, starttls or none (only on this computer)").format(
                server=label
            ),
        )
        configure.add_argument(f"--{kind}-user", metavar="USER", help=_("{server} account").format(server=label))
    configure.add_argument("--imap-folder", metavar="FOLDER", help=_("the folder read for new mail (INBOX)"))
    configure.add_argument("--sender", metavar="ADDRESS", help=_("the address the desk's mail comes from"))
    configure.add_argument("--sender-name", metavar="NAME", help=_("the name shown beside that address"))
    configure.add_argument("--domain", metavar="DOMAIN", help=_("the domain of the desk's Message-IDs"))
    configure.add_argument(
        "--reopen-days",
        type=_days,
        metavar="DAYS",
        help=_("a reply this many days after closing still reopens the ticket (R14)"),
    )
    both = configure.add_mutually_exclusive_group()
    _switch(both, "", "enabled", _("turn sending and fetching on"), _("turn sending and fetching off"))
    sending = configure.add_mutually_exclusive_group()
    _switch(sending, "-sending", "sending_enabled", _("turn sending on"), _("turn sending off"))
    fetching = configure.add_mutually_exclusive_group()
    _switch(fetching, "-fetching", "fetching_enabled", _("turn fetching on"), _("turn fetching off"))
    configure.add_argument(
        "--ask-passwords",
        action="store_true",
        help=_("ask for the SMTP and IMAP passwords without showing them (or set {env})").format(env=MAIL_PASSWORD_ENV),
    )
    mail_commands.add_parser("test", help=_("connect to the SMTP and IMAP servers; exit 1 when one fails"))
    mail_commands.add_parser("fetch", help=_("fetch the support mailbox once now"))
    mail_commands.add_parser("send", help=_("deliver the mail due in the outbox now"))
    outbox = mail_commands.add_parser("outbox", help=_("list the outbox (reads only)"))
    outbox.add_argument("--state", choices=OUTBOX_STATES, action="append", help=_("only mail in this state"))
    outbox.add_argument("--format", choices=("table", "json"), default="table", help=_("output (default: table)"))
    imports = mail_commands.add_parser("import", help=_("import saved mails (.eml) as if they had been fetched"))
    imports.add_argument("files", nargs="+", type=Path, metavar="FILE.eml")


def check_mail_input(args: argparse.Namespace) -> None:
    """What can be refused before the database is opened or anyone signs in: the files to import
    (read whole, so a file that cannot be read stops the command before any mail is imported) and
    the passwords asked for. Puts the files' bytes in `args.mail_files`, the passwords in
    `args.mail_passwords`.

    Raises:
        UserFacingError: a missing, unreadable, empty or non-.eml file; a password that cannot be asked for.
    """
    if args.mail_command == "import":
        args.mail_files = [(path, _read_mail_file(path)) for path in args.files]
    elif args.mail_command == "configure":
        args.mail_passwords = _passwords(args)


def _read_mail_file(path: Path) -> bytes:
    if path.suffix.lower() != ".eml":
        raise UserFacingError(
            _("{path} is not a saved mail: save the mail from your mail program as an .eml file.").format(path=path)
        )
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        reason = _("there is no such file")
    except IsADirectoryError:
        reason = _("it is a folder")
    except OSError as exc:
        reason = exc.strerror or str(exc)
    else:
        if raw.strip():
            return raw
        raise UserFacingError(_("The file {name} is empty.").format(name=path))
    raise UserFacingError(_("{path} cannot be read: {reason}.").format(path=path, reason=reason))


def _passwords(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """(SMTP, IMAP) passwords to keep in the keyring, asked for without echo; None keeps the stored one.

    MAKERSUPPORT_MAIL_PASSWORD is not stored: it is where the desk reads the password on a computer
    without a keyring (a headless server), every time it sends or fetches."""
    if not args.ask_passwords:
        return None, None
    if not stdin_is_terminal():
        raise UserFacingError(
            _("The passwords can only be asked for in a terminal; or set {env}.").format(env=MAIL_PASSWORD_ENV)
        )
    try:
        smtp = getpass.getpass(_("SMTP password (empty: keep the stored one): "))
        imap = getpass.getpass(_("IMAP password (empty: the same as SMTP): "))
    except EOFError:
        raise UserFacingError(_("No password given; nothing was changed.")) from None
    return smtp or None, imap or smtp or None


def run_mail(args: argparse.Namespace, mail: Any, actor: Actor | None) -> int:
    """Run one mail subcommand against `mail` (the MailService)."""
    command = args.mail_command
    if command == "outbox":
        return _outbox(args, mail)
    assert actor is not None  # every other subcommand signed in (mail_permission)
    if command == "configure":
        return _configure(args, mail, actor)
    if command == "test":
        check = mail.test_connection(actor=actor)
        print(_server_line("SMTP", check.smtp_message))
        print(_server_line("IMAP", check.imap_message))
        return 0 if check.smtp_ok and check.imap_ok else 1
    if command == "fetch":
        settings = mail.settings()
        if not (settings.fetching_enabled and settings.imap.configured):
            print(_("Fetching is off or no IMAP server is set: see makersupport mail configure."), file=sys.stderr)
            return 1
        print(mail.fetch(actor=actor) or _("No new mail."))
        return 0
    if command == "send":
        if not mail.settings().can_send:
            print(
                _("Sending is off, or no SMTP server or sender is set: see makersupport mail configure."),
                file=sys.stderr,
            )
            return 1
        print(mail.deliver_due(actor=actor) or _("Nothing to send."))
        return 0
    return _import_files(args.mail_files, mail, actor)


def _server_line(kind: str, message: str) -> str:
    """One line per server, named first: a success says it ("SMTP: connected …"), a failure may not
    ("127.0.0.1:25 refused the connection …")."""
    return message if message.startswith(kind) else f"{kind}: {message}"


def _configure(args: argparse.Namespace, mail: Any, actor: Actor) -> int:
    current = mail.settings()
    smtp = _server(current.smtp, args, "smtp")
    imap = _server(current.imap, args, "imap")
    changes: dict[str, object] = {"smtp": smtp, "imap": imap}
    for option, field in (
        ("imap_folder", "folder"),
        ("sender", "sender_address"),
        ("sender_name", "sender_name"),
        ("domain", "message_id_domain"),
        ("reopen_days", "reopen_window_days"),
        ("sending_enabled", "sending_enabled"),
        ("fetching_enabled", "fetching_enabled"),
    ):
        value = getattr(args, option)
        if value is not None:
            changes[field] = value
    if args.enabled is not None:
        changes.setdefault("sending_enabled", args.enabled)
        changes.setdefault("fetching_enabled", args.enabled)
    smtp_password, imap_password = args.mail_passwords
    saved = mail.save_settings(
        dataclasses.replace(current, **changes),
        actor=actor,
        smtp_password=smtp_password,
        imap_password=imap_password,
    )
    print(_("Mail settings saved."))
    if smtp_password is None and imap_password is None and os.environ.get(MAIL_PASSWORD_ENV):
        print(_("The passwords are read from {env} whenever the keyring keeps none.").format(env=MAIL_PASSWORD_ENV))
    for line in settings_lines(saved if saved is not None else mail.settings()):
        print(f"  {line}")
    return 0


def _server(current: Any, args: argparse.Namespace, kind: str) -> Any:
    changes: dict[str, object] = {}
    for field in ("host", "port", "security", "user"):
        value = getattr(args, f"{kind}_{field}")
        if value is not None:
            changes[field] = MailSecurity(value) if field == "security" else value
    return dataclasses.replace(current, **changes) if changes else current


def settings_lines(settings: Any) -> list[str]:
    """The settings as a person checks them (no password: it is never in the settings)."""
    lines = []
    for label, server, kept in (
        ("SMTP", settings.smtp, settings.has_smtp_password),
        ("IMAP", settings.imap, settings.has_imap_password),
    ):
        lines.append(
            _("{kind}: {user}@{host}:{port} ({security}) · {password}").format(
                kind=label,
                user=server.user or "—",
                host=server.host or "—",
                port=server.port or "—",
                security=MailSecurity(server.security).value,
                password=_("password kept") if kept else _("no password kept"),
            )
        )
    lines.append(_("Folder: {folder}").format(folder=settings.folder))
    lines.append(
        _("Sender: {name} <{address}> · Message-ID domain: {domain}").format(
            name=settings.sender_name, address=settings.sender_address, domain=settings.message_id_domain
        )
    )
    lines.append(_("A reply reopens a closed ticket for {days} days").format(days=settings.reopen_window_days))
    lines.append(
        " · ".join(
            (
                _("sending on") if settings.sending_enabled else _("sending off"),
                _("fetching on") if settings.fetching_enabled else _("fetching off"),
            )
        )
    )
    return lines


def _import_files(files: Sequence[tuple[Path, bytes]], mail: Any, actor: Actor) -> int:
    """Each file through the inbound pipeline, one line each saying where it went."""
    for path, raw in files:
        outcome = mail.import_mail(raw, actor=actor, source="file")
        print(f"{path}: {outcome.message}")
    print(ngettext("{n} mail imported.", "{n} mails imported.", len(files)).format(n=len(files)))
    return 0


def _outbox(args: argparse.Namespace, mail: Any) -> int:
    rows = mail.outbox(tuple(OutboxState(state) for state in args.state or ()))  # none given: every state
    if args.format == "json":
        print(json.dumps([_outbox_json(row) for row in rows], ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print(
            "  ".join(
                (
                    f"{row.id:>6}",
                    f"{row.state:<8}",
                    row.created_at.strftime("%Y-%m-%d %H:%M"),
                    f"{(row.ticket_number or '—'):<15}",
                    f"{', '.join(row.to)[:40]:<40}",
                    row.subject[:60],
                )
            )
        )
    if not rows:
        print(_("The outbox is empty."), file=sys.stderr)
    return 0


def _outbox_json(row: Any) -> dict[str, object]:
    def plain(value: object) -> object:
        if hasattr(value, "isoformat"):
            return value.isoformat()  # type: ignore[no-any-return]
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        return getattr(value, "value", value)

    return {field.name: plain(getattr(row, field.name)) for field in dataclasses.fields(row)}
