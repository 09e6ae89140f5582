"""`makersupport` command line: thin over the services.

makersupport [--db URL] [gui]                    open the desk (default)
makersupport [--db URL] demo [--reset|--if-empty] load the demo data set
makersupport [--db URL] db upgrade               create or upgrade the schema
makersupport [--db URL] db check                 a full check of the database; exit 1 when it finds problems
makersupport [--db URL] queue [--json]           the open queue in policy order
makersupport calendar holidays YEAR               Colombian public holidays (ISO date and name)
makersupport calendar add START HOURS             START + HOURS of working time (ISO, with offset)
makersupport calendar between START END           working minutes between two moments
makersupport sla TICKET                           a ticket's due times and why
makersupport escalate [--dry-run]                 escalate what must escalate now (R11)
makersupport backup --out FILE                    a backup (SQLite backup API, or pg_dump)
makersupport restore FILE [--yes]                 replace the database with a backup
makersupport worker [--once] [--interval SECONDS] [--log FILE]
                                                  run the periodic jobs (escalation, backup) with no window open
makersupport labels --out FILE (--customer ID|NIT | --machines SERIAL...) [--sheet a4-21|letter-30]
                                                  a printable sheet of machine QR labels
makersupport scan [--raw] IMAGE...                the QR codes in photos or scans; exit 1 if none
makersupport certificate keygen                   create this office's certificate signing key (once)
makersupport certificate issue --contract ID|INVOICE --out FILE.pdf [--paper letter|a4]
makersupport certificate reprint NUMBER --out FILE.pdf [--paper letter|a4]
makersupport certificate verify FILE              a certificate PDF, a photo of it, or its QR text
makersupport certificate revoke NUMBER --reason TEXT
makersupport import customers|contacts|machines|contracts FILE [--dry-run] [--all-or-nothing]
                                                  a CSV or XLSX file; each refused row is printed; exit 1 if any
makersupport export customers|contacts|machines|contracts --out FILE.xlsx|FILE.csv
makersupport mail configure|test|fetch|send|outbox|import …
                                                  the support mailbox (cli_mail.py)
makersupport report sla|customer|month …          SLA compliance, a customer's service report, the
                                                  monthly management report (cli_reports.py; reads only)
makersupport web export --out DIR [--force]       the pages behind the QR codes, a static site (cli_web.py)
makersupport attachments upload                   send the files only this workstation has to the team
                                                  database (cli_attachments.py)
makersupport field prepare|status|sync|conflicts|settle|export …
                                                  a technician's field copy that works offline (cli_field.py)

--db URL, --lang and --user go before or after the command (`makersupport demo --db URL`).
Commands that change data (demo, escalate, backup, restore, worker, certificate keygen/issue/
reprint/revoke, import, mail but outbox, attachments) sign in first: --user NAME or MAKERSUPPORT_USER,
and the password from the terminal or MAKERSUPPORT_PASSWORD (cli_sign_in.py). The others only read and need no sign-in.
Times without an offset are Colombia time (America/Bogota).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from desktop_app import __version__, i18n
from desktop_app.bootstrap import Services, build_services
from desktop_app.cli_attachments import add_attachments_commands, run_attachments
from desktop_app.cli_field import add_field_commands, run_field
from desktop_app.cli_mail import add_mail_commands, check_mail_input, run_mail
from desktop_app.cli_reports import add_report_commands, run_report
from desktop_app.cli_sign_in import USER_ENV, needed_permission, sign_in, stdin_is_terminal
from desktop_app.cli_web import add_web_commands, run_web
from desktop_app.config import Settings, load_settings
from desktop_app.domain.business_time import add_working_time, working_time_between
from desktop_app.domain.certificate import Verdict, is_certificate_code
from desktop_app.domain.importing import ImportKind
from desktop_app.domain.model import Role
from desktop_app.domain.permissions import Actor, Permission
from desktop_app.errors import UserFacingError
from desktop_app.files import check_target, write_file
from desktop_app.formatting import format_date, format_datetime, format_working_hours
from desktop_app.i18n import _, ngettext
from desktop_app.services.dto import QueueFilter, QueueRow
from desktop_app.signing import generate_keys
from desktop_app.wording import explanation_lines, sla_target_label, sla_text
from desktop_app.wording.importing import import_summary


def _add_common_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument("--db", metavar="URL", default=default, help=_("database URL (default: the local SQLite file)"))
    parser.add_argument("--lang", choices=("es_CO", "en"), default=default, help=_("interface language"))
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=default,
        help=_("who runs a command that changes data (default: {env})").format(env=USER_ENV),
    )


def _accept_common_options_everywhere(parser: argparse.ArgumentParser) -> None:
    """--db and --lang after any command too (`makersupport demo --db URL`, `certificate verify X
    --lang en`). A subcommand's copy has no default, so it only overrides the value given before
    the command when it is given itself."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in {id(p): p for p in action.choices.values()}.values():
                _add_common_options(sub, argparse.SUPPRESS)
                _accept_common_options_everywhere(sub)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 1 <= value <= 86_400:
        raise argparse.ArgumentTypeError(
            _("“{text}” is not a number of seconds between 1 and 86400.").format(text=text)
        )
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="makersupport", description=_("makeR Soporte — support desk"))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_common_options(parser, None)
    commands = parser.add_subparsers(dest="command")
    gui = commands.add_parser("gui", help=_("open the support desk window (default)"))
    gui.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    demo = commands.add_parser("demo", help=_("load the demo data set"))
    group = demo.add_mutually_exclusive_group()
    group.add_argument("--reset", action="store_true", help=_("delete all data first"))
    group.add_argument("--if-empty", action="store_true", help=_("only when the database has no customers"))
    db = commands.add_parser("db", help=_("database maintenance"))
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help=_("create or upgrade the schema"))
    db_commands.add_parser("check", help=_("check the whole database for damage (reads only)"))
    queue = commands.add_parser("queue", help=_("print the open queue in policy order"))
    queue.add_argument("--json", action="store_true", help=_("machine-readable output"))
    calendar = commands.add_parser("calendar", help=_("check the working-time calendar"))
    calendar_commands = calendar.add_subparsers(dest="calendar_command", required=True)
    holidays = calendar_commands.add_parser("holidays", help=_("public holidays of a year"))
    holidays.add_argument("year", type=int)
    add = calendar_commands.add_parser("add", help=_("add working hours to a moment"))
    add.add_argument("start")
    add.add_argument("hours", type=float)
    between = calendar_commands.add_parser("between", help=_("working minutes between two moments"))
    between.add_argument("start")
    between.add_argument("end")
    sla = commands.add_parser("sla", help=_("a ticket's due times and the reason for them"))
    sla.add_argument("ticket", help=_("ticket number, e.g. SOP-2026-00042"))
    backup = commands.add_parser("backup", help=_("write a backup of the database"))
    backup.add_argument("--out", required=True, type=Path, help=_("the backup file to create (never overwritten)"))
    restore = commands.add_parser("restore", help=_("replace the database with a backup"))
    restore.add_argument("file", type=Path)
    restore.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    escalate = commands.add_parser("escalate", help=_("escalate the tickets that must escalate now"))
    escalate.add_argument("--dry-run", action="store_true", help=_("only list them"))
    labels = commands.add_parser("labels", help=_("a printable PDF sheet of machine QR labels"))
    labels.add_argument("--out", required=True, type=Path, help=_("the PDF file to create (never overwritten)"))
    chosen = labels.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--customer", metavar="ID", help=_("every machine of this customer (id or NIT)"))
    chosen.add_argument("--machines", metavar="SERIAL", nargs="+", help=_("these machines"))
    labels.add_argument(
        "--sheet", choices=("a4-21", "letter-30"), default="a4-21", help=_("label sheet (default: a4-21)")
    )
    scan = commands.add_parser("scan", help=_("read the QR codes in photos or scans"))
    scan.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    scan.add_argument("--raw", action="store_true", help=_("print exactly the decoded text, one code per line"))
    certificate = commands.add_parser("certificate", help=_("plan certificates (R15)"))
    certificate_commands = certificate.add_subparsers(dest="certificate_command", required=True)
    certificate_commands.add_parser("keygen", help=_("create this office's signing key (once)"))
    issue = certificate_commands.add_parser("issue", help=_("issue a contract's certificate as a PDF"))
    issue.add_argument("--contract", required=True, metavar="ID", help=_("contract id or invoice number"))
    issue.add_argument("--out", required=True, type=Path, help=_("the PDF file to create (never overwritten)"))
    issue.add_argument("--paper", choices=("letter", "a4"), default="letter", help=_("paper size (default: letter)"))
    verify = certificate_commands.add_parser("verify", help=_("check a certificate: its PDF, a photo, or its QR text"))
    verify.add_argument("source", help=_("a PDF or image file, or the text its QR code reads"))
    reprint = certificate_commands.add_parser("reprint", help=_("the same certificate again, as a PDF"))
    reprint.add_argument("number")
    reprint.add_argument("--out", required=True, type=Path, help=_("the PDF file to create (never overwritten)"))
    reprint.add_argument("--paper", choices=("letter", "a4"), default="letter", help=_("paper size (default: letter)"))
    revoke = certificate_commands.add_parser("revoke", help=_("withdraw a certificate"))
    revoke.add_argument("number")
    revoke.add_argument("--reason", required=True)
    worker = commands.add_parser("worker", help=_("run the periodic jobs (escalation, backup) with no window open"))
    worker.add_argument("--once", action="store_true", help=_("one round, then exit (cron, tests)"))
    worker.add_argument(
        "--interval", type=_seconds, default=60.0, metavar="SECONDS", help=_("seconds between rounds (default: 60)")
    )
    worker.add_argument("--log", type=Path, metavar="FILE", help=_("also append the log to this file"))
    _add_import_commands(commands)
    add_mail_commands(commands)
    add_report_commands(commands)
    add_web_commands(commands)
    add_attachments_commands(commands)
    add_field_commands(commands)
    _accept_common_options_everywhere(parser)
    return parser


