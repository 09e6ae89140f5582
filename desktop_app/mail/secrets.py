"""The mail passwords: in the OS keyring, else the MAKERSUPPORT_MAIL_PASSWORD environment variable.

As with the team database's password (desktop_app/connection.py), the keyring is the OS's own store
(Windows Credential Manager, macOS Keychain, Secret Service); a server without one (the worker on a
headless machine) gives the password in the environment. Never the database, a file or a log.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import suppress
from typing import Any

KEYRING_SERVICE = "makersupport-mail"
PASSWORD_ENV = "MAKERSUPPORT_MAIL_PASSWORD"


class KeyringSecretStore:
    """SecretStore over the keyring package.

    Args:
        environ: where the fallback variable is read (None: os.environ).
        backend: a keyring backend to use instead of the OS's (tests); None: keyring.get_keyring().
    """

    def __init__(self, *, environ: Mapping[str, str] | None = None, backend: Any | None = None) -> None:
        self._environ = environ
        self._backend = backend

    def _keyring(self) -> Any | None:
        """The backend when a real one is there (the "fail" backend has priority 0), else None.
        keyring is imported here, not at start-up: finding a backend can take a moment."""
        if self._backend is not None:
            return self._backend
        import keyring

        backend = keyring.get_keyring()
        return backend if getattr(backend, "priority", 0) > 0 else None

    def get(self, key: str) -> str | None:
        """The stored secret; else the environment variable (when set and not empty); else None."""
        backend = self._keyring()
        if backend is not None:
            from keyring.errors import KeyringError

            try:
                value = backend.get_password(KEYRING_SERVICE, key)
            except KeyringError:
                value = None
            if value:
                return str(value)
        environ = os.environ if self._environ is None else self._environ
        return environ.get(PASSWORD_ENV) or None

    def put(self, key: str, value: str) -> bool:
        """Keep the secret in the keyring; False when there is none here (nothing is kept)."""
        backend = self._keyring()
        if backend is None:
            return False
        from keyring.errors import KeyringError

        try:
            backend.set_password(KEYRING_SERVICE, key, value)
        except KeyringError:
            return False
        return True

    def delete(self, key: str) -> None:
        """Forget the secret (nothing happens when there is none)."""
        backend = self._keyring()
        if backend is None:
            return
        from keyring.errors import KeyringError

        with suppress(KeyringError):  # PasswordDeleteError (nothing stored) is one
            backend.delete_password(KEYRING_SERVICE, key)
