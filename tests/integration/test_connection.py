"""The connection file: where the database is, never the password (that goes to the keyring)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from desktop_app import connection as conn
from desktop_app.config import DB_URL_ENV, load_settings
from desktop_app.errors import DatabaseUnavailableError, UserFacingError
from desktop_app.persistence.migrate import DatabaseProbe
from tests.memory_keyring import MemoryKeyring

pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(conn.CONFIG_DIR_ENV, str(tmp_path / "config"))
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    previous = keyring.get_keyring()
    yield tmp_path / "config"
    keyring.set_keyring(previous)


def test_the_password_goes_to_the_keyring_never_to_the_file(config_dir: Path) -> None:
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    team = conn.Connection("postgresql", "", "10.0.0.5", 5433, "soporte", "laura")
    path = conn.save_connection(team)
    assert conn.remember_password(team, "s3cr3t: con @ y /")
    assert "s3cr3t" not in path.read_text()
    assert conn.load_connection() == team
    settings = load_settings()
    assert settings.db_url == "postgresql+psycopg://laura:s3cr3t%3A%20con%20%40%20y%20%2F@10.0.0.5:5433/soporte"


def test_without_a_keyring_the_password_is_not_stored(config_dir: Path) -> None:
    from keyring.backends.fail import Keyring as NoKeyring

    keyring.set_keyring(NoKeyring())
    team = conn.Connection("postgresql", "", "db.local", 5432, "soporte", "laura")
    conn.save_connection(team)
    assert not conn.remember_password(team, "s3cr3t")
    assert load_settings().db_url == "postgresql+psycopg://laura@db.local:5432/soporte"
    assert load_settings(password="asked-at-start").db_url.startswith("postgresql+psycopg://laura:asked-at-start@")


def test_the_environment_and_the_command_line_win_over_the_file(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn.save_connection(conn.Connection("sqlite", "/tmp/from-file.sqlite3"))
    assert load_settings().db_url == "sqlite:////tmp/from-file.sqlite3"
    monkeypatch.setenv(DB_URL_ENV, "sqlite:////tmp/from-env.sqlite3")
    assert load_settings().db_url == "sqlite:////tmp/from-env.sqlite3"
    assert load_settings("sqlite:////tmp/from-cli.sqlite3").db_url == "sqlite:////tmp/from-cli.sqlite3"


def test_a_damaged_connection_file_is_a_message(config_dir: Path) -> None:
    config_dir.mkdir(parents=True)
    (config_dir / "connection.json").write_text("{ no es json")
    with pytest.raises(UserFacingError, match="cannot be read"):
        load_settings()


def test_the_probe_tries_the_team_server(pg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    DatabaseProbe().check(pg.url(pg.create_database()))
    with pytest.raises(DatabaseUnavailableError, match="does not answer"):
        DatabaseProbe().check("postgresql+psycopg://nadie@127.0.0.1:1/x")
    with pytest.raises(UserFacingError, match="address and the user"):
        conn.Connection("postgresql", "", "", 5432, "x", "").url()