def _add_import_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kinds = [kind.value for kind in ImportKind]
    imports = commands.add_parser("import", help=_("import customers, contacts, machines or contracts from a file"))
    imports.add_argument("kind", choices=kinds)
    imports.add_argument("file", type=Path, help=_("a CSV or XLSX file with a header row"))
    imports.add_argument("--dry-run", action="store_true", help=_("only check the rows and list the problems"))
    imports.add_argument(
        "--all-or-nothing",
        action="store_true",
        help=_("write nothing when any row is refused (default: the valid rows)"),
    )
    exports = commands.add_parser("export", help=_("export customers, contacts, machines or contracts to a file"))
    exports.add_argument("kind", choices=kinds)
    exports.add_argument(
        "--out", required=True, type=Path, help=_("the .xlsx or .csv file to create (never overwritten)")
    )


def _import(args: argparse.Namespace, services: Services, actor: Actor | None) -> int:
    """Each problem on its own line ("fila 12, columna NIT: …"), then what was done; 1 when a row was refused."""
    kind = ImportKind(args.kind)
    if args.dry_run or actor is None:
        report = services.imports.check(args.file, kind)
    else:
        report = services.imports.import_file(args.file, kind, actor=actor, all_or_nothing=args.all_or_nothing)
    for problem in report.problems:
        print(problem.line())
    print(
        import_summary(
            dry_run=report.dry_run,
            written=report.written,
            all_or_nothing=report.all_or_nothing,
            has_problems=bool(report.problems),
            read=report.rows_read,
            valid=report.valid_rows,
            refused=report.refused_rows,
            created=report.created,
            updated=report.updated,
        )
    )
    return 1 if report.problems else 0


