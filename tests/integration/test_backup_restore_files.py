"""Restore and the files around it (issue 12): a backup whose name holds URI characters is restored
and nothing is created beside it; a restore that cannot write is refused up front and leaves nothing;
a successful one leaves no -wal/-shm of its own; a damaged database can be replaced by its backup."""

from __future__ import annotations

import os
import random
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from desktop_app.persistence.backup import BackupError, DatabaseBackups, backup_database
from tests.conftest import DEMO_NOW, make_settings

pytestmark = pytest.mark.usefixtures("english_ui")


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _read_only(path: Path) -> sqlite3.Connection:
    """Read without leaving a -wal/-shm behind (the listings below count files)."""
    return sqlite3.connect(path.absolute().as_uri() + "?mode=ro&immutable=1", uri=True)


def _customer_names(path: Path) -> set[str]:
    with closing(_read_only(path)) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM customers")}


def _rename_customers(path: Path) -> None:
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("UPDATE customers SET name = 'BORRADO'")
        connection.commit()


@pytest.mark.parametrize("name", ["copia%41.db", "copia#1.db", "copia?x=1.db", "copia 100%.db"])
def test_a_backup_whose_name_has_uri_characters_is_restored_and_nothing_appears_beside_it(
    demo_folder: Path, tmp_path: Path, name: str
) -> None:
    database = demo_folder / "makersupport.sqlite3"
    url = make_settings(demo_folder).db_url
    copies = tmp_path / "copias"
    copies.mkdir()
    backup = backup_database(url, copies / name)
    original = _customer_names(database)
    _rename_customers(database)
    files_before = _names(demo_folder)

    kept = DatabaseBackups(url).restore(backup, DEMO_NOW)

    assert _customer_names(database) == original
    assert _names(copies) == {name}  # no "copia", no -wal/-shm beside the backup
    # The copy kept of the replaced data, and no -wal/-shm of it or of the database.
    assert _names(demo_folder) == files_before | {kept.name}
    assert _customer_names(kept) == {"BORRADO"}


def _assert_refused_leaving_nothing(url: str, database: Path, backup: Path, match: str) -> None:
    folder = database.parent
    files_before = _names(folder)
    bytes_before = database.read_bytes()
    with pytest.raises(BackupError, match=match):
        DatabaseBackups(url).restore(backup, DEMO_NOW)
    assert _names(folder) == files_before  # no before-restore copy, no -wal, no -shm
    assert database.read_bytes() == bytes_before


def test_a_restore_onto_a_database_opened_read_only_is_refused_and_leaves_nothing(
    demo_folder: Path, tmp_path: Path
) -> None:
    database = demo_folder / "makersupport.sqlite3"
    backup = backup_database(make_settings(demo_folder).db_url, tmp_path / "copia.db")
    _rename_customers(database)
    url = f"sqlite:///file:{database}?mode=ro&uri=true"
    _assert_refused_leaving_nothing(url, database, backup, "read-only")
    assert _customer_names(database) == {"BORRADO"}


def _deny_writing(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    real_access = os.access

    def access(p: str | os.PathLike[str], mode: int, **kw: object) -> bool:
        return not (Path(p) == path and mode & os.W_OK) and real_access(p, mode, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)


def test_a_restore_onto_a_read_only_file_is_refused_and_leaves_nothing(
    demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tests run as root, who may write a 444 file: access(2) answers for the file as it would for
    any other user, as in test_cli_inputs."""
    database = demo_folder / "makersupport.sqlite3"
    backup = backup_database(make_settings(demo_folder).db_url, tmp_path / "copia.db")
    database.chmod(0o444)
    _deny_writing(monkeypatch, database)
    _assert_refused_leaving_nothing(make_settings(demo_folder).db_url, database, backup, "is read-only")


def test_a_restore_into_a_folder_that_cannot_be_written_is_refused_and_leaves_nothing(
    demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = demo_folder / "makersupport.sqlite3"
    backup = backup_database(make_settings(demo_folder).db_url, tmp_path / "copia.db")
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda p, mode, **kw: not (Path(p) == demo_folder and mode & os.W_OK) and real_access(p, mode, **kw),
    )
    _assert_refused_leaving_nothing(make_settings(demo_folder).db_url, database, backup, "folder .* is read-only")


def test_a_restore_that_fails_halfway_removes_the_copy_it_kept(
    demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever fails after the copy of the replaced data was made, that copy and its files go again."""
    from desktop_app.persistence import backup as module

    database = demo_folder / "makersupport.sqlite3"
    backup = backup_database(make_settings(demo_folder).db_url, tmp_path / "copia.db")
    real_copy = module._sqlite_copy

    def copy(source: Path, destination: Path, *, from_backup: bool = False) -> None:
        if destination == database:
            raise sqlite3.OperationalError("attempt to write a readonly database")
        real_copy(source, destination, from_backup=from_backup)

    monkeypatch.setattr(module, "_sqlite_copy", copy)
    _assert_refused_leaving_nothing(make_settings(demo_folder).db_url, database, backup, "nothing was changed")


def test_a_restore_does_not_replace_another_programs_file(tmp_path: Path, demo_folder: Path) -> None:
    backup = backup_database(make_settings(demo_folder).db_url, tmp_path / "copia.db")
    folder = tmp_path / "theirs"
    folder.mkdir()
    theirs = folder / "recetas.db"
    with closing(sqlite3.connect(theirs)) as connection:
        connection.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
        connection.commit()
    _assert_refused_leaving_nothing(f"sqlite:///{theirs}", theirs, backup, "not a makeR Soporte database")


def test_a_damaged_database_is_replaced_by_its_backup_and_its_bytes_are_kept(demo_folder: Path, tmp_path: Path) -> None:
    database = demo_folder / "makersupport.sqlite3"
    url = make_settings(demo_folder).db_url
    backup = backup_database(url, tmp_path / "copia.db")
    original = _customer_names(database)
    data = bytearray(database.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 20 * 1024] = random.Random(12).randbytes(20 * 1024)
    database.write_bytes(bytes(data))

    kept = DatabaseBackups(url).restore(backup, DEMO_NOW)

    # What was replaced is kept, damage and all, for whoever wants to look at it.
    assert kept.read_bytes()[middle : middle + 20 * 1024] == data[middle : middle + 20 * 1024]
    assert _customer_names(database) == original
    with closing(_read_only(database)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_restore_target_is_checked_up_front_without_opening_the_database(demo_folder: Path, tmp_path: Path) -> None:
    """What the command line calls before it opens the database (whose read-only connection would
    leave -wal/-shm files behind): the refusal alone, nothing made."""
    from desktop_app.services.backups import BackupService
    from desktop_app.services.clock import FixedClock

    database = demo_folder / "makersupport.sqlite3"
    files_before = _names(demo_folder)
    read_only = BackupService(
        DatabaseBackups(f"sqlite:///file:{database}?mode=ro&uri=true"), tmp_path / "backups", FixedClock(DEMO_NOW)
    )
    with pytest.raises(BackupError, match="read-only"):
        read_only.check_restore_target()
    writable = BackupService(DatabaseBackups(make_settings(demo_folder).db_url), tmp_path, FixedClock(DEMO_NOW))
    writable.check_restore_target()  # ours and writable: no complaint
    assert _names(demo_folder) == files_before
