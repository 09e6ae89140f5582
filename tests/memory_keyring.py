"""The OS keyring's stand-in on a test machine without one (CI has no Secret Service): a real backend
of the keyring package (its own base class, installed with `keyring.set_keyring`), kept in memory.

The `memory_keyring` fixture (tests/mail_fixtures.py) installs one for a test and puts the previous
backend back afterwards.
"""

from __future__ import annotations

from typing import ClassVar

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Secrets in a dict; deleting one that is not there raises, as the real backends do."""

    priority: ClassVar[float] = 1  # type: ignore[misc]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise PasswordDeleteError("nothing stored")