def _export(args: argparse.Namespace, services: Services) -> None:
    suffix = args.out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UserFacingError(_("Name the file .xlsx or .csv: {path}").format(path=args.out))
    check_target(args.out)  # before anything is read: a file is never replaced
    data, count = services.imports.export(ImportKind(args.kind), suffix[1:])
    write_file(args.out, data)
    print(
        ngettext("{n} record written to {path}", "{n} records written to {path}", count).format(n=count, path=args.out)
    )


def _certificate(args: argparse.Namespace, services: Services, actor: Actor | None) -> int:
    command = args.certificate_command
    if command == "keygen":
        private, public = generate_keys(services.settings.keys_dir)
        print(_("Signing key created: {private}").format(private=private))
        print(_("Public key to ship with the program (resources/keys/): {public}").format(public=public))
    elif command == "issue":
        check_target(args.out)  # before a number is used up: the file is never replaced
        contract = services.contracts.find(args.contract)
        assert actor is not None
        issued = services.certificates.issue(contract.id, actor=actor, paper=args.paper, out=args.out)
        print(_("Certificate {number} written to {path}").format(number=issued.number, path=args.out))
    elif command == "reprint":
        check_target(args.out)
        assert actor is not None
        write_file(args.out, services.certificates.reprint(args.number, args.paper, actor=actor))
        print(_("Certificate {number} written to {path}").format(number=args.number, path=args.out))
    elif command == "revoke":
        assert actor is not None
        services.certificates.revoke(args.number, args.reason, actor=actor)
        print(_("Certificate {number} revoked.").format(number=args.number))
    elif command == "verify":
        return _verify_certificate(args.source, services)
    return 0


