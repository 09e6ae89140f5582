"""The command line acts as a person (issue 12): commands that change data sign in first, with the
window's own check (the same waits, lock and roles), and what they do is recorded under that person.
Commands that only read need no one.

Driven in-process through `desktop_app.cli.main` on a copy of the demo database.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from desktop_app.bootstrap import Services
from desktop_app.cli import main
from desktop_app.domain.permissions import Permission
from desktop_app.errors import PermissionDeniedError
from desktop_app.services.demo import DEMO_PASSWORD
from tests.conftest import make_settings

WRITE_COMMANDS = [
    ("escalate",),
    ("backup", "--out", "{tmp}/copy.db"),
    ("restore", "--yes", "{tmp}/copy.db"),
    ("demo", "--reset"),
    ("certificate", "keygen"),
    ("certificate", "revoke", "CERT-2026-00001", "--reason", "prueba"),
    ("certificate", "reprint", "CERT-2026-00001", "--out", "{tmp}/c.pdf"),
    ("certificate", "issue", "--contract", "1", "--out", "{tmp}/c.pdf"),
    ("worker", "--once"),
]


@pytest.fixture(autouse=True)
def _nobody_signed_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAKERSUPPORT_DATA_DIR", str(tmp_path / "installation"))
    monkeypatch.delenv("MAKERSUPPORT_USER", raising=False)
    monkeypatch.delenv("MAKERSUPPORT_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # nobody at a terminal


def cli(folder: Path, *args: str) -> int:
    return main(["--db", make_settings(folder).db_url, "--lang", "en", *args])


def _digest(folder: Path) -> str:
    return hashlib.sha256((folder / "makersupport.sqlite3").read_bytes()).hexdigest()


def _rows(folder: Path, query: str, *params: object) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(folder / "makersupport.sqlite3")) as connection:
        return connection.execute(query, params).fetchall()


def _escalation_authors(folder: Path) -> list[object]:
    query = "SELECT author_id FROM ticket_events WHERE kind = 'escalation' ORDER BY id"
    return [row[0] for row in _rows(folder, query)]


def _user_id(folder: Path, username: str) -> object:
    return _rows(folder, "SELECT id FROM users WHERE username = ?", username)[0][0]


def _revoked(folder: Path) -> int:
    return int(_rows(folder, "SELECT count(*) FROM certificates WHERE revoked_at IS NOT NULL")[0][0])


@pytest.mark.parametrize("command", WRITE_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_command_that_changes_data_without_a_user_is_refused_and_changes_nothing(
    demo_folder: Path, tmp_path: Path, command: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    args = [part.format(tmp=tmp_path) for part in command]
    if command[0] == "restore":
        (tmp_path / "copy.db").write_bytes((demo_folder / "makersupport.sqlite3").read_bytes())
    before = _digest(demo_folder)
    assert cli(demo_folder, *args) == 2
    err = capsys.readouterr().err
    assert "needs a signed-in person" in err and "--user" in err and "Traceback" not in err
    assert _digest(demo_folder) == before
    assert not (tmp_path / "c.pdf").exists()
    assert not (tmp_path / "installation" / "keys").exists() or not any((tmp_path / "installation" / "keys").iterdir())


def test_without_a_terminal_or_password_variable_the_command_says_how_to_give_it(
    demo_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(demo_folder, "--user", "admin", "escalate") == 2
    assert "MAKERSUPPORT_PASSWORD" in capsys.readouterr().err


@pytest.mark.parametrize("user", ["admin", "nadie.existe"])
def test_a_wrong_password_and_an_unknown_user_get_the_same_message(
    demo_folder: Path, user: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MAKERSUPPORT_PASSWORD", "not-the-password")
    escalations = len(_escalation_authors(demo_folder))
    assert cli(demo_folder, "--user", user, "escalate") == 2
    assert capsys.readouterr().err.strip() == "Error: Wrong user or password."
    assert len(_escalation_authors(demo_folder)) == escalations  # no ticket moved


def test_the_cli_shares_the_window_s_growing_wait_after_failures(
    demo_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    escalations = len(_escalation_authors(demo_folder))
    monkeypatch.setenv("MAKERSUPPORT_USER", "carolina.rojas")
    monkeypatch.setenv("MAKERSUPPORT_PASSWORD", "wrong-password")
    for _ in range(3):
        assert cli(demo_folder, "escalate") == 2
    capsys.readouterr()
    # Nine more failures, as if typed in the window (the same row counts them): the next wait is 2^9 s from
    # the last one, far longer than this test takes on the slowest machine.
    with closing(sqlite3.connect(demo_folder / "makersupport.sqlite3")) as connection:
        connection.execute("UPDATE users SET failed_sign_ins = failed_sign_ins + 9 WHERE username = 'carolina.rojas'")
        connection.commit()
    # Now even the right password waits, as it would in the sign-in window.
    monkeypatch.setenv("MAKERSUPPORT_PASSWORD", DEMO_PASSWORD)
    assert cli(demo_folder, "escalate") == 2
    assert "try again in" in capsys.readouterr().err
    assert len(_escalation_authors(demo_folder)) == escalations


@pytest.mark.parametrize(
    ("user", "command"),
    [
        ("laura.perez", ("certificate", "revoke", "CERT-2026-00001", "--reason", "x")),  # an agent
        ("diego.martinez", ("escalate",)),  # a technician
        ("carolina.rojas", ("backup", "--out", "{tmp}/copy.db")),  # a coordinator: backups are the administrator's
        ("carolina.rojas", ("certificate", "keygen")),
        ("tareas", ("escalate",)),  # the worker's service account runs the jobs and nothing else
    ],
)
def test_a_role_that_may_not_is_refused_after_the_right_password(
    demo_folder: Path,
    tmp_path: Path,
    user: str,
    command: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MAKERSUPPORT_PASSWORD", DEMO_PASSWORD)
    revoked_before, escalations = _revoked(demo_folder), len(_escalation_authors(demo_folder))
    assert cli(demo_folder, "--user", user, *(part.format(tmp=tmp_path) for part in command)) == 2
    err = capsys.readouterr().err
    assert user in err and ("may not do this" in err or "service account" in err)
    assert not (tmp_path / "copy.db").exists()
    assert not (tmp_path / "installation" / "keys").exists()
    # No data changed (only the sign-in bookkeeping): no escalation, no revocation.
    assert len(_escalation_authors(demo_folder)) == escalations and _revoked(demo_folder) == revoked_before


def test_escalate_run_by_a_coordinator_records_her_on_each_escalation(
    demo_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MAKERSUPPORT_PASSWORD", DEMO_PASSWORD)
    before = _escalation_authors(demo_folder)
    # --user after the command works as well as before it.
    assert cli(demo_folder, "escalate", "--user", "carolina.rojas") == 0
    out = capsys.readouterr().out
    after = _escalation_authors(demo_folder)
    new = after[len(before) :]  # rows come back in insertion order (rowid)
    assert new, out  # the demo queue, days later, has tickets past their thresholds
    assert out.count("level") == len(new)
    assert set(new) == {_user_id(demo_folder, "carolina.rojas")}


def test_the_user_flag_wins_over_the_environment(
    demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MAKERSUPPORT_USER", "laura.perez")  # an agent may not make backups
    monkeypatch.setenv("MAKERSUPPORT_PASSWORD", DEMO_PASSWORD)
    assert cli(demo_folder, "--user", "admin", "backup", "--out", str(tmp_path / "copy.db")) == 0
    assert (tmp_path / "copy.db").is_file()


def test_the_password_is_asked_for_on_a_terminal_and_never_echoed(
    demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[str] = []

    def getpass(prompt: str) -> str:
        asked.append(prompt)
        return DEMO_PASSWORD

    monkeypatch.setattr("desktop_app.cli_sign_in.stdin_is_terminal", lambda: True)
    monkeypatch.setattr("desktop_app.cli_sign_in.getpass.getpass", getpass)
    assert cli(demo_folder, "--user", "admin", "backup", "--out", str(tmp_path / "copy.db")) == 0
    assert asked == ["Password for admin: "]
    assert DEMO_PASSWORD not in capsys.readouterr().out


@pytest.mark.parametrize(
    "command",
    [
        ("queue",),
        ("queue", "--json"),
        ("calendar", "holidays", "2026"),
        ("escalate", "--dry-run"),
        ("certificate", "verify", "MKR1.not-a-code"),
        ("db", "upgrade"),
    ],
)
def test_commands_that_only_read_need_no_sign_in(
    demo_folder: Path, command: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(demo_folder, *command) in (0, 1)  # verify of a bad code answers 1: not valid
    assert "signed-in" not in capsys.readouterr().err


def test_a_new_installation_loads_the_demo_without_anyone_to_sign_in_as(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make run` on a fresh machine: nobody exists yet, so `demo --if-empty` is how the desk starts."""
    folder = tmp_path / "new"
    folder.mkdir()
    assert cli(folder, "demo", "--if-empty") == 0
    assert "Demo data loaded" in capsys.readouterr().out
    # From then on the database has people, and a reset needs its administrator.
    assert cli(folder, "demo", "--reset") == 2


@pytest.mark.usefixtures("english_ui")
def test_the_service_account_cannot_open_the_window_but_may_run_the_jobs(demo_services: Services) -> None:
    users = demo_services.users
    with pytest.raises(PermissionDeniedError, match="service account"):
        users.sign_in("tareas", DEMO_PASSWORD)  # what the sign-in dialog asks for: the window
    actor = users.sign_in("tareas", DEMO_PASSWORD, needs=Permission.RUN_JOBS)
    users.confirm(actor, Permission.RUN_JOBS)
    with pytest.raises(PermissionDeniedError):
        users.confirm(actor, Permission.VIEW)
