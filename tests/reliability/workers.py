"""Child processes for the reliability checks: they write through the real services and report
each write that was committed, on stdout, the moment the commit returns.

    python -m tests.reliability.workers writer DB_URL DATA_DIR TICKET_ID COUNT TAG
    python -m tests.reliability.workers updater DB_URL DATA_DIR TICKET_IDS COUNT SEED TAG
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import text

from desktop_app.bootstrap import build_services
from desktop_app.config import Settings
from desktop_app.domain.ids import TicketId
from desktop_app.domain.permissions import SYSTEM
from desktop_app.errors import ConflictError

_VERSION = text("SELECT version FROM tickets WHERE id = :id")


def writer(url: str, data_dir: str, ticket_id: int, count: int, tag: str) -> None:
    services = build_services(Settings(db_url=url, data_dir=Path(data_dir)))
    for n in range(count):
        services.tickets.add_comment(TicketId(ticket_id), f"{tag}-{n}", actor=SYSTEM, to_customer=False)
        print(n, flush=True)  # only after the commit returned


def updater(url: str, data_dir: str, ticket_ids: str, count: int, seed: int, tag: str) -> None:
    services = build_services(Settings(db_url=url, data_dir=Path(data_dir)), migrate=False)
    ids = [TicketId(int(i)) for i in ticket_ids.split(",")]
    rng = random.Random(seed)
    applied = conflicts = 0

    def version(ticket_id: TicketId) -> int:
        """The row's version alone: the whole ticket (get_ticket, its timeline and facts) would cost more
        than the update under test, and the check is about the updates."""
        with services.engine.connect() as connection:
            return int(connection.execute(_VERSION, {"id": ticket_id}).scalar_one())

    for n in range(count):
        ticket_id = rng.choice(ids)
        seen = version(ticket_id)  # the version the person's editor opened
        try:
            services.tickets.edit_ticket(
                ticket_id,
                description=f"{tag}-{seed}-{n}: la impresora sigue sin extruir filamento",
                actor=SYSTEM,
                expected_version=seen,
            )
            applied += 1
        except ConflictError:
            conflicts += 1
    print(f"{applied} {conflicts}", flush=True)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "writer":
        writer(args[0], args[1], int(args[2]), int(args[3]), args[4])
    else:
        updater(args[0], args[1], args[2], int(args[3]), int(args[4]), args[5])
