"""Secrets stay secret: no password on a command line, in a message or a log; private file modes."""

from __future__ import annotations

import os
import stat
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from desktop_app.bootstrap import build_services
from desktop_app.config import DATA_DIR_ENV, default_db_url
from desktop_app.domain.permissions import SYSTEM
from desktop_app.persistence import backup
from desktop_app.persistence.db import redact_url
from desktop_app.persistence.tables import CustomerRecord
from desktop_app.services.clock import FixedClock
from tests.conftest import DEMO_NOW, make_settings
from tests.integration.test_cli import run
from tests.pg_server import TemporaryPostgres

SECRET = "s3cr3t-XYZ"

MALFORMED_URLS = [
    f"postgresql://u:{SECRET}@127.0.0.1:notaport/db",  # a port that is not a number
    f"postgresql+psycopg://u:{SECRET}@[::1/db",  # an unclosed IPv6 bracket
    f"u:{SECRET}@127.0.0.1/db",  # no scheme
    f"notascheme://u:{SECRET}@127.0.0.1/db",  # an unknown database
    f"postgresql+nodriver://u:{SECRET}@127.0.0.1:1/db",  # an unknown driver
    f"postgresql+psycopg://u:{SECRET}@127.0.0.1:1/db",  # nobody listening
    f"postgresql+psycopg://u@127.0.0.1:1/db?password={SECRET}",  # the password as an option
    f"postgresql+psycopg://u:{SECRET}@127.0.0.1:1/db?sslmode=bogus",
    f"postgresql://u:pa@{SECRET}/x@127.0.0.1:notaport/db",  # "@" and "/" inside the password
]


@pytest.mark.parametrize(
    ("command", "urls"),
    [
        (["queue"], MALFORMED_URLS),
        (["db", "upgrade"], MALFORMED_URLS[::3]),
        (["backup", "--out", "x"], MALFORMED_URLS[1::3]),
    ],
)
def test_a_bad_database_address_never_shows_its_password(tmp_path: Path, command: list[str], urls: list[str]) -> None:
    for url in urls:
        result = run("--db", url, *command, data_dir=tmp_path)
        assert result.returncode != 0, url
        output = result.stdout + result.stderr
        assert SECRET not in output, output
        assert "Traceback" not in output, output
    for written in tmp_path.rglob("*"):
        if written.is_file():
            assert SECRET.encode() not in written.read_bytes(), written


@pytest.mark.parametrize("url", MALFORMED_URLS)
def test_redact_url_drops_the_password_and_keeps_the_rest(url: str) -> None:
    shown = redact_url(url)
    assert SECRET not in shown
    assert "127.0.0.1" in shown or "[::1" in shown