_MAX_PATH = 4096  # PATH_MAX on Linux; longer text is never a file name
_FILE_SUFFIXES = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"})


def _kind(path: Path) -> str:
    """What is at path: "file", "folder", or "" (nothing, or a name the system refuses, e.g. too long)."""
    try:
        return "file" if path.is_file() else "folder" if path.is_dir() else ""
    except (OSError, ValueError):
        return ""


def _as_path(source: str) -> Path | None:
    """The file `certificate verify` was given, or None when the argument is QR text.

    Only a plausible path is one: not a certificate code or any URL, at most PATH_MAX long, one
    line, no NUL; and either an existing file or folder, or written like a file name (a folder
    separator or a PDF/image extension), so a missing file is reported as unreadable."""
    if is_certificate_code(source) or "://" in source or len(source) > _MAX_PATH:
        return None
    if any(char in source for char in "\n\r\x00"):
        return None
    path = Path(source)
    if _kind(path):
        return path
    if "/" in source or "\\" in source or path.suffix.lower() in _FILE_SUFFIXES:
        return path
    return None


def _verify_certificate(source: str, services: Services) -> int:
    """0 valid; 1 not valid (expired, revoked, altered, unknown key, no certificate code); 2 unreadable."""
    path = _as_path(source)
    texts = [source]
    kind = _kind(path) if path is not None else ""
    if path is not None and kind != "file":
        # Named like a file, yet nothing readable is there: unreadable input, not a forged code.
        reason = _("it is a folder") if kind == "folder" else _("there is no such file")
        print(_("{path} cannot be read: {reason}.").format(path=path, reason=reason), file=sys.stderr)
        return 2
    if path is not None:
        from desktop_app.devices.qr_decoder import default_chain  # OpenCV only when reading a file

        try:
            texts = default_chain().decode_file(path)
        except OSError:
            print(_("{image}: not an image that can be read.").format(image=path), file=sys.stderr)
            return 2
        if not texts:
            print(_("{image}: no QR code found.").format(image=path), file=sys.stderr)
            return 1
    certificate_texts = [t for t in texts if is_certificate_code(t)]
    result = services.certificates.verify((certificate_texts or texts)[0])
    print(result.message)
    data = result.data
    if data is not None:
        print(
            _("Certificate: {number} · issued on {date}").format(number=data.number, date=format_date(data.issued_on))
        )
        print(_("Customer: {name} (NIT {tax_id})").format(name=data.customer_name, tax_id=data.customer_tax_id))
        print(_("Plan: {plan} · Invoice: {invoice}").format(plan=data.plan_name, invoice=data.invoice_number))
        print(
            _("Validity: {start} to {end}").format(start=format_date(data.valid_from), end=format_date(data.valid_to))
        )
        print(_("Machines: {serials}").format(serials=", ".join(m.serial for m in data.machines)))
        if result.contract_active is not None:
            print(
                _("The contract is active in this database.")
                if result.contract_active
                else _("The contract is no longer active in this database.")
            )
    return 0 if result.verdict is Verdict.VALID else 1


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _queue_json(rows: Sequence[QueueRow]) -> str:
    return json.dumps(
        [
            {
                "number": row.entry.number,
                "customer": row.entry.customer_name,
                "plan": row.entry.plan_code,
                "severity": row.entry.severity.value,
                "status": row.entry.status.value,
                "received_at": _iso(row.entry.received_at),
                "due_at": _iso(row.entry.due_at),
                "sla": row.sla.state.value,
            }
            for row in rows
        ],
        ensure_ascii=False,
        indent=2,
    )


