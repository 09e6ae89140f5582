"""The command line where it is typed without care: `restore` with nobody at a terminal, and
--db/--lang before or after the command. Run as a user runs it: a separate process."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import signed_in_env


def _env(data_dir: Path, lang: str = "en") -> dict[str, str]:
    env = {**os.environ, "MAKERSUPPORT_DATA_DIR": str(data_dir), "MAKERSUPPORT_LANG": lang, **signed_in_env()}
    env.pop("MAKERSUPPORT_DB_URL", None)
    return env


def cli(*args: str, data_dir: Path, lang: str = "en") -> subprocess.CompletedProcess[str]:
    """The command with stdin at end of file (/dev/null), as under cron or a CI job."""
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=_env(data_dir, lang),
        timeout=120,
    )


def cli_with_stdin_closed(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """The command with no stdin at all (`<&-`, as some service managers start it)."""
    return subprocess.run(
        ["sh", "-c", 'exec "$@" <&-', "sh", sys.executable, "-m", "desktop_app", *args],
        capture_output=True,
        text=True,
        env=_env(data_dir),
        timeout=120,
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def database_and_backup(demo_folder: Path, tmp_path: Path) -> tuple[str, Path, Path]:
    """A database with a backup of it, and the database file: the demo's, whose administrator signs the backup
    and the restore in (signed_in_env)."""
    database = demo_folder / "makersupport.sqlite3"
    url = f"sqlite:///{database}"
    backup = tmp_path / "desk.backup"
    made = cli("backup", "--out", str(backup), "--db", url, data_dir=tmp_path)
    assert made.returncode == 0, made.stderr
    return url, database, backup


@pytest.mark.parametrize("stdin", ["at end of file", "closed"])
def test_restore_without_a_terminal_refuses_and_asks_for_yes(
    database_and_backup: tuple[str, Path, Path], tmp_path: Path, stdin: str
) -> None:
    url, database, backup = database_and_backup
    before = sorted(p.name for p in tmp_path.iterdir())
    digest = _digest(database)
    run = cli if stdin == "at end of file" else cli_with_stdin_closed
    result = run("restore", str(backup), "--db", url, data_dir=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "EOFError" not in result.stderr
    assert "--yes" in result.stderr and "confirmation" in result.stderr
    assert _digest(database) == digest  # nothing restored
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing kept aside either


def test_restore_with_yes_needs_no_terminal(database_and_backup: tuple[str, Path, Path], tmp_path: Path) -> None:
    url, _database, backup = database_and_backup
    result = cli_with_stdin_closed("restore", str(backup), "--yes", "--db", url, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Restored from" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("--db", "{url}", "db", "upgrade"),
        ("db", "--db", "{url}", "upgrade"),
        ("db", "upgrade", "--db", "{url}"),
    ],
    ids=["before the command", "after the command", "after the nested command"],
)
def test_db_is_accepted_before_or_after_the_command(tmp_path: Path, args: tuple[str, ...]) -> None:
    target = tmp_path / "chosen.sqlite3"
    result = cli(*(a.format(url=f"sqlite:///{target}") for a in args), data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert target.is_file()
    assert not (tmp_path / "data" / "makersupport.sqlite3").exists()  # not the default database


def test_db_after_a_nested_command_opens_that_database(tmp_path: Path) -> None:
    """`certificate verify X --db URL` reads that database: the default one is never created."""
    target = tmp_path / "chosen.sqlite3"
    result = cli("certificate", "verify", "not a certificate", "--db", f"sqlite:///{target}", data_dir=tmp_path / "d")
    assert result.returncode == 1, result.stderr  # read, and found not to be a certificate
    assert "Traceback" not in result.stderr
    assert target.is_file() and not (tmp_path / "d" / "makersupport.sqlite3").exists()


def test_the_value_after_the_command_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "first.sqlite3", tmp_path / "second.sqlite3"
    result = cli("--db", f"sqlite:///{first}", "db", "upgrade", "--db", f"sqlite:///{second}", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert second.is_file() and not first.exists()


@pytest.mark.parametrize("where", ["before", "after"])
def test_lang_is_accepted_before_or_after_the_command(tmp_path: Path, where: str) -> None:
    command = ("calendar", "between", "2026-12-09T10:00", "2026-12-07T10:00")
    args = ("--lang", "en", *command) if where == "before" else (*command, "--lang", "en")
    result = cli(*args, data_dir=tmp_path, lang="es_CO")
    assert result.returncode == 2
    assert "is before the start" in result.stderr  # English, although the environment says Spanish
    spanish = cli(*command, data_dir=tmp_path, lang="es_CO")
    assert "is before the start" not in spanish.stderr and spanish.returncode == 2


def test_help_speaks_the_language_asked_for(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parser is built after --lang is read, so the commands' help is Spanish by default."""
    from desktop_app.cli import main

    monkeypatch.delenv("MAKERSUPPORT_LANG", raising=False)
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "escalar los tickets que deben escalar ahora" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["escalate", "--help", "--lang", "en"])
    assert "only list them" in capsys.readouterr().out