@pytest.fixture
def pg_with_password(pg: TemporaryPostgres, pg_demo_template: tuple[str, Path]) -> Iterator[str]:
    """A copy of the demo database reached by a login that must give its password (scram), unlike
    the test server's other logins (trust): a dump that did not get the password fails."""
    role = f"r_{uuid.uuid4().hex[:10]}"
    hba = pg.folder / "data" / "pg_hba.conf"
    hba.write_text(f"host all {role} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
    name = pg.create_database(template=pg_demo_template[0])
    with psycopg.connect(host="127.0.0.1", port=pg.port, user="postgres", dbname="postgres", autocommit=True) as c:
        c.execute(sql.SQL("CREATE ROLE {} LOGIN SUPERUSER PASSWORD {}").format(sql.Identifier(role), SECRET))
        c.execute("SELECT pg_reload_conf()")
    yield f"postgresql+psycopg://{role}:{SECRET}@127.0.0.1:{pg.port}/{name}"
    pg.drop_database(name)
    with psycopg.connect(host="127.0.0.1", port=pg.port, user="postgres", dbname="postgres", autocommit=True) as c:
        c.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_pg_dump_and_pg_restore_get_the_password_through_the_environment_not_argv(
    pg_with_password: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands: list[list[str]] = []
    real_run = subprocess.run

    def spy(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        commands.append([str(arg) for arg in args])
        return real_run(args, **kwargs)

    monkeypatch.setattr(backup.subprocess, "run", spy)
    url = pg_with_password
    without_password = url.replace(f":{SECRET}@", "@")
    with pytest.raises(backup.BackupError, match="password"):  # the login really needs it
        backup.backup_database(without_password, tmp_path / "sin-clave.backup")

    out = backup.backup_database(url, tmp_path / "copia.backup")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(CustomerRecord.__table__.update().values(name="BORRADO"))
        engine.dispose()
        backup.restore_database(url, out, datetime(2025, 1, 1, tzinfo=UTC))
        with engine.connect() as connection:
            erased = select(func.count()).select_from(CustomerRecord).where(CustomerRecord.name == "BORRADO")
            assert connection.execute(erased).scalar_one() == 0
    finally:
        engine.dispose()
    tools = [command for command in commands if Path(command[0]).name in ("pg_dump", "pg_restore")]
    assert {Path(command[0]).name for command in tools} == {"pg_dump", "pg_restore"}
    for command in tools:
        assert not any(SECRET in arg for arg in command), command
    assert "PGPASSWORD" not in os.environ  # the child's environment only


@pytest.fixture
def wide_umask() -> Iterator[None]:
    """The usual umask (022), under which a file made without care is readable by everyone."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("wide_umask")
def test_a_new_database_its_wal_and_its_backups_are_readable_by_their_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "nueva" / "makersupport"
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    settings = make_settings(folder)
    assert settings.db_url == default_db_url()  # the default location: its folder is created
    services = build_services(settings, clock=FixedClock(DEMO_NOW))
    try:
        assert _mode(folder) == 0o700
        database = folder / "makersupport.sqlite3"
        assert _mode(database) == 0o600
        for companion in ("-wal", "-shm"):
            assert _mode(database.with_name(database.name + companion)) == 0o600
        manual = services.backups.backup_now(SYSTEM, tmp_path / "copia.sqlite3")
        assert _mode(manual) == 0o600
        automatic = services.backups.run_if_due()
        assert automatic is not None and _mode(automatic) == 0o600
        assert _mode(automatic.parent) == 0o700
        services.engine.dispose()
        kept = services.backups.restore(SYSTEM, manual)
        assert _mode(kept) == 0o600
        assert _mode(database) == 0o600
    finally:
        services.close()


@pytest.mark.usefixtures("wide_umask")
def test_a_database_file_the_user_names_is_created_private_too(tmp_path: Path) -> None:
    database = tmp_path / "mi-base.sqlite3"
    result = run("--db", f"sqlite:///{database}", "db", "upgrade", data_dir=tmp_path / "datos")
    assert result.returncode == 0, result.stderr
    assert _mode(database) == 0o600


@pytest.mark.usefixtures("wide_umask")
def test_a_database_an_older_version_left_readable_by_everyone_is_narrowed_to_its_owner(demo_folder: Path) -> None:
    database = demo_folder / "makersupport.sqlite3"
    os.chmod(database, 0o644)
    services = build_services(make_settings(demo_folder), clock=FixedClock(DEMO_NOW))
    try:
        assert services.users.users(SYSTEM)
        assert _mode(database) == 0o600
    finally:
        services.close()


def test_the_worker_log_names_the_database_without_its_password(tmp_path: Path) -> None:
    from desktop_app.bootstrap import Services

    settings = make_settings(tmp_path, f"postgresql+psycopg://u@127.0.0.1:1/db?password={SECRET}")
    engine = create_engine(settings.db_url)
    label = Services.database_label.fget(SimpleNamespace(settings=settings, engine=engine))  # type: ignore[attr-defined]
    assert SECRET not in label and "127.0.0.1" in label


def test_a_team_database_password_appears_in_no_output_log_file_or_audit_row(
    pg_with_password: str, tmp_path: Path
) -> None:
    """Commands that succeed and commands that fail against a server that needs the password: the
    password shows nowhere a person or another local user could read it afterwards."""
    url = pg_with_password
    wrong = url.replace(f":{SECRET}@", f":{SECRET}-wrong@")  # a wrong password that holds the right one
    as_option = url.replace(f":{SECRET}@", "@") + f"?password={SECRET}"
    port = make_url(url).port
    data = tmp_path / "data"
    log_file = tmp_path / "worker.log"
    not_a_backup = tmp_path / "notes.backup"
    not_a_backup.write_text("not a backup\n")
    outcomes = {
        "db upgrade": (run("--db", url, "db", "upgrade", data_dir=data), 0),
        "queue, password as an option": (run("--db", as_option, "queue", data_dir=data), 0),
        "backup": (run("--db", url, "backup", "--out", str(tmp_path / "copia.backup"), data_dir=data), 0),
        "worker": (run("--db", url, "worker", "--once", "--log", str(log_file), data_dir=data), 0),
        "backup to a missing folder": (
            run("--db", url, "backup", "--out", str(tmp_path / "no-such-folder" / "x.backup"), data_dir=data),
            2,
        ),
        "restore of something else": (run("--db", url, "restore", str(not_a_backup), "--yes", data_dir=data), 2),
        "a wrong password": (run("--db", wrong, "queue", data_dir=data), 2),
        "a wrong password, worker": (
            run("--db", wrong, "worker", "--once", "--log", str(log_file), data_dir=data),
            2,
        ),
        "a port that is not a number": (run("--db", url.replace(f":{port}/", f":{port}x/"), "queue", data_dir=data), 2),
    }
    for what, (result, expected) in outcomes.items():
        output = result.stdout + result.stderr
        assert result.returncode == expected, (what, output)
        assert SECRET not in output, (what, output)
        assert "Traceback" not in output, (what, output)
    assert outcomes["a wrong password"][0].stderr.strip() == "Error: The database server refused the user or password."
    log = log_file.read_text(encoding="utf-8")
    assert "Round" in log or "Ronda" in log, log  # the worker really ran and logged
    assert SECRET not in log, log
    for written in tmp_path.rglob("*"):
        if written.is_file() and written != not_a_backup:
            assert SECRET.encode() not in written.read_bytes(), written
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT * FROM audit_log")).all()
    finally:
        engine.dispose()
    assert rows  # the demo's rows and whatever the commands above wrote
    for row in rows:
        assert SECRET not in " ".join(str(value) for value in row), row
