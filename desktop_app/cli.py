"""`makersupport` command line: thin over the services.

makersupport [--db URL] [gui]                    open the desk (default)
makersupport [--db URL] demo [--reset|--if-empty] load the demo data set
makersupport [--db URL] db upgrade               create or upgrade the schema
makersupport [--db URL] queue [--json]           the open queue in policy order
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime

from desktop_app import __version__, i18n
from desktop_app.bootstrap import Services, build_services
from desktop_app.config import load_settings
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _
from desktop_app.services.dto import QueueFilter, QueueRow


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="makersupport", description=_("makeR Soporte — support desk"))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--db", metavar="URL", help=_("database URL (default: the local SQLite file)"))
    parser.add_argument("--lang", choices=("es_CO", "en"), help=_("interface language"))
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
    queue = commands.add_parser("queue", help=_("print the open queue in policy order"))
    queue.add_argument("--json", action="store_true", help=_("machine-readable output"))
    return parser


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


def _run(args: argparse.Namespace) -> int:
    settings = load_settings(args.db, args.lang)
    command = args.command or "gui"
    if command == "gui":
        from desktop_app.app import run_gui  # Qt is imported only when a window is wanted

        return run_gui(settings, smoke=getattr(args, "smoke", False))
    services = build_services(settings)
    try:
        if command == "db":
            print(_("Database ready: {db}").format(db=services.database_label))
        elif command == "demo":
            if args.if_empty and services.demo.has_data():
                print(_("The database already has data; demo data not loaded."))
                return 0
            summary = services.demo.load(services.tickets.now(), reset=args.reset)
            print(
                _(
                    "Demo data loaded: {customers} customers, {machines} machines, {contracts} contracts, "
                    "{tickets} tickets."
                ).format(**summary.__dict__)
            )
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


def main(argv: Sequence[str] | None = None) -> int:
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
