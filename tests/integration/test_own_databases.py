"""Only our own databases (issue 12): another program's SQLite file and a damaged one are refused
with nothing written, an empty file is initialised, and `db check`'s full check finds the damage.

The CLI is driven in-process through `desktop_app.cli.main` (exit 2 for a UserFacingError), on files
the tests make: another program's database, a copy of the demo database with 20 KB of random bytes
written into its middle (the issue's case).
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop_app.bootstrap import Services, build_services
from desktop_app.cli import main
from desktop_app.errors import DatabaseUnavailableError
from desktop_app.persistence.backup import DatabaseBackups
from desktop_app.persistence.db import make_engine
from desktop_app.persistence.migrate import is_at_head, upgrade_to_head
from desktop_app.services.backups import BackupService, DatabaseCheck
from desktop_app.services.clock import FixedClock
from tests.conftest import DEMO_NOW, make_settings

pytestmark = pytest.mark.usefixtures("english_ui")

COMMANDS = [("db", "upgrade"), ("escalate",), ("queue",)]
DAMAGE = 20 * 1024


@pytest.fixture
def installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This installation's data folder (where the automatic backups are), apart from the database's."""
    folder = tmp_path / "installation"
    monkeypatch.setenv("MAKERSUPPORT_DATA_DIR", str(folder))
    return folder


def cli(path: Path, *args: str, lang: str = "en") -> int:
    return main(["--db", f"sqlite:///{path}", "--lang", lang, *args])


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in the folder with its bytes: nothing changed, nothing appeared (-wal, -shm)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _other_programs_file(folder: Path) -> Path:
    path = folder / "recetas.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
        connection.execute("INSERT INTO recipes (name) VALUES ('ajiaco')")
        connection.commit()
    return path


def _other_alembic_programs_file(folder: Path) -> Path:
    """Another program that also uses Alembic: it has an alembic_version table, but not our tables."""
    path = folder / "inventario.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES ('a1b2c3')")
        connection.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, login TEXT)")  # one name like ours
        connection.execute("CREATE TABLE stock (id INTEGER PRIMARY KEY, item TEXT)")
        connection.commit()
    return path


def _ours_with_a_foreign_table(folder: Path, demo_folder: Path) -> Path:
    path = folder / "mezcla.sqlite3"
    shutil.copyfile(demo_folder / "makersupport.sqlite3", path)
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE payroll (id INTEGER PRIMARY KEY, salary INTEGER)")
        connection.commit()
    return path


def _damaged_demo_copy(folder: Path, demo_folder: Path) -> Path:
    """The issue's case: a demo database copy with 20 KB of random bytes written into its middle."""
    path = folder / "danada.sqlite3"
    data = bytearray((demo_folder / "makersupport.sqlite3").read_bytes())
    middle = len(data) // 2
    data[middle : middle + DAMAGE] = random.Random(12).randbytes(DAMAGE)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", ["other program", "other Alembic program", "ours plus a foreign table"])
