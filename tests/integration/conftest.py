"""Storage and service tests run twice: on an SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.bootstrap import Services, build_services
from desktop_app.persistence.db import make_engine
from desktop_app.persistence.migrate import upgrade_to_head
from desktop_app.services.clock import FixedClock
from tests.conftest import DEMO_NOW, make_settings
from tests.integration.world import World, bogota, build_world
from tests.pg_server import TemporaryPostgres

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """An empty database of the backend under test (None: the SQLite file of make_settings)."""
    if backend == "sqlite":
        yield None
        return
    pg: TemporaryPostgres = request.getfixturevalue("pg")
    name = pg.create_database()
    yield pg.url(name)
    pg.drop_database(name)


@pytest.fixture
def demo_services(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Services]:
    """The demo data set on the backend under test, a private copy per test."""
    if backend == "sqlite":
        folder = request.getfixturevalue("demo_folder")
        settings = make_settings(folder)
        cleanup = None
    else:
        pg: TemporaryPostgres = request.getfixturevalue("pg")
        template, template_folder = request.getfixturevalue("pg_demo_template")
        folder = tmp_path / "pg-data"
        shutil.copytree(template_folder, folder)
        name = pg.create_database(template=template)
        settings = make_settings(folder, pg.url(name))
        cleanup = (pg, name)
    services = build_services(settings, clock=FixedClock(DEMO_NOW))
    yield services
    services.close()
    if cleanup is not None:
        cleanup[0].drop_database(cleanup[1])


@pytest.fixture
def empty_services(database_url: str | None, tmp_path: Path) -> Iterator[Services]:
    services = build_services(make_settings(tmp_path, database_url), clock=FixedClock(DEMO_NOW))
    yield services
    services.close()


@pytest.fixture(scope="session")
def sqlite_schema_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file with every migration applied and nothing else, made once per test process."""
    path = tmp_path_factory.mktemp("schema-template") / "makersupport.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schema_template(pg: TemporaryPostgres) -> str:
    """The same on this process's PostgreSQL server: a database that tests copy (CREATE DATABASE … TEMPLATE)."""
    name = pg.create_database()
    engine = make_engine(pg.url(name))
    upgrade_to_head(engine)
    engine.dispose()
    return name


@pytest.fixture
def schema_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """A database of the backend under test with the current schema and no rows (None: the SQLite file of
    make_settings). What build_services makes of an empty database, but without running all the migrations
    again for every test: they are tested on empty databases in test_migrations.py and wherever
    `database_url` is used. The policy's defaults and the mail signing key are still written by
    build_services, with the test's own clock."""
    if backend == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_schema_template"), tmp_path / "makersupport.sqlite3")
        yield None
        return
    pg: TemporaryPostgres = request.getfixturevalue("pg")
    name = pg.create_database(template=request.getfixturevalue("pg_schema_template"))
    yield pg.url(name)
    pg.drop_database(name)


@pytest.fixture
def world(tmp_path: Path, schema_url: str | None) -> Iterator[World]:
    """The hand-made scenario world (world.py), on Tuesday 1 December 2026 at 9:10 in Bogotá."""
    w = build_world(tmp_path, bogota(2026, 12, 1, 9, 10), schema_url)
    yield w
    w.services.close()