def _all_open_rows(services: Services) -> list[QueueRow]:
    rows: list[QueueRow] = []
    while True:
        page = services.tickets.list_queue(QueueFilter(), offset=len(rows), limit=1000)
        rows.extend(page.rows)
        if len(page.rows) < 1000:
            return rows


FIRST_CALENDAR_YEAR, LAST_CALENDAR_YEAR = 1900, 2200


def _moment(text: str, services: Services) -> datetime:
    """An ISO date-time; without an offset it is Colombia time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise UserFacingError(
            _(
                "“{text}” is not a date and time; write it as 2026-12-01T09:10 (Colombia time) or with an offset."
            ).format(text=text)
        ) from exc
    if not FIRST_CALENDAR_YEAR <= moment.year <= LAST_CALENDAR_YEAR:
        # Far-off years overflow the date arithmetic and mean a typo, not a support promise.
        raise UserFacingError(
            _("“{text}” is out of range: the calendar works with years {first} to {last}.").format(
                text=text, first=FIRST_CALENDAR_YEAR, last=LAST_CALENDAR_YEAR
            )
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=services.policy.calendar().tz)
    return moment


def _calendar(args: argparse.Namespace, services: Services) -> None:
    calendar = services.policy.calendar()
    if args.calendar_command == "holidays":
        for day, name in services.policy.holidays_in(args.year):
            print(f"{day.isoformat()}  {name}")
    elif args.calendar_command == "add":
        if not 0 <= args.hours <= 100_000:
            raise UserFacingError(_("The hours must be between 0 and 100000."))
        start = _moment(args.start, services)
        try:
            due = add_working_time(calendar, start, timedelta(hours=args.hours))
        except OverflowError as exc:  # near the last year, many hours can still run past any date
            raise UserFacingError(
                _("{start} plus {hours} working hours is out of the calendar's range.").format(
                    start=args.start, hours=f"{args.hours:g}"
                )
            ) from exc
        print(due.astimezone(calendar.tz).isoformat())
    else:
        start, end = _moment(args.start, services), _moment(args.end, services)
        if end < start:
            raise UserFacingError(
                _("The end ({end}) is before the start ({start}).").format(end=args.end, start=args.start)
            )
        minutes = working_time_between(calendar, start, end).total_seconds() / 60
        print(f"{minutes:g}")


def _sla(args: argparse.Namespace, services: Services) -> None:
    tickets = services.tickets
    report = tickets.sla_report(tickets.find_ticket_id(args.ticket))
    tz = services.policy.calendar().tz
    sla = report.sla
    print(_("Ticket {number} · policy version {version}").format(number=report.number, version=report.policy_version))
    print(
        _("Promise: {target} · response time {hours}").format(
            target=sla_target_label(sla.target), hours=format_working_hours(report.response_time)
        )
    )
    print(_("Clock started: {when}").format(when=format_datetime(sla.target_started_at, tz)))
    print(_("Due: {when}").format(when=format_datetime(sla.due_at, tz) if sla.due_at else "—"))
    print(_("State: {state}").format(state=sla_text(sla.status)))
    if report.explanation is not None:
        print(_("Why:"))
        for line in explanation_lines(report.explanation, report.holiday_names, tz):
            print(f"  {line}")


def _escalate(args: argparse.Namespace, services: Services, actor: Actor | None) -> None:
    if actor is None:  # a dry run only reads
        notices = services.tickets.check_escalations(dry_run=True)
    else:
        notices = services.tickets.check_escalations(actor=actor, dry_run=args.dry_run)
    for notice in notices:
        print(
            _("{number}: level {old} → {new} ({reason}, {title})").format(
                number=notice.number,
                old=notice.from_level,
                new=notice.decision.to_level,
                reason=notice.decision.reason.value,
                title=notice.decision.title,
            )
        )
    if not notices:
        print(_("Nothing to escalate now."))
    elif args.dry_run:
        print(_("Dry run: nothing was changed."))


def _scan(args: argparse.Namespace, settings: Settings) -> int:
    """Decode every image; with --raw only the texts, otherwise each resolved to its machine."""
    from desktop_app.devices.qr_decoder import default_chain  # OpenCV only when scanning

    chain = default_chain()
    if not chain.available:
        raise UserFacingError(_("No QR decoder could be loaded (zxing-cpp or pyzbar with libzbar)."))
    found_all, unreadable = True, False
    decoded: list[tuple[Path, list[str]]] = []
    for image in args.images:
        try:
            texts = chain.decode_file(image)
        except OSError:
            print(_("{image}: not an image that can be read.").format(image=image), file=sys.stderr)
            unreadable = True
            continue
        if not texts:
            found_all = False
            if not args.raw:
                print(_("{image}: no QR code found.").format(image=image), file=sys.stderr)
        decoded.append((image, texts))
    if args.raw:
        for _image, texts in decoded:
            for text in texts:
                print(text)
    else:
        services = build_services(settings)
        try:
            for image, texts in decoded:
                for text in texts:
                    resolution = services.machines.resolve_scan(text)
                    if resolution.machine_id is None:
                        print(f"{image}: {resolution.message}")
                        continue
                    lookup = services.machines.lookup(resolution.machine_id)
                    m = lookup.machine
                    print(f"{image}: {m.serial} · {m.model_name} · {m.customer_name} ({m.city})")
        finally:
            services.close()
    if unreadable:
        return 2
    return 0 if found_all else 1


def _labels(args: argparse.Namespace, services: Services) -> None:
    check_target(args.out)  # before the sheet is drawn
    customer = services.machines.find_customer(args.customer) if args.customer else None
    pdf, count = services.machines.labels_pdf(customer_id=customer, serials=args.machines or (), sheet=args.sheet)
    write_file(args.out, pdf)
    print(ngettext("{n} label written to {path}", "{n} labels written to {path}", count).format(n=count, path=args.out))


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    """The periodic jobs with no window open, signed in as an account that may run them (the
    service account an administrator creates); the jobs themselves act as the desk."""
    from desktop_app.worker import log, run_worker, setup_logging

    setup_logging(args.log)  # before the database is opened: a failure to open it is logged too
    try:
        services = build_services(settings)
    except UserFacingError as exc:
        log.error(_("Error: {message}").format(message=exc.message))
        return 2
    try:
        try:
            actor = sign_in(args, services.users, Permission.RUN_JOBS)
        except UserFacingError as exc:
            log.error(_("Error: {message}").format(message=exc.message))
            return 2
        log.info(_("Worker signed in as {name}.").format(name=actor.name))
        return run_worker(
            services.jobs,
            database=services.database_label,
            once=args.once,
            interval=args.interval,
            # Disabling the account (or changing its role) stops the worker at its next round.
            check=lambda: services.users.confirm(actor, Permission.RUN_JOBS),
        )
    finally:
        services.close()


def _check_database(settings: Settings) -> int:
    """`db check`: 0 when the full check finds nothing, 1 with one line per problem. Reads only, so
    it opens the database without upgrading it: a damaged file is reported, not refused."""
    services = build_services(settings, migrate=False)
    try:
        result = services.backups.check_database()
    finally:
        services.close()
    if result.ok:
        print(_("No problems found in {db}.").format(db=services.database_label))
        return 0
    print(_("Problems found in {db}:").format(db=services.database_label))
    for problem in result.problems:
        print(f"  {problem}")
    return 1


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    """Replace the database with a backup, also when the database is damaged (what a restore is for).

    The database is opened without being upgraded or checked, and a target that could not be
    replaced (read-only, another program's file) is refused before anything else touches it.
    """
    services = build_services(settings, migrate=False)
    try:
        services.backups.check_restore_target()
        if services.backups.check_database().ok:
            actor = sign_in(args, services.users, Permission.BACKUP)
        elif services.is_local_file:
            # A damaged file cannot say who may sign in. Its owner (the only account that may read
            # or write it: mode 600) could copy the backup over it by hand anyway, so the restore
            # goes on as that account instead of leaving the desk without a way back.
            print(_("The database is damaged, so nobody can sign in to it; restoring as its owner."), file=sys.stderr)
            actor = Actor(None, Role.ADMIN, name=services.database_label)
        else:
            raise UserFacingError(_("The team database cannot be read; restore it as its owner with pg_restore."))
        if not args.yes:
            try:
                answer = input(
                    _("Replace the database {db} with {file}? Type yes to go on: ").format(
                        db=services.database_label, file=args.file
                    )
                )
            except EOFError:  # Ctrl+D at the question
                answer = ""
            if answer.strip().lower() not in ("yes", "sí", "si", "y", "s"):
                print(_("Nothing was changed."))
                return 1
        kept = services.backups.restore(actor, args.file)
        print(_("Restored from {file}. The replaced data was kept in {kept}.").format(file=args.file, kept=kept))
        return 0
    finally:
        services.close()


def _signed_in(args: argparse.Namespace, services: Services) -> Actor | None:
    """The person running a command that changes data; None for a command that only reads.

    On a database nobody can sign in to yet (no administrator with a password), the set-up commands
    `demo` and `certificate keygen` run without one: they are how a new installation starts.
    """
    needs = needed_permission(args)
    if needs is None:
        return None
    setting_up = args.command == "demo" or (args.command == "certificate" and args.certificate_command == "keygen")
    if setting_up and services.users.needs_first_admin():
        return None
    return sign_in(args, services.users, needs)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings(args.db, args.lang)
    command = args.command or "gui"
    if command == "gui":
        from desktop_app.app import run_gui  # Qt is imported only when a window is wanted

        return run_gui(settings, smoke=getattr(args, "smoke", False))
    if command == "scan":
        return _scan(args, settings)
    if command == "restore" and not args.yes and not stdin_is_terminal():
        # Checked before the database is opened: a refused restore changes nothing at all.
        raise UserFacingError(
            _("Restoring replaces the whole database and needs a confirmation: run it in a terminal, or add --yes.")
        )
    if command == "worker":
        return _worker(args, settings)
    if command == "restore":
        return _restore(args, settings)
    if command == "db" and args.db_command == "check":
        return _check_database(settings)
    if command == "mail":
        check_mail_input(args)  # unreadable files, passwords: refused before anything is opened
    services = build_services(settings)
    try:
        if command == "demo" and args.if_empty and services.demo.has_data():
            print(_("The database already has data; demo data not loaded."))
            return 0
        actor = _signed_in(args, services)
        if command == "db":
            print(_("Database ready: {db}").format(db=services.database_label))
        elif command == "demo":
            summary = services.demo.load(services.tickets.now(), reset=args.reset)
            print(
                _(
                    "Demo data loaded: {customers} customers, {machines} machines, {contracts} contracts, "
                    "{tickets} tickets."
                ).format(**summary.__dict__)
            )
            if not services.certificates.can_issue:
                # A demo installation can issue certificates at once; a real office runs keygen itself.
                private, _public = generate_keys(services.settings.keys_dir)
                print(_("Demo signing key created: {private}").format(private=private))
        elif command == "calendar":
            _calendar(args, services)
        elif command == "sla":
            _sla(args, services)
        elif command == "escalate":
            _escalate(args, services, actor)
        elif command == "labels":
            _labels(args, services)
        elif command == "certificate":
            return _certificate(args, services, actor)
        elif command == "import":
            return _import(args, services, actor)
        elif command == "export":
            _export(args, services)
        elif command == "report":
            return run_report(args, services)
        elif command == "web":
            return run_web(args, services)
        elif command == "attachments":
            return run_attachments(args, services)
        elif command == "field":
            return run_field(args, services, actor)
        elif command == "mail":
            return run_mail(args, services.mail, actor)
        elif command == "backup":
            assert actor is not None
            made = services.backups.backup_now(actor, args.out)
            print(_("Backup written: {path}").format(path=made))
        elif command == "queue":
            rows = _all_open_rows(services)
            if args.json:
                print(_queue_json(rows))
            else:
                for row in rows:
                    e = row.entry
                    customer = e.customer_name[:40]
                    print(f"{e.number}  {e.plan_name:<12} {e.severity.value:<8} {customer:<40} {e.status.value}")
        return 0
    finally:
        services.close()


def _language_asked(argv: Sequence[str]) -> str | None:
    """The --lang given anywhere on the line (the last one wins), read before the parser is built so that
    `--help` and argparse's messages about our options are in that language too."""
    language = None
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            language = argv[i + 1]
        elif arg.startswith("--lang="):
            language = arg.partition("=")[2]
    return language


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    i18n.install(_language_asked(argv))
    args = _parser().parse_args(argv)
    i18n.install(args.lang)
    try:
        return _run(args)
    except UserFacingError as exc:
        print(_("Error: {message}").format(message=exc.message), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `makersupport queue | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0
