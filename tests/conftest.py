"""Shared fixtures. Qt runs offscreen unless the developer asks otherwise (to watch a test)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MAKERSUPPORT_LANG", "es_CO")
# Tests (and the app processes they start) must never read or write the developer's own settings
# or data: QSettings and platformdirs follow these on Linux.
_SANDBOX = tempfile.mkdtemp(prefix="makersupport-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_SANDBOX, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_SANDBOX, "data")
# Who a command signs in as is always chosen by the test (signed_in_env), never the developer's shell.
os.environ.pop("MAKERSUPPORT_USER", None)
os.environ.pop("MAKERSUPPORT_PASSWORD", None)
if os.environ["QT_QPA_PLATFORM"] == "offscreen":
    # The offscreen screen is 800x600 unless told otherwise; the desk is tested on an office screen.
    _SCREEN = os.path.join(_SANDBOX, "offscreen.json")
    with open(_SCREEN, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "screens": [
                    {
                        "name": "office",
                        "x": 0,
                        "y": 0,
                        "width": 1920,
                        "height": 1080,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ]
            },
            handle,
        )
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"

import argon2

from desktop_app import bootstrap, i18n
from desktop_app.bootstrap import Services, build_services
from desktop_app.config import Settings
from desktop_app.security import Argon2PasswordHasher
from desktop_app.services.clock import FixedClock
from desktop_app.services.demo import DEMO_PASSWORD
from tests.pg_server import TemporaryPostgres


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with the cheapest parameters: about 0.1 ms a hash instead of 0.25 s of CPU.

    In the test processes the composition root (bootstrap.build_services) hashes with this one: every demo
    load hashes its 12 users' passwords, every GUI test signs in, and the fuzz tests add users by the
    hundred, which at the production cost was minutes of a test run. A hash records its own parameters,
    so verifying stays the real argon2 check. Production is not touched: desktop_app.security keeps the
    argon2-cffi defaults (RFC 9106 low-memory), checked in tests/unit/test_password_hasher.py, and the
    commands the tests start as subprocesses (makersupport demo, …) hash with them (tests/integration/test_cli.py).
    """

    PARAMETERS = argon2.Parameters(
        type=argon2.Type.ID, version=19, salt_len=16, hash_len=32, time_cost=1, memory_cost=8, parallelism=1
    )

    def __init__(self) -> None:
        super().__init__(argon2.PasswordHasher.from_parameters(self.PARAMETERS))


bootstrap.Argon2PasswordHasher = CheapArgon2PasswordHasher  # type: ignore[misc]

# The mail lab's fixtures (mail_lab, mailboxes) for unit, integration and GUI tests alike.
pytest_plugins = ["tests.mail_fixtures"]

BOGOTA = ZoneInfo("America/Bogota")
# Thursday 26 Nov 2026, 10:30 in Bogotá: a working morning, so the demo queue has every SLA state.
DEMO_NOW = datetime(2026, 11, 26, 10, 30, tzinfo=BOGOTA)


# The files holding the suite's longest tests, longest first. They are moved to the front of the run so
# that under pytest-xdist they start first, while the many short tests fill in beside them, instead of one
# worker running one of them alone at the end. Whole files move, in their own order, so a module-scoped
# fixture is still set up once per worker. Seconds per file: a full run on the shared 2-core machine
# (load about 4), 2 Dec 2026.
LONG_FIRST = (
    "tests/packaging/test_deb_package.py",  # 205 s: PyInstaller build, dpkg -i, smoke test, dpkg -r
    "tests/reliability/test_nothing_lost.py",  # 129 s: 4 processes x 500 PostgreSQL updates, 20 x kill -9
    "tests/unit/mail/test_reading_fuzz.py",  # 65 s: 10,000 mails through the reader
    "tests/reliability/test_mail_fetch_kill.py",  # 22 s: kill -9 ten times during a 200-mail fetch
)


@pytest.hookimpl(trylast=True)  # after tests/packaging/conftest.py's own ordering
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/gui/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.gui)
    rank = {path: n for n, path in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable: the rest keep their order


@pytest.fixture(autouse=True)
def _spanish_ui() -> Iterator[None]:
    """Every test starts in the shipped default language."""
    i18n.install("es_CO")
    yield
    i18n.install("es_CO")


@pytest.fixture
def english_ui() -> None:
    """For tests that read a message: they read the English source text."""
    i18n.install("en")


def signed_in_env(user: str = "admin", password: str = DEMO_PASSWORD) -> dict[str, str]:
    """What a script sets so that a command that changes data signs in (cli_sign_in.py); a demo user by default."""
    return {"MAKERSUPPORT_USER": user, "MAKERSUPPORT_PASSWORD": password}


def make_settings(folder: Path, db_url: str | None = None) -> Settings:
    return Settings(db_url=db_url or f"sqlite:///{folder / 'makersupport.sqlite3'}", data_dir=folder)


@pytest.fixture(scope="session")
def pg() -> Iterator[TemporaryPostgres]:
    """A real PostgreSQL server for this test process, on a free loopback port."""
    server = TemporaryPostgres().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_demo_template(pg: TemporaryPostgres, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The demo data set loaded once into a PostgreSQL database that tests copy (CREATE DATABASE … TEMPLATE)."""
    folder = tmp_path_factory.mktemp("pg-demo-template")
    name = pg.create_database()
    services = build_services(make_settings(folder, pg.url(name)), clock=FixedClock(DEMO_NOW))
    services.demo.load(DEMO_NOW)
    services.close()
    return name, folder


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database built once per test process; tests get their own copy of it."""
    folder = tmp_path_factory.mktemp("demo-template")
    services = build_services(make_settings(folder), clock=FixedClock(DEMO_NOW))
    services.demo.load(DEMO_NOW)
    services.close()
    return folder


@pytest.fixture
def demo_folder(demo_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(demo_template, folder)
    return folder


@pytest.fixture
def demo_services(demo_folder: Path) -> Iterator[Services]:
    services = build_services(make_settings(demo_folder), clock=FixedClock(DEMO_NOW))
    yield services
    services.close()


@pytest.fixture
def empty_services(tmp_path: Path) -> Iterator[Services]:
    services = build_services(make_settings(tmp_path), clock=FixedClock(DEMO_NOW))
    yield services
    services.close()
