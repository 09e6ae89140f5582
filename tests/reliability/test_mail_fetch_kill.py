"""Issue 14's fault test: kill -9 during a fetch of 200 mails, 10 times, then a last fetch: every
mail imported exactly once (counted by Message-ID), none lost, the SQLite file sound.

Each mail is imported in its own transaction that also moves the mailbox position on
(services/mail/fetching.py); a process killed at any point leaves either the mail and its position
written, or neither.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop_app.domain.ids import CustomerId
from desktop_app.domain.model import Contact
from desktop_app.domain.permissions import SYSTEM
from desktop_app.persistence.tables import MailboxStateRecord, MailInboxRecord, TicketRecord
from desktop_app.services.mail_ports import MailSecurity
from tests.integration.world import World, bogota, build_world
from tests.mail_lab import SUPPORT, MailLab
from tests.reliability.mail_fetcher import fetcher

ROOT = Path(__file__).resolve().parents[2]
MAILS = 200
KILLS = 10
CONTACT = "jefe.lab@eafit.edu.co"
pytestmark = pytest.mark.usefixtures("english_ui")


def _mail(n: int) -> bytes:
    msg = EmailMessage()
    # One in ten from a known contact naming the machine: a ticket opened through intake.
    msg["From"] = CONTACT if n % 10 == 0 else f"persona{n}@otro.test"
    msg["To"] = SUPPORT
    msg["Subject"] = f"Consulta {n}"
    msg["Message-ID"] = f"<kill-{n}@cliente.test>"
    msg.set_content(f"La impresora MK-R1-EAFIT_R1 presenta la falla número {n} desde ayer.")
    return msg.as_bytes()


def test_kill_9_during_a_fetch_of_200_mails_imports_each_exactly_once(tmp_path: Path, mailboxes: MailLab) -> None:
    world = build_world(tmp_path, bogota(2026, 12, 1, 9, 10))
    with world.services.uow_factory() as uow:
        uow.customers.add_contact(Contact(CustomerId(world.ids["eafit"]), "Jefe", CONTACT, "", ""))
        uow.commit()
    for n in range(MAILS):
        mailboxes.append(SUPPORT, _mail(n))
    imap = mailboxes.imap_settings(security=MailSecurity.NONE)
    # The lab's UIDs keep counting from test to test: this test's mails start after `offset`.
    client = mailboxes.imap(SUPPORT)
    try:
        client.select_folder("INBOX", readonly=True)
        offset = min(client.search(["ALL"])) - 1
    finally:
        client.logout()
    settings = world.services.settings
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MAKERSUPPORT_LANG": "en"}
    rng = random.Random(14)
    killed_mid_way = 0
    for _run in range(KILLS):
        with subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.reliability.mail_fetcher",
                settings.db_url,
                str(settings.data_dir),
                imap.host,
                str(imap.port),
                SUPPORT,
                mailboxes.password(SUPPORT),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        ) as child:
            before = _imported(world)
            # A random moment while it imports: after 1 to 15 more mails, then up to 40 ms more
            # (inside the next mail's transaction, or between two).
            target = before + rng.randint(1, 15)
            deadline = time.monotonic() + 60
            while _imported(world) < target and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.04))
            finished = child.poll() is not None
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            assert child.stderr is not None
            errors = child.stderr.read().decode(errors="replace")
        assert "Traceback" not in errors, errors
        if not finished and _imported(world) < MAILS:
            killed_mid_way += 1
        assert _imported(world) >= before  # what was committed stays
        # The position moved in the same transaction as each mail: n rows, the n-th UID of the test.
        assert (_last_uid(world) or offset) - offset == _imported(world)
        db_file = Path(settings.db_url.removeprefix("sqlite:///"))
        with sqlite3.connect(db_file) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # The kills landed while mail was still coming in (else the test proves nothing).
    assert killed_mid_way == KILLS, killed_mid_way

    fetcher(world.services, imap, mailboxes.password(SUPPORT)).fetch(actor=SYSTEM)

    with world.services.engine.connect() as connection:
        per_id = dict(
            connection.execute(
                select(MailInboxRecord.message_id, func.count()).group_by(MailInboxRecord.message_id)
            ).all()
        )
        tickets = connection.execute(select(func.count()).select_from(TicketRecord)).scalar_one()
    assert per_id == {f"kill-{n}@cliente.test": 1 for n in range(MAILS)}
    assert tickets == MAILS // 10  # one ticket per contact's mail, none twice
    print(f"\nkill -9 x{KILLS} during a fetch of {MAILS} mails: {killed_mid_way} mid-way, each mail once")
    world.services.close()


def _imported(world: World) -> int:
    with world.services.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(MailInboxRecord)).scalar_one())


def _last_uid(world: World) -> int:
    with world.services.engine.connect() as connection:
        return int(connection.execute(select(func.max(MailboxStateRecord.last_uid))).scalar_one() or 0)
