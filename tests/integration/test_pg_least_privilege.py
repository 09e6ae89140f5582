"""R18 defence in depth on a team PostgreSQL server: the owner migrates, packaging/postgres/roles.sql
gives the application a login that reads and appends the audit log but never rewrites it, and the
triggers of migration 0008 refuse the owner too."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import errors, sql
from sqlalchemy import func, select

from desktop_app.bootstrap import build_services
from desktop_app.domain.ids import MachineId, UserId
from desktop_app.domain.model import Channel, Severity
from desktop_app.errors import PermissionDeniedError
from desktop_app.persistence.db import make_engine
from desktop_app.persistence.migrate import upgrade_to_head
from desktop_app.persistence.tables import AuditRecord, CustomerRecord
from desktop_app.services.clock import FixedClock
from desktop_app.services.tickets import IntakeRequest
from tests.conftest import DEMO_NOW, make_settings
from tests.integration.world import PHOTO, bogota, build_world
from tests.pg_server import TemporaryPostgres

pytestmark = pytest.mark.usefixtures("english_ui")

ROLES_SQL = Path(__file__).resolve().parents[2] / "packaging" / "postgres" / "roles.sql"
AUDIT_ROW = "INSERT INTO audit_log (at, entity, entity_id, action, changes) VALUES (now(), 'test', '1', 'note', '{}')"


@dataclass(frozen=True)
class TeamDatabase:
    pg: TemporaryPostgres
    name: str
    owner: str
    app: str

    def url(self, login: str) -> str:
        return f"postgresql+psycopg://{login}@127.0.0.1:{self.pg.port}/{self.name}"

    def connect(self, login: str) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.pg.port, user=login, dbname=self.name, autocommit=True)

    def run_roles_script(self, *, as_login: str, app: str | None = None) -> subprocess.CompletedProcess[str]:
        conninfo = f"host=127.0.0.1 port={self.pg.port} user={as_login} dbname={self.name}"
        return subprocess.run(
            [str(self.pg.bin / "psql"), "-X", "-q", "-v", f"app={app or self.app}", "-f", str(ROLES_SQL), conninfo],
            capture_output=True,
            text=True,
            timeout=60,
        )


def _admin(pg: TemporaryPostgres) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=pg.port, user="postgres", dbname="postgres", autocommit=True)


@pytest.fixture
def team(pg: TemporaryPostgres) -> Iterator[TeamDatabase]:
    """What the README says a server's administrator does: an owner role (no superuser) owning the
    database, the schema made by the owner, then the owner runs roles.sql for the application."""
    suffix = uuid.uuid4().hex[:10]
    team = TeamDatabase(pg, f"team_{suffix}", f"owner_{suffix}", f"app_{suffix}")
    with _admin(pg) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEROLE").format(sql.Identifier(team.owner)))
        admin.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(team.name), sql.Identifier(team.owner))
        )
    engine = make_engine(team.url(team.owner))
    upgrade_to_head(engine)  # `makersupport db upgrade --db postgresql+psycopg://owner@…`
    engine.dispose()
    result = team.run_roles_script(as_login=team.owner)
    assert result.returncode == 0, result.stderr
    yield team
    pg.drop_database(team.name)
    with _admin(pg) as admin:
        for role in (team.app, team.owner):
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_R18_the_application_login_reads_and_appends_the_audit_log_and_can_do_nothing_else_to_it(
    team: TeamDatabase,
) -> None:
    with team.connect(team.app) as app:
        app.execute(AUDIT_ROW)
        assert app.execute("SELECT count(*) FROM audit_log").fetchone() == (1,)
        for refused in (
            "UPDATE audit_log SET action = 'rewritten'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ):
            with pytest.raises(errors.InsufficientPrivilege, match="permission denied for table audit_log"):
                app.execute(refused)
        # Nor can it lift the guard, change the schema or pretend to be at another version.
        for refused in (
            "ALTER TABLE audit_log DISABLE TRIGGER USER",
            "DROP TABLE audit_log",
            "DROP TRIGGER audit_log_no_update_or_delete ON audit_log",
            "CREATE TABLE mine (id int)",
            "UPDATE alembic_version SET version_num = 'x'",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                app.execute(refused)
        assert app.execute("SELECT action FROM audit_log").fetchall() == [("note",)]
        # The desk's other tables are read and written as usual.
        app.execute("UPDATE customers SET version = version WHERE false")
        app.execute("DELETE FROM notifications WHERE false")


@pytest.mark.parametrize("login", ["owner", "postgres"])
def test_R18_the_owner_and_even_a_superuser_are_refused_by_the_trigger(team: TeamDatabase, login: str) -> None:
    with team.connect(team.owner if login == "owner" else "postgres") as connection:
        connection.execute(AUDIT_ROW)
        for refused in (
            "UPDATE audit_log SET action = 'rewritten'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ):
            with pytest.raises(errors.InsufficientPrivilege, match="the audit trail is append-only"):
                connection.execute(refused)
        assert connection.execute("SELECT action FROM audit_log").fetchall() == [("note",)]


def test_R18_desk_work_as_the_application_login(team: TeamDatabase, tmp_path: Path) -> None:
    """Set up, sign in, take a ticket, back up: the whole desk runs on the least-privilege login."""
    world = build_world(tmp_path, bogota(2026, 12, 1, 9, 10), team.url(team.app))
    services = world.services
    try:
        services.users.set_password(world.actor("admin"), UserId(world.ids["admin"]), "clave-admin-1")
        admin = services.users.sign_in("admin", "clave-admin-1")
        with pytest.raises(Exception, match="Wrong user or password"):
            services.users.sign_in("laura", "no-es-su-clave")  # counts a failure: an UPDATE of users
        detail = services.tickets.create_ticket(
            IntakeRequest(
                MachineId(world.ids["eafit_r1"]),
                "El extrusor hace clic y no sale filamento desde esta mañana.",
                Severity.HIGH,
                Channel.EMAIL,
                UserId(world.ids["laura"]),
                (PHOTO,),
            ),
            actor=world.actor("laura"),
        )
        history = services.audit.history_of(admin, "ticket", int(detail.id))
        assert [entry.action for entry in history][-1:] == ["create"]  # newest first: the creation is last
        # pg_dump needs to read every table and sequence: the worker's backups run as this login too.
        copy = services.backups.backup_now(admin, tmp_path / "equipo.backup")
        assert copy.stat().st_size > 0
    finally:
        services.close()


def test_R18_demo_reset_needs_the_owner_and_leaves_the_guard_in_place(team: TeamDatabase, tmp_path: Path) -> None:
    as_app = build_services(make_settings(tmp_path / "app", team.url(team.app)), clock=FixedClock(DEMO_NOW))
    try:
        as_app.demo.load(DEMO_NOW)  # a first load only inserts: the application login may
        with team.connect(team.app) as app:
            app.execute(AUDIT_ROW)
        with as_app.engine.connect() as connection:
            audit_rows = connection.scalar(select(func.count()).select_from(AuditRecord))
        with pytest.raises(PermissionDeniedError, match="Only the database's owner can erase the audit log"):
            as_app.demo.load(DEMO_NOW, reset=True)
        with as_app.engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(AuditRecord)) == audit_rows  # nothing erased
            assert connection.scalar(select(func.count()).select_from(CustomerRecord)) == 40
    finally:
        as_app.close()

    as_owner = build_services(make_settings(tmp_path / "owner", team.url(team.owner)), clock=FixedClock(DEMO_NOW))
    try:
        summary = as_owner.demo.load(DEMO_NOW, reset=True)
        assert summary.customers == 40
    finally:
        as_owner.close()
    with team.connect(team.owner) as owner:
        # The old audit rows went with the rest; the guard is back on.
        assert owner.execute("SELECT count(*) FROM audit_log WHERE entity = 'test'").fetchone() == (0,)
        owner.execute(AUDIT_ROW)
        with pytest.raises(errors.InsufficientPrivilege, match="append-only"):
            owner.execute("DELETE FROM audit_log")
        enabled = owner.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal"
            " AND tgenabled = 'O'"
        ).fetchone()
        assert enabled == (2,)
    # The application login's grants survived the reset (rows were deleted, not tables dropped).
    with team.connect(team.app) as app:
        app.execute(AUDIT_ROW)
        with pytest.raises(errors.InsufficientPrivilege):
            app.execute("DELETE FROM audit_log")


def test_the_roles_script_refuses_a_login_that_is_not_the_owner_and_an_app_login_with_owner_rights(
    team: TeamDatabase,
) -> None:
    refused = team.run_roles_script(as_login=team.app)
    assert refused.returncode != 0
    assert "run this script as the owner" in refused.stderr
    same = team.run_roles_script(as_login=team.owner, app=team.owner)
    assert same.returncode != 0 and "must not be the owner" in same.stderr
    # Run again, it leaves exactly the same grants (after an upgrade, or a grant made by hand).
    with team.connect(team.owner) as owner:
        owner.execute(sql.SQL("GRANT DELETE ON audit_log TO {}").format(sql.Identifier(team.app)))
    again = team.run_roles_script(as_login=team.owner)
    assert again.returncode == 0, again.stderr
    with team.connect(team.app) as app, pytest.raises(errors.InsufficientPrivilege):
        app.execute("DELETE FROM audit_log")
