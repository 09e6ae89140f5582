"""Settings and per-user paths. Qt-free."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "makersupport"
APP_AUTHOR = "3DmakeR"
DB_URL_ENV = "MAKERSUPPORT_DB_URL"
DATA_DIR_ENV = "MAKERSUPPORT_DATA_DIR"


def data_dir() -> Path:
    """Per-user data directory; MAKERSUPPORT_DATA_DIR overrides it (tests, portable installs)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


PRIVATE_FOLDER_MODE = 0o700  # the data folder holds password hashes, signing keys, customers' files
PRIVATE_FILE_MODE = 0o600


def make_private_folder(path: Path) -> None:
    """Create `path` (and missing parents) readable by its owner only.

    A folder that already exists is left as it is: it may be one the user chose and shares.
    Raises OSError like Path.mkdir.
    """
    if path.is_dir():
        return
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER_MODE)
    os.chmod(path, PRIVATE_FOLDER_MODE)  # mkdir's mode is filtered by the umask (and ignored on Windows)


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'makersupport.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    db_url: str
    data_dir: Path
    language: str | None = None

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "makersupport.log"

    @property
    def keys_dir(self) -> Path:
        """The office's certificate signing key and the public keys this installation trusts."""
        return self.data_dir / "keys"


def load_settings(db_url: str | None = None, language: str | None = None, password: str | None = None) -> Settings:
    """Command-line value first, then the environment, then the connection file (with the
    password from the keyring, or `password`), then the per-user SQLite file."""
    url = db_url or os.environ.get(DB_URL_ENV)
    if not url:
        from desktop_app.connection import load_connection, stored_password

        connection = load_connection()
        if connection is not None:
            url = connection.url(password or stored_password(connection))
    return Settings(db_url=url or default_db_url(), data_dir=data_dir(), language=language)