def test_another_programs_sqlite_file_is_refused_and_left_byte_identical(
    tmp_path: Path,
    demo_folder: Path,
    installation: Path,
    kind: str,
    command: tuple[str, ...],
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir()
    make = {
        "other program": _other_programs_file,
        "other Alembic program": _other_alembic_programs_file,
        "ours plus a foreign table": lambda f: _ours_with_a_foreign_table(f, demo_folder),
    }[kind]
    path = make(folder)
    before = _snapshot(folder)
    assert cli(path, *command) == 2
    err = capsys.readouterr().err
    assert f"This file is not a makeR Soporte database: {path}. Nothing was changed." in err
    assert "Traceback" not in err
    assert _snapshot(folder) == before


def test_the_refusal_is_in_spanish_too(tmp_path: Path, installation: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _other_programs_file(tmp_path)
    assert cli(path, "db", "upgrade", lang="es_CO") == 2
    assert (
        f"Este archivo no es una base de datos de makeR Soporte: {path}. No se cambió nada." in capsys.readouterr().err
    )


def test_another_programs_file_is_refused_by_the_window_s_probe_too(tmp_path: Path) -> None:
    """The sign-in window's "other database" check (DatabaseProbe) opens nothing for writing either."""
    from desktop_app.persistence.migrate import DatabaseProbe

    path = _other_programs_file(tmp_path)
    before = _snapshot(tmp_path)
    with pytest.raises(DatabaseUnavailableError, match="not a makeR Soporte database"):
        DatabaseProbe().check(f"sqlite:///{path}")
    assert _snapshot(tmp_path) == before


def test_an_empty_file_or_a_new_one_is_initialised(tmp_path: Path) -> None:
    for path in (tmp_path / "vacio.sqlite3", tmp_path / "nuevo.sqlite3"):
        if path.name.startswith("vacio"):
            path.write_bytes(b"")
        engine = make_engine(f"sqlite:///{path}")
        upgrade_to_head(engine)
        assert is_at_head(engine)
        engine.dispose()


def test_a_postgresql_database_with_another_programs_tables_is_refused(pg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = pg.url(pg.create_database())
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE recipes (id integer PRIMARY KEY, name text)"))
    with pytest.raises(DatabaseUnavailableError, match="holds tables of another program"):
        upgrade_to_head(engine)
    with engine.connect() as connection:
        tables = connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
        assert set(tables) == {"recipes"}  # no alembic_version, none of ours
    engine.dispose()


def _automatic_backups(installation: Path, demo_folder: Path) -> Path:
    """Two automatic backups in this installation's backups folder; returns the newest."""
    backups = installation / "backups"
    backups.mkdir(parents=True)
    for stamp in ("20261124-020000", "20261125-020000"):
        shutil.copyfile(demo_folder / "makersupport.sqlite3", backups / f"makersupport-auto-{stamp}.sqlite3")
    return backups / "makersupport-auto-20261125-020000.sqlite3"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_damaged_database_is_refused_naming_the_newest_automatic_backup(
    tmp_path: Path,
    demo_folder: Path,
    installation: Path,
    command: tuple[str, ...],
    capsys: pytest.CaptureFixture[str],
) -> None:
    newest = _automatic_backups(installation, demo_folder)
    folder = tmp_path / "damaged"
    folder.mkdir()
    path = _damaged_demo_copy(folder, demo_folder)
    before = _snapshot(folder)
    assert cli(path, *command) == 2
    err = capsys.readouterr().err
    assert f"The database {path} is damaged; nothing was written to it." in err
    assert f"Restore the newest automatic backup: {newest}" in err
    assert _snapshot(folder) == before


def test_a_damaged_database_with_no_automatic_backup_says_so(
    tmp_path: Path, demo_folder: Path, installation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "damaged"
    folder.mkdir()
    path = _damaged_demo_copy(folder, demo_folder)
    before = _snapshot(folder)
    assert cli(path, "escalate", lang="es_CO") == 2
    err = capsys.readouterr().err
    assert f"La base de datos {path} está dañada" in err and "No hay copia automática" in err
    assert _snapshot(folder) == before


def test_the_window_s_probe_refuses_a_damaged_file_too(tmp_path: Path, demo_folder: Path) -> None:
    from desktop_app.persistence.migrate import DatabaseProbe

    path = _damaged_demo_copy(tmp_path, demo_folder)
    before = _snapshot(tmp_path)
    with pytest.raises(
        DatabaseUnavailableError, match=r"is damaged; nothing was written to it\. Restore it from a backup\."
    ):
        DatabaseProbe().check(f"sqlite:///{path}")
    assert _snapshot(tmp_path) == before


def _check(url: str, folder: Path) -> DatabaseCheck:
    return BackupService(DatabaseBackups(url), folder / "backups", FixedClock(DEMO_NOW)).check_database()


def test_the_full_check_says_ok_on_a_good_database(demo_services: Services) -> None:
    result = demo_services.backups.check_database()
    assert result == DatabaseCheck(ok=True, problems=())


def test_the_full_check_lists_the_problems_of_a_damaged_file(tmp_path: Path, demo_folder: Path) -> None:
    path = _damaged_demo_copy(tmp_path, demo_folder)
    before = _snapshot(tmp_path)
    result = _check(f"sqlite:///{path}", tmp_path)
    assert not result.ok
    assert result.problems and any("malformed" in line or "corrupt" in line for line in result.problems)
    assert _snapshot(tmp_path) == before  # only read: no -wal, no -shm


def test_the_full_check_finds_what_the_quick_check_at_start_up_does_not(tmp_path: Path, demo_folder: Path) -> None:
    """An index that no longer matches its table (integrity_check compares them, quick_check does not)
    and a contact of a customer that does not exist: the database still opens, the full check says why
    it is not ok."""
    path = tmp_path / "indice.sqlite3"
    shutil.copyfile(demo_folder / "makersupport.sqlite3", path)
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA writable_schema = ON")  # the index now claims another column
        connection.execute(
            "UPDATE sqlite_master SET sql = 'CREATE INDEX ix_tickets_customer_id ON tickets (machine_id)'"
            " WHERE name = 'ix_tickets_customer_id'"
        )
        connection.execute("PRAGMA writable_schema = OFF")
        connection.execute("UPDATE contacts SET customer_id = 999999 WHERE id = (SELECT min(id) FROM contacts)")
        connection.commit()
    services = build_services(make_settings(tmp_path, f"sqlite:///{path}"), clock=FixedClock(DEMO_NOW))
    services.close()  # quick_check at start-up lets it open
    result = _check(f"sqlite:///{path}", tmp_path)
    assert not result.ok
    assert any("missing from index ix_tickets_customer_id" in line for line in result.problems)
    assert any("of contacts points to a missing row of customers" in line for line in result.problems)


def test_the_full_check_finds_a_missing_table_and_an_old_revision(
    empty_services: Services, backend: str, tmp_path: Path
) -> None:
    with empty_services.engine.begin() as connection:
        connection.execute(text("DROP TABLE visits"))
        connection.execute(text("UPDATE alembic_version SET version_num = '0006_contract_renewals'"))
    empty_services.engine.dispose()
    result = empty_services.backups.check_database()
    assert not result.ok
    assert any("visits" in line for line in result.problems)
    assert any("0006_contract_renewals" in line for line in result.problems)
