"""Who runs a command: commands that change data sign in first, as in the window.

The person is named with `--user NAME` or MAKERSUPPORT_USER; the password comes from
MAKERSUPPORT_PASSWORD (scripts, the worker's service unit) or is asked for on the terminal, never on
the command line, where any local user could read it in the process list. The check is the
window's own (UserService.sign_in): the same growing waits and lock, the same roles, and the
actor recorded in the audit. Commands that only read (queue, calendar, sla, scan, labels,
certificate verify, db, export, import --dry-run, mail outbox) need no sign-in.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from desktop_app.domain.permissions import Actor, Permission
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _
from desktop_app.services.users import UserService

USER_ENV = "MAKERSUPPORT_USER"
PASSWORD_ENV = "MAKERSUPPORT_PASSWORD"


def needed_permission(args: argparse.Namespace) -> Permission | None:
    """What the command changes, as the permission the signed-in person needs; None when it only reads."""
    command = args.command
    if command == "escalate":
        return None if args.dry_run else Permission.ESCALATE
    if command in ("backup", "restore"):
        return Permission.BACKUP
    if command == "worker":
        return Permission.RUN_JOBS
    if command == "import":
        return None if args.dry_run else Permission.IMPORT_DATA
    if command == "attachments":
        return Permission.WORK_TICKET  # it sends files to the team database, as adding them does
    if command == "field":  # prepare, sync and settle work on tickets, at the office too
        return Permission.WORK_TICKET if args.field_command in ("prepare", "sync", "settle") else None
    if command == "demo":
        return Permission.MANAGE_USERS  # it replaces or adds people, customers and tickets: an administrator
    if command == "mail":
        if args.mail_command in ("configure", "test"):
            return Permission.CONFIGURE_MAIL  # the servers and their stored passwords: administrators
        return None if args.mail_command == "outbox" else Permission.HANDLE_MAIL
    if command == "certificate":
        if args.certificate_command == "keygen":
            return Permission.EDIT_POLICY  # the key that signs every certificate: an administrator
        if args.certificate_command in ("issue", "reprint", "revoke"):
            return Permission.ISSUE_CERTIFICATES
    return None


def stdin_is_terminal() -> bool:
    """A person can answer a question: stdin is a terminal (not /dev/null, a pipe, or closed)."""
    stdin = sys.stdin
    try:
        return stdin is not None and stdin.isatty()
    except ValueError:  # a closed file
        return False


def sign_in(args: argparse.Namespace, users: UserService, needs: Permission) -> Actor:
    """The person running the command, signed in for `needs`.

    Raises:
        UserFacingError: no user named, no password available, or the sign-in refused (wrong user or password,
            a wait after failures, a locked account, a role that does not allow the command).
    """
    name = (getattr(args, "user", None) or os.environ.get(USER_ENV, "")).strip()
    if not name:
        raise UserFacingError(
            _(
                "This command needs a signed-in person (it changes data or uses the office's passwords): "
                "add --user NAME (or set {env}); "
                "the password is asked for, or read from {password_env}."
            ).format(env=USER_ENV, password_env=PASSWORD_ENV)
        )
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not stdin_is_terminal():
            raise UserFacingError(
                _("No password for {user}: run the command in a terminal to be asked, or set {env}.").format(
                    user=name, env=PASSWORD_ENV
                )
            )
        try:
            password = getpass.getpass(_("Password for {user}: ").format(user=name))
        except EOFError:  # Ctrl+D at the question
            raise UserFacingError(_("No password given; nothing was changed.")) from None
    return users.sign_in(name, password, needs=needs)
