"""`makersupport db check` and restoring a damaged database from the command line (issue 12, "Only
our own databases"): the full check reads only, and a damaged file can still be replaced by its
backup, which is what the refusal message tells the user to do."""

from __future__ import annotations

import hashlib
import io
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from desktop_app.cli import main
from tests.conftest import make_settings, signed_in_env
from tests.integration.test_own_databases import _damaged_demo_copy


@pytest.fixture(autouse=True)
def _installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAKERSUPPORT_DATA_DIR", str(tmp_path / "installation"))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    for name, value in signed_in_env().items():
        monkeypatch.setenv(name, value)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_db_check_finds_no_problem_in_a_good_database(demo_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", make_settings(demo_folder).db_url, "--lang", "en", "db", "check"]) == 0
    assert "No problems found" in capsys.readouterr().out


def test_db_check_lists_the_damage_and_changes_nothing(
    demo_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = _damaged_demo_copy(tmp_path, demo_folder)
    before = _sha(damaged)
    assert main(["--db", f"sqlite:///{damaged}", "--lang", "en", "db", "check"]) == 1
    out = capsys.readouterr().out
    assert "Problems found" in out and len(out.splitlines()) >= 2
    assert _sha(damaged) == before


def test_a_damaged_database_is_refused_then_restored_from_its_backup(
    demo_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = demo_folder / "makersupport.sqlite3"
    backup = tmp_path / "copia#1.db"
    assert main(["--db", f"sqlite:///{good}", "--lang", "en", "backup", "--out", str(backup)]) == 0
    damaged = _damaged_demo_copy(tmp_path, demo_folder)
    url = f"sqlite:///{damaged}"
    assert main(["--db", url, "--lang", "en", "queue"]) == 2  # refused: the message says to restore
    capsys.readouterr()
    assert main(["--db", url, "--lang", "en", "restore", "--yes", str(backup)]) == 0
    captured = capsys.readouterr()
    assert "restoring as its owner" in captured.err and "Restored from" in captured.out
    assert main(["--db", url, "--lang", "en", "db", "check"]) == 0
    with closing(sqlite3.connect(damaged)) as connection:
        assert connection.execute("SELECT count(*) FROM tickets").fetchone()[0] > 0


def test_restoring_a_sound_database_still_needs_a_person_who_may(
    demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = demo_folder / "makersupport.sqlite3"
    url = f"sqlite:///{database}"
    backup = tmp_path / "copia.db"
    assert main(["--db", url, "--lang", "en", "backup", "--out", str(backup)]) == 0
    monkeypatch.setenv("MAKERSUPPORT_USER", "carolina.rojas")  # a coordinator: backups are the administrator's
    assert main(["--db", url, "--lang", "en", "restore", "--yes", str(backup)]) == 2
    assert "carolina.rojas may not do this" in capsys.readouterr().err
    assert not list(tmp_path.glob("*before-restore*")) and not list(demo_folder.glob("*before-restore*"))


def _database_audit(database: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(database)) as connection:
        query = "SELECT actor_id, action FROM audit_log WHERE entity = 'database' ORDER BY id"
        return connection.execute(query).fetchall()


def test_a_backup_and_a_restore_are_audited_under_the_person_who_made_them(demo_folder: Path, tmp_path: Path) -> None:
    database = demo_folder / "makersupport.sqlite3"
    url = f"sqlite:///{database}"
    with closing(sqlite3.connect(database)) as connection:
        admin = connection.execute("SELECT id FROM users WHERE username = 'admin'").fetchone()[0]
    backup = tmp_path / "copia.db"
    assert main(["--db", url, "--lang", "en", "backup", "--out", str(backup)]) == 0
    assert _database_audit(database) == [(admin, "backup")]
    assert main(["--db", url, "--lang", "en", "restore", "--yes", str(backup)]) == 0
    # The restored database is the copy, made before the backup's row was written; it gets the restore's row.
    assert _database_audit(database) == [(admin, "restore")]
