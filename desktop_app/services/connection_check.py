"""The port the connection dialog uses to try a database before saving it."""

from __future__ import annotations

from typing import Protocol


class ConnectionCheck(Protocol):
    def check(self, url: str | None) -> None:
        """Raise DatabaseUnavailableError (with a message) unless the database can be used."""
        ...
