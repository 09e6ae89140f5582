"""Issue 14: the support mailbox fetched from a real Dovecot (tests/mail_lab.py), each mail once.

The position (UIDVALIDITY, last UID) moves in each mail's own transaction; a folder whose
UIDVALIDITY changed is read again from the start and nothing is imported twice.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage

import keyring
import pytest
from sqlalchemy import func, select

from desktop_app.domain.ids import CustomerId
from desktop_app.domain.model import Contact
from desktop_app.domain.permissions import SYSTEM
from desktop_app.errors import PermissionDeniedError
from desktop_app.persistence.tables import MailboxStateRecord, MailInboxRecord
from desktop_app.services.jobs import JobStatus
from desktop_app.services.mail_ports import MailSecurity
from tests.integration.world import World
from tests.mail_lab import SUPPORT, MailLab
from tests.memory_keyring import MemoryKeyring
from tests.reliability.mail_fetcher import fetcher

pytestmark = pytest.mark.usefixtures("english_ui")
CONTACT = "jefe.lab@eafit.edu.co"


def customer_mail(n: int, *, sender: str = "alguien@otro.test", body: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = SUPPORT
    msg["Subject"] = f"Consulta {n}"
    msg["Message-ID"] = f"<m{n}.{secrets.token_hex(4)}@cliente.test>"
    msg.set_content(body or f"Buenos días, consulta número {n} sobre la impresora.")
    return msg.as_bytes()


def _rows(w: World) -> tuple[int, int]:
    """(rows in the inbox, distinct Message-IDs among them)."""
    with w.services.engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(MailInboxRecord)).scalar_one()
        distinct = connection.execute(select(func.count(func.distinct(MailInboxRecord.message_id)))).scalar_one()
    return int(total), int(distinct)


def test_200_mails_are_fetched_each_once_and_a_second_fetch_finds_nothing(world: World, mailboxes: MailLab) -> None:
    with world.services.uow_factory() as uow:
        uow.customers.add_contact(Contact(CustomerId(world.ids["eafit"]), "Jefe", CONTACT, "", ""))
        uow.commit()
    for n in range(200):
        if n % 20 == 0:  # a few known contacts naming their machine: tickets through intake
            mailboxes.append(
                SUPPORT, customer_mail(n, sender=CONTACT, body=f"La impresora MK-R1-EAFIT_R1 falla ({n}).")
            )
        else:
            mailboxes.append(SUPPORT, customer_mail(n))
    fetch = fetcher(world.services, mailboxes.imap_settings(security=MailSecurity.NONE), mailboxes.password(SUPPORT))

    summary = fetch.fetch(actor=SYSTEM)

    assert summary is not None and "200" in summary
    assert _rows(world) == (200, 200)
    assert fetch.fetch(actor=SYSTEM) is None  # nothing new
    assert _rows(world) == (200, 200)
    with world.services.engine.connect() as connection:
        tickets = connection.execute(
            select(func.count()).select_from(MailInboxRecord).where(MailInboxRecord.state == "ticket")
        ).scalar_one()
        last_uid = connection.execute(select(MailboxStateRecord.last_uid)).scalar_one()
    assert tickets == 10
    # Flagged on the server only after each import committed; the position is the folder's last UID
    # (the lab's UIDs keep counting from test to test).
    client = mailboxes.imap(SUPPORT)
    try:
        client.select_folder("INBOX", readonly=True)
        assert len(client.search(["UNSEEN"])) == 0
        assert len(client.search(["KEYWORD", "MakerSoporte"])) == 200
        assert last_uid == max(client.search(["ALL"]))
    finally:
        client.logout()


def test_a_folder_whose_uidvalidity_changed_is_read_again_and_nothing_is_imported_twice(
    world: World, mailboxes: MailLab
) -> None:
    folder = "Soporte"
    mails = [customer_mail(n) for n in range(5)]

    def fill(extra: list[bytes]) -> int:
        client = mailboxes.imap(SUPPORT)
        try:
            client.create_folder(folder)
            for raw in [*mails, *extra]:
                client.append(folder, raw)
            return int(client.select_folder(folder)[b"UIDVALIDITY"])
        finally:
            client.logout()

    first_validity = fill([])
    fetch = fetcher(
        world.services, mailboxes.imap_settings(security=MailSecurity.NONE), mailboxes.password(SUPPORT), folder
    )
    fetch.fetch(actor=SYSTEM)
    assert _rows(world) == (5, 5)
    # The folder is rebuilt (as a server migration does): new UIDVALIDITY, the same mails plus one.
    client = mailboxes.imap(SUPPORT)
    client.delete_folder(folder)
    client.logout()
    time.sleep(1.1)  # Dovecot's UIDVALIDITY is a time stamp
    second_validity = fill([customer_mail(99)])
    assert second_validity != first_validity

    summary = fetch.fetch(actor=SYSTEM)

    assert _rows(world) == (6, 6)  # the five again were recognised; only the new one was added
    assert summary is not None
    with world.services.engine.connect() as connection:
        validity, last_uid = connection.execute(
            select(MailboxStateRecord.uidvalidity, MailboxStateRecord.last_uid).where(
                MailboxStateRecord.folder == folder
            )
        ).one()
    assert (validity, last_uid) == (second_validity, 6)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


def test_the_mail_fetch_job_reads_the_mailbox_with_the_saved_settings(
    world: World, mailboxes: MailLab, memory_keyring: MemoryKeyring
) -> None:
    mail = world.services.mail
    with world.services.uow_factory() as uow:
        uow.customers.add_contact(Contact(CustomerId(world.ids["eafit"]), "Jefe", CONTACT, "", ""))
        uow.commit()
    mailboxes.append(SUPPORT, customer_mail(1, sender=CONTACT, body="La impresora MK-R1-EAFIT_R1 no cura las capas."))
    settings = replace(
        mail.settings(), imap=mailboxes.imap_settings(SUPPORT, MailSecurity.NONE), sender_address=SUPPORT
    )
    mail.save_settings(settings, actor=world.actor("admin"), imap_password=mailboxes.password(SUPPORT))
    assert mail.fetch(actor=SYSTEM) is None  # fetching switched off: the mailbox is not read
    assert _rows(world) == (0, 0)
    mail.save_settings(replace(mail.settings(), fetching_enabled=True), actor=world.actor("admin"))
    assert "mail_fetch" in [job.name for job in world.services.jobs.jobs]

    outcomes = {o.name: o for o in world.services.jobs.run_due()}

    assert outcomes["mail_fetch"].status is JobStatus.DONE, outcomes["mail_fetch"]
    assert outcomes["mail_fetch"].summary == "1 mail received"
    assert _rows(world) == (1, 1)
    with world.services.engine.connect() as connection:
        state, ticket_id = connection.execute(select(MailInboxRecord.state, MailInboxRecord.ticket_id)).one()
    assert state == "ticket" and ticket_id is not None
    with pytest.raises(PermissionDeniedError):  # a technician neither runs jobs nor handles mail
        mail.fetch(actor=world.actor("diego"))


def _read_in_a_mail_program(lab: MailLab) -> None:
    """Someone opens every message of the support mailbox in their own mail program."""
    client = lab.imap(SUPPORT)
    try:
        client.select_folder("INBOX")
        client.add_flags(client.search(["ALL"]), [b"\\Seen"])
    finally:
        client.logout()


def test_the_first_fetch_leaves_old_read_mail_alone_and_then_takes_every_new_mail(
    world: World, mailboxes: MailLab
) -> None:
    # A mailbox the office used for years: its answered mail must not become tickets.
    for n in range(3):
        mailboxes.append(SUPPORT, customer_mail(n))
    _read_in_a_mail_program(mailboxes)
    fetch = fetcher(world.services, mailboxes.imap_settings(security=MailSecurity.NONE), mailboxes.password(SUPPORT))

    assert fetch.fetch(actor=SYSTEM) is None
    assert _rows(world) == (0, 0)

    # Unread mail waiting at the first look is imported; so is new mail someone already read in
    # their own program before the minute's fetch.
    mailboxes.append(SUPPORT, customer_mail(3))
    mailboxes.append(SUPPORT, customer_mail(4))
    _read_in_a_mail_program(mailboxes)
    mailboxes.append(SUPPORT, customer_mail(5))

    summary = fetch.fetch(actor=SYSTEM)

    assert summary is not None and "3" in summary
    assert _rows(world) == (3, 3)
    with world.services.engine.connect() as connection:
        subjects = set(connection.execute(select(MailInboxRecord.subject)).scalars())
    assert subjects == {"Consulta 3", "Consulta 4", "Consulta 5"}


def test_unread_mail_at_the_first_look_is_imported_and_read_mail_beside_it_is_not(
    world: World, mailboxes: MailLab
) -> None:
    mailboxes.append(SUPPORT, customer_mail(0))
    _read_in_a_mail_program(mailboxes)
    mailboxes.append(SUPPORT, customer_mail(1))
    fetch = fetcher(world.services, mailboxes.imap_settings(security=MailSecurity.NONE), mailboxes.password(SUPPORT))

    fetch.fetch(actor=SYSTEM)

    with world.services.engine.connect() as connection:
        subjects = set(connection.execute(select(MailInboxRecord.subject)).scalars())
    assert subjects == {"Consulta 1"}
