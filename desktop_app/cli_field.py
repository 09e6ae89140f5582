"""`makersupport field …`: a technician's field copy (issue 16), thin over field_office.py and
services/field/sync.py.

    field prepare [--city C] [--out FILE]     on the office's database: write a field copy
    field status                              on a field copy: changes waiting, conflicts, last sync
    field sync [--ask-password]               on a field copy: files up, changes replayed, office's down
    field conflicts [--json]                  the changes waiting for a person
    field settle ID (--keep-mine | --take-office | --merge FIELD=VALUE …)
    field export --out FILE                   every change of the outbox, to a JSON file

A field copy is opened like any database (`--db sqlite:///…/campo.sqlite3`, or the connection the
window chose). prepare, sync and settle sign in (they write at the office as the technician).
"""

from __future__ import annotations

import argparse
import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.cli_sign_in import stdin_is_terminal
from desktop_app.connection import OFFICE_PASSWORD_ENV
from desktop_app.domain.field_sync import FieldCommand, Resolution
from desktop_app.domain.permissions import Actor
from desktop_app.errors import PasswordRefusedError, UserFacingError
from desktop_app.i18n import _, ngettext
from desktop_app.wording.field import describe_command, field_label, status_line

if TYPE_CHECKING:
    from desktop_app.bootstrap import Services
    from desktop_app.services.field.sync import FieldSyncService


def add_field_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    field = commands.add_parser("field", help=_("a technician's field copy that works offline"))
    field_commands = field.add_subparsers(dest="field_command", required=True)
    prepare = field_commands.add_parser("prepare", help=_("write a field copy from the office's database"))
    prepare.add_argument("--city", help=_("the city whose customers to take (default: the user's city)"))
    prepare.add_argument("--out", type=Path, metavar="FILE", help=_("the field copy's file (default: campo.sqlite3)"))
    field_commands.add_parser("status", help=_("changes waiting, conflicts and the last sync"))
    sync = field_commands.add_parser("sync", help=_("send the changes made offline and bring the office's"))
    sync.add_argument(
        "--ask-password",
        action="store_true",
        help=_("ask for the password of the office's server without showing it (or set {env})").format(
            env=OFFICE_PASSWORD_ENV
        ),
    )
    conflicts = field_commands.add_parser("conflicts", help=_("the changes waiting for a decision"))
    conflicts.add_argument("--json", action="store_true", help=_("as JSON"))
    settle = field_commands.add_parser("settle", help=_("decide a conflict"))
    settle.add_argument("command_id", metavar="ID")
    how = settle.add_mutually_exclusive_group(required=True)
    how.add_argument("--keep-mine", action="store_true", help=_("apply my change on the office's version"))
    how.add_argument("--take-office", action="store_true", help=_("drop my change, keep the office's"))
    how.add_argument("--merge", nargs="+", metavar="FIELD=VALUE", help=_("a value per clashing field"))
    export = field_commands.add_parser("export", help=_("write every change of the outbox to a JSON file"))
    export.add_argument("--out", required=True, type=Path, metavar="FILE")


def _field(services: Services) -> FieldSyncService:
    if services.field is None:
        raise UserFacingError(
            _("This database is not a field copy: open the copy with --db, or prepare one with `field prepare`.")
        )
    return services.field


def run_field(args: argparse.Namespace, services: Services, actor: Actor | None) -> int:
    command = args.field_command
    if command == "prepare":
        from desktop_app.field_office import default_field_file, prepare_field_copy

        assert actor is not None
        target = args.out or default_field_file(services.settings.data_dir)
        report = prepare_field_copy(services, actor, target, city=args.city)
        print(_("Field copy written: {path}").format(path=target))
        print(
            _("{customers} customers, {machines} machines, {contracts} contracts, {tickets} tickets.").format(
                customers=report.written.get("customers", 0),
                machines=report.written.get("machines", 0),
                contracts=report.written.get("contracts", 0),
                tickets=report.written.get("tickets", 0),
            )
        )
        print(_("Open it with: makersupport --db sqlite:///{path}").format(path=target.resolve()))
        return 0
    field = _field(services)
    if command == "status":
        print(status_line(field.status(), online=None))
        return 0
    if command == "sync":
        if args.ask_password:
            field.use_office_password(_ask_office_password(), remember=False)
        try:
            report = field.sync()
        except PasswordRefusedError as exc:
            hint = _("Run `field sync --ask-password`, or set {env}.").format(env=OFFICE_PASSWORD_ENV)
            raise PasswordRefusedError(f"{exc.message} {hint}") from exc
        print(
            _("Synced: {applied} applied, {already} already at the office, {conflicts} conflicts.").format(
                applied=report.applied, already=report.already, conflicts=report.conflicts
            )
        )
        if report.clock_skew is not None:
            print(
                _("Warning: this computer's clock is {minutes} minutes off the office's.").format(
                    minutes=round(report.clock_skew.total_seconds() / 60)
                )
            )
        return 1 if report.conflicts else 0
    if command == "conflicts":
        conflicts = field.conflicts()
        if args.json:
            print(json.dumps([_conflict_json(c) for c in conflicts], ensure_ascii=False, indent=2))
        else:
            for conflict in conflicts:
                print(f"{conflict.command_id}  {describe_command(conflict)}")
                for clash in conflict.decision.clashes if conflict.decision else ():
                    print(
                        "    "
                        + _("{field}: base {base} · mine {mine} · office {office}").format(
                            field=field_label(clash.field), base=clash.base, mine=clash.mine, office=clash.office
                        )
                    )
                if conflict.decision and conflict.decision.refused:
                    print("    " + conflict.decision.refused)
            print(ngettext("{n} conflict.", "{n} conflicts.", len(conflicts)).format(n=len(conflicts)))
        return 0
    if command == "settle":
        if args.keep_mine:
            field.settle(args.command_id, Resolution.KEEP_MINE)
        elif args.take_office:
            field.settle(args.command_id, Resolution.TAKE_OFFICE)
        else:
            chosen = {}
            for item in args.merge:
                name, sep, value = item.partition("=")
                if not sep:
                    raise UserFacingError(_("Write each merged field as FIELD=VALUE."))
                chosen[name] = value
            field.settle(args.command_id, Resolution.MERGE, chosen)
        print(_("Decision kept; it reaches the office with the next sync."))
        return 0
    if command == "export":
        count = field.export_outbox(args.out)
        print(
            ngettext("{n} change written to {path}.", "{n} changes written to {path}.", count).format(
                n=count, path=args.out
            )
        )
        return 0
    raise AssertionError(command)


def _ask_office_password() -> str:
    if not stdin_is_terminal():
        raise UserFacingError(
            _("The password can only be asked for in a terminal; or set {env}.").format(env=OFFICE_PASSWORD_ENV)
        )
    try:
        password = getpass.getpass(_("Password of the office's server: "))
    except EOFError:
        password = ""
    if not password:
        raise UserFacingError(_("No password given; nothing was synced."))
    return password


def _conflict_json(command: FieldCommand) -> dict[str, object]:
    decision = command.decision
    return {
        "id": command.command_id,
        "what": describe_command(command),
        "refused": decision.refused if decision else "",
        "clashes": [vars(c) for c in decision.clashes] if decision else [],
    }
