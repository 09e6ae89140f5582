"""Where the desk's database is: the per-user connection file, with the password in the OS keyring.

The file (JSON in the user's config folder) never holds a password. Where a keyring is available
(Windows Credential Manager, macOS Keychain, Secret Service on Linux desktops) the password lives
there; elsewhere it is asked at sign-in and kept only in memory. The keyring package is imported
only when a team server's password is looked up or stored, not when the program starts.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

import platformdirs

from desktop_app.errors import UserFacingError
from desktop_app.i18n import _

KEYRING_SERVICE = "makersupport"
CONFIG_DIR_ENV = "MAKERSUPPORT_CONFIG_DIR"
# A field copy's sync: the office server's password where no keyring keeps it (field_office.py).
OFFICE_PASSWORD_ENV = "MAKERSUPPORT_OFFICE_PASSWORD"


@dataclass(frozen=True)
class Connection:
    kind: str = "sqlite"  # "sqlite" (this computer) or "postgresql" (the team server)
    sqlite_path: str = ""  # empty: the default file in the user's data folder
    host: str = ""
    port: int = 5432
    database: str = "makersupport"
    user: str = ""

    @property
    def keyring_name(self) -> str:
        """The name its password is kept under in the OS keyring ("user@host:port")."""
        return f"{self.user}@{self.host}:{self.port}"

    def url(self, password: str | None = None) -> str | None:
        """The SQLAlchemy URL (None: the default local file)."""
        if self.kind == "sqlite":
            return f"sqlite:///{self.sqlite_path}" if self.sqlite_path else None
        if not self.host or not self.user:
            raise UserFacingError(_("Write the server's address and the user."))
        credentials = quote(self.user, safe="")
        if password:
            credentials += ":" + quote(password, safe="")
        return f"postgresql+psycopg://{credentials}@{self.host}:{self.port}/{quote(self.database, safe='')}"


def config_file() -> Path:
    folder = os.environ.get(CONFIG_DIR_ENV) or platformdirs.user_config_dir("makersupport", "3DmakeR")
    return Path(folder) / "connection.json"


def load_connection() -> Connection | None:
    path = config_file()
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Connection(**{k: v for k, v in data.items() if k in Connection.__dataclass_fields__})
    except (ValueError, TypeError) as exc:
        raise UserFacingError(
            _("The connection file {path} cannot be read; fix it or delete it to use the local database.").format(
                path=path
            )
        ) from exc


def save_connection(connection: Connection) -> Path:
    """Write the connection file atomically (a crash never leaves half a file)."""
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".connection-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(connection), handle, indent=2)
    os.replace(temp, path)
    return path


def keyring_available() -> bool:
    import keyring

    backend = keyring.get_keyring()
    return getattr(backend, "priority", 0) > 0


def stored_password(connection: Connection) -> str | None:
    return password_in_keyring(connection.keyring_name)


def password_in_keyring(name: str) -> str | None:
    """The password kept under `name` ("user@host:port"), or None (no keyring, none kept)."""
    if not keyring_available():
        return None
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, name)
    except KeyringError:
        return None


def remember_password(connection: Connection, password: str) -> bool:
    """Keep the password in the OS keyring; False when there is none (then it is not stored)."""
    return remember_password_as(connection.keyring_name, password)


def remember_password_as(name: str, password: str) -> bool:
    """Keep the password in the OS keyring under `name` ("user@host:port"); False when there is none."""
    if not keyring_available():
        return False
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, name, password)
    except KeyringError:
        return False
    return True
