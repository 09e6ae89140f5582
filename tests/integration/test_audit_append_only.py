"""R18 in the database itself (migration 0008), on SQLite and PostgreSQL: audit rows cannot be
rewritten or deleted by any statement, and `demo --reset` still erases everything on purpose."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from desktop_app.bootstrap import Services
from desktop_app.persistence.db import make_engine, sqlite_file
from desktop_app.persistence.migrate import alembic_config, upgrade_to_head
from tests.integration.test_cli import run

pytestmark = pytest.mark.usefixtures("english_ui")

MARK = (
    "INSERT INTO audit_log (at, entity, entity_id, action, changes)"
    " VALUES (CURRENT_TIMESTAMP, 'test', '1', 'mark', '{}')"
)
REWRITES = ("UPDATE audit_log SET action = 'rewritten'", "DELETE FROM audit_log", "DELETE FROM audit_log WHERE id > 0")


def _mark(services: Services) -> None:
    with services.engine.begin() as connection:
        connection.execute(text(MARK))


def _marks(services: Services) -> int:
    with services.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'test'")).scalar_one())


def _assert_guarded(services: Services) -> None:
    """Every rewrite is refused and changes nothing (the test's login owns the tables)."""
    with services.engine.connect() as connection:
        before = connection.execute(text("SELECT id, action FROM audit_log ORDER BY id")).all()
    assert before
    for statement in REWRITES:
        with services.engine.begin() as connection, pytest.raises(DBAPIError, match="the audit trail is append-only"):
            connection.execute(text(statement))
    with services.engine.connect() as connection:
        assert connection.execute(text("SELECT id, action FROM audit_log ORDER BY id")).all() == before


def _triggers(services: Services) -> list[tuple[str, str]]:
    """The audit log's triggers: SQLite's with their SQL, PostgreSQL's with their state ("O": on)."""
    query = (
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log' ORDER BY name"
        if services.engine.dialect.name == "sqlite"
        else "SELECT tgname, tgenabled::text FROM pg_trigger"
        " WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal ORDER BY tgname"
    )
    with services.engine.connect() as connection:
        return [(name, definition) for name, definition in connection.execute(text(query))]


def test_R18_the_database_refuses_to_update_or_delete_audit_rows(demo_services: Services) -> None:
    assert len(_triggers(demo_services)) == 2
    if demo_services.engine.dialect.name == "postgresql":
        assert {state for _name, state in _triggers(demo_services)} == {"O"}
    _mark(demo_services)
    _assert_guarded(demo_services)
    path = sqlite_file(demo_services.settings.db_url)
    if path is not None:
        # Another program on the same file (the sqlite3 shell, a script) meets the same triggers.
        with sqlite3.connect(path) as other:
            for statement in REWRITES:
                with pytest.raises(sqlite3.IntegrityError, match="the audit trail is append-only"):
                    other.execute(statement)


def test_R18_demo_reset_erases_the_log_on_purpose_and_the_guard_comes_back(demo_services: Services) -> None:
    _mark(demo_services)
    triggers = _triggers(demo_services)
    summary = demo_services.demo.load(demo_services.tickets.now(), reset=True)
    assert (summary.customers, summary.tickets) == (40, 661)
    assert 120 <= summary.machines <= 180 and summary.contracts >= 30
    with demo_services.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM tickets")).scalar_one() == 661
    assert _marks(demo_services) == 0  # the old log went with the old data
    _mark(demo_services)
    _assert_guarded(demo_services)
    assert _triggers(demo_services) == triggers  # the same, word for word, and on


def test_R18_a_reset_that_does_not_commit_leaves_the_log_and_its_guard(demo_services: Services) -> None:
    """The guard is lifted inside the reset's transaction: a failure half-way takes nothing with it."""
    _mark(demo_services)
    triggers = _triggers(demo_services)
    with demo_services.uow_factory() as uow:
        uow.wipe()
        # no commit: as if loading the new data had failed
    assert _marks(demo_services) == 1
    _assert_guarded(demo_services)
    assert _triggers(demo_services) == triggers


# The command on SQLite: the reset itself (lifting and restoring the guard) on PostgreSQL is the test above.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_R18_makersupport_demo_reset_still_works(demo_services: Services) -> None:
    _mark(demo_services)
    settings = demo_services.settings
    demo_services.engine.dispose()
    result = run("--db", settings.db_url, "demo", "--reset", data_dir=settings.data_dir)
    assert result.returncode == 0, result.stderr
    assert "Demo data loaded: 40 customers" in result.stdout
    assert _marks(demo_services) == 0
    _mark(demo_services)
    _assert_guarded(demo_services)


def test_migration_0008_downgrades_to_no_guard_and_upgrades_back(tmp_path: Path, database_url: str | None) -> None:
    engine = make_engine(database_url or f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        upgrade_to_head(engine)
        with engine.begin() as connection:
            connection.execute(text(MARK))
            command.downgrade(alembic_config(connection), "0007_notice_data")
        with engine.begin() as connection:
            connection.execute(text("UPDATE audit_log SET action = 'unguarded'"))  # the guard is gone
        upgrade_to_head(engine)
        with engine.begin() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text("DELETE FROM audit_log"))
    finally:
        engine.dispose()
