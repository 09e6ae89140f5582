"""Reliability checks of issue 4. Their figures are printed (run with -s to see them).

- kill -9 in the middle of 1,000 ticket writes on SQLite, 20 times: the file stays sound and every
  write reported as committed is there;
- 4 processes × 500 concurrent updates of the same 50 tickets on PostgreSQL: every update either
  applied or refused as a conflict, none lost;
- disk full, read-only database, server down while saving: a clear error, nothing half-written.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from desktop_app.bootstrap import Services, build_services
from desktop_app.domain.ids import TicketId
from desktop_app.domain.permissions import SYSTEM
from desktop_app.errors import DatabaseUnavailableError
from desktop_app.persistence.tables import TicketEventRecord
from desktop_app.services.clock import FixedClock
from desktop_app.services.dto import QueueFilter
from tests.conftest import DEMO_NOW, make_settings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("english_ui")


def _child(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MAKERSUPPORT_LANG": "en"}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.workers", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _comments(services: Services, prefix: str) -> set[str]:
    with services.engine.connect() as connection:
        rows = connection.execute(select(TicketEventRecord.body).where(TicketEventRecord.body.like(f"{prefix}%")))
        return {row[0] for row in rows}


def test_kill_9_during_writes_loses_nothing_that_was_committed(demo_folder: Path) -> None:
    settings = make_settings(demo_folder)
    services = build_services(settings, clock=FixedClock(DEMO_NOW))
    ticket_id = services.tickets.list_queue(QueueFilter()).rows[0].entry.id
    db_file = demo_folder / "makersupport.sqlite3"
    rng = random.Random(9)
    committed_total = 0
    for run in range(20):
        confirmed: list[int] = []
        with _child("writer", settings.db_url, str(demo_folder), str(ticket_id), "1000", f"kill{run}") as child:
            assert child.stdout is not None
            # The first write confirmed, the child is writing: the kill lands a random moment later, while
            # it is still in the middle of its 1,000 writes (checked below), not during its start-up.
            first = child.stdout.readline()
            assert first, child.stderr.read() if child.stderr else "the writer wrote nothing"
            confirmed.append(int(first))
            deadline = time.monotonic() + rng.uniform(0.05, 0.6)
            while time.monotonic() < deadline:
                line = child.stdout.readline()
                if not line:
                    break
                confirmed.append(int(line))
            finished = child.poll() is not None
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            # Lines already in the pipe were committed too: collect them after the kill.
            confirmed += [int(line) for line in child.stdout.read().split()]
        with sqlite3.connect(db_file) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        present = _comments(services, f"kill{run}-")
        missing = {f"kill{run}-{n}" for n in confirmed} - present
        assert missing == set(), f"run {run}: committed writes lost: {sorted(missing)[:5]}"
        assert len(present) - len(confirmed) in (0, 1)  # at most the write in flight when killed
        assert not finished and len(present) < 1000, f"run {run}: the kill came after the last write"
        committed_total += len(confirmed)
    services.close()
    print(f"\nkill -9: 20 runs, {committed_total} confirmed writes, 0 lost, integrity_check ok each time")
    assert committed_total > 20


def test_four_processes_updating_the_same_tickets_lose_no_update(pg, pg_demo_template, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    template, _template_folder = pg_demo_template
    url = pg.url(pg.create_database(template=template))
    services = build_services(make_settings(tmp_path, url), clock=FixedClock(DEMO_NOW))
    ids = [row.entry.id for row in services.tickets.list_queue(QueueFilter(open_only=False), 0, 50).rows]
    assert len(ids) == 50
    started = time.monotonic()
    children = [
        _child("updater", url, str(tmp_path), ",".join(map(str, ids)), "500", str(seed), "upd") for seed in range(4)
    ]
    applied = conflicts = 0
    for child in children:
        with child:
            out, err = child.communicate(timeout=600)
        assert child.returncode == 0, err[-2000:]
        a, c = map(int, out.split())
        applied, conflicts = applied + a, conflicts + c
    elapsed = time.monotonic() - started
    assert applied + conflicts == 2000
    # Every applied update is in the audit log, in order; each ticket holds its last one.
    with services.engine.connect() as connection:
        audited = connection.execute(
            text("SELECT entity_id, changes FROM audit_log WHERE entity = 'ticket' AND action = 'update' ORDER BY id")
        ).all()
        final = dict(connection.execute(text("SELECT id, description FROM tickets")).all())
    last: dict[int, str] = {}
    for entity_id, changes in audited:
        after = json.loads(changes)["description"][1]
        assert after.startswith("upd-")
        last[int(entity_id)] = after
    assert len(audited) == applied
    assert all(final[ticket] == description for ticket, description in last.items())
    services.close()
    print(
        f"\nPostgreSQL: 4 × 500 updates on 50 tickets in {elapsed:.1f} s: {applied} applied, "
        f"{conflicts} refused as conflicts, 0 lost"
    )


def test_disk_full_while_saving_is_a_clear_error_and_nothing_is_half_written(demo_services: Services) -> None:
    services = demo_services
    ticket_id = services.tickets.list_queue(QueueFilter()).rows[0].entry.id
    before = len(services.tickets.get_ticket(ticket_id).timeline)
    # SQLite's page limit is a disk that is full right now.
    from sqlalchemy import event

    def full_disk(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    services.engine.dispose()
    event.listen(services.engine, "connect", full_disk)
    with pytest.raises(DatabaseUnavailableError, match="disk is full"):
        services.tickets.add_comment(ticket_id, "x" * 200_000, actor=SYSTEM, to_customer=False)
    event.remove(services.engine, "connect", full_disk)
    services.engine.dispose()
    assert len(services.tickets.get_ticket(ticket_id).timeline) == before


def test_a_read_only_database_while_saving_is_a_clear_error(demo_folder: Path) -> None:
    url = f"sqlite:///file:{demo_folder / 'makersupport.sqlite3'}?mode=ro&uri=true"
    services = build_services(make_settings(demo_folder, url), clock=FixedClock(DEMO_NOW), migrate=False)
    ticket_id = services.tickets.list_queue(QueueFilter()).rows[0].entry.id
    with pytest.raises(DatabaseUnavailableError, match="cannot be opened for writing"):
        services.tickets.add_comment(ticket_id, "Comentario", actor=SYSTEM, to_customer=False)
    services.close()


def test_the_server_going_down_while_saving_is_a_clear_error(pg, pg_demo_template, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import psycopg

    template, _folder = pg_demo_template
    name = pg.create_database(template=template)
    services = build_services(make_settings(tmp_path, pg.url(name)), clock=FixedClock(DEMO_NOW))
    ticket_id = services.tickets.list_queue(QueueFilter()).rows[0].entry.id
    before = len(services.tickets.get_ticket(ticket_id).timeline)
    with psycopg.connect(host="127.0.0.1", port=pg.port, user="postgres", dbname="postgres", autocommit=True) as admin:
        # The database goes away under the desk: its connections are cut and no new one is allowed.
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        with pytest.raises(DatabaseUnavailableError):
            services.tickets.add_comment(TicketId(ticket_id), "Comentario", actor=SYSTEM, to_customer=False)
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
    services.engine.dispose()
    assert len(services.tickets.get_ticket(ticket_id).timeline) == before
    services.close()
