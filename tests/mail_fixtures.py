"""Pytest fixtures of the mail lab (tests/mail_lab.py), registered for the whole suite by
tests/conftest.py's `pytest_plugins`: a real Dovecot and aiosmtpd per test process (each xdist
worker starts its own), and per test the same lab with every mailbox emptied."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.mail_lab import MailLab
    from tests.memory_keyring import MemoryKeyring


@pytest.fixture(scope="session")
def mail_lab() -> Iterator[MailLab]:
    """Dovecot (IMAP, IMAPS) and SMTP (plain, STARTTLS, TLS) on loopback for this test process."""
    # Imported here: test processes that never touch mail do not load aiosmtpd, trustme, IMAPClient.
    from tests.mail_lab import INSTALL_HINT, MailLab, dovecot_binary

    try:
        dovecot_binary()
    except RuntimeError:
        pytest.fail(f"The mail tests need a real Dovecot: {INSTALL_HINT}.", pytrace=False)
    lab = MailLab().start()
    yield lab
    lab.stop()


@pytest.fixture
def mailboxes(mail_lab: MailLab) -> MailLab:
    """The session's mail lab, with every mailbox empty, nothing in `accepted`, no SMTP faults,
    IMAP and SMTP up: what one test did to the mail servers never reaches the next."""
    mail_lab.reset()
    return mail_lab


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """A keyring in memory for this test (tests/memory_keyring.py); the previous one back after."""
    import keyring

    from tests.memory_keyring import MemoryKeyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
