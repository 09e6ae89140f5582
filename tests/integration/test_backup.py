"""Backup and restore on both databases: never an overwritten file, never a foreign file restored."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop_app.bootstrap import Services
from desktop_app.domain.permissions import SYSTEM
from desktop_app.errors import PermissionDeniedError
from desktop_app.persistence.backup import BackupError
from desktop_app.persistence.tables import CustomerRecord, TicketRecord

pytestmark = pytest.mark.usefixtures("english_ui")


def _tickets(services: Services) -> int:
    with services.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(TicketRecord)).scalar_one()


def test_backup_then_restore_brings_the_data_back(demo_services: Services, tmp_path: Path) -> None:
    out = tmp_path / "copia.backup"
    demo_services.backups.backup_now(SYSTEM, out)
    assert out.stat().st_size > 10_000
    before = _tickets(demo_services)
    erased = select(func.count()).select_from(CustomerRecord).where(CustomerRecord.name == "BORRADO")
    with demo_services.engine.begin() as connection:
        connection.execute(CustomerRecord.__table__.update().values(name="BORRADO"))
        assert connection.execute(erased).scalar_one() == 40
    demo_services.engine.dispose()  # the restore replaces the database under the pool
    kept = demo_services.backups.restore(SYSTEM, out)
    assert kept.exists()
    assert _tickets(demo_services) == before
    with demo_services.engine.connect() as connection:
        assert connection.execute(erased).scalar_one() == 0


def test_a_backup_never_overwrites_a_file(demo_services: Services, tmp_path: Path) -> None:
    out = tmp_path / "ya-existe.backup"
    out.write_text("mi informe")
    with pytest.raises(BackupError, match="already exists"):
        demo_services.backups.backup_now(SYSTEM, out)
    assert out.read_text() == "mi informe"
    assert list(tmp_path.glob(".backup-*")) == []  # no half-written leftovers


def test_restore_refuses_a_file_that_is_not_a_backup(demo_services: Services, tmp_path: Path) -> None:
    before = _tickets(demo_services)
    for name, content in (("texto.backup", b"no soy una copia" * 100), ("vacio.backup", b"")):
        bogus = tmp_path / name
        bogus.write_bytes(content)
        with pytest.raises(BackupError, match="not a"):
            demo_services.backups.restore(SYSTEM, bogus)
    assert _tickets(demo_services) == before


def test_only_an_administrator_backs_up_or_restores(demo_services: Services, tmp_path: Path) -> None:
    from desktop_app.services.demo import DEMO_PASSWORD

    agent = demo_services.users.sign_in("laura.perez", DEMO_PASSWORD)
    with pytest.raises(PermissionDeniedError):
        demo_services.backups.backup_now(agent, tmp_path / "x.backup")
    with pytest.raises(PermissionDeniedError):
        demo_services.backups.restore(agent, tmp_path / "x.backup")


def test_the_embedded_database_is_backed_up_automatically_once_a_day(empty_services: Services, backend: str) -> None:
    backups = empty_services.backups
    first = backups.run_if_due()
    if backend == "postgresql":
        assert first is None  # the team server has its own schedule
        return
    assert first is not None and first.exists()
    assert backups.run_if_due() is None  # not again the same day
    clock = empty_services.tickets._clock
    for day in range(1, 10):
        clock.set(clock.now() + timedelta(hours=25))  # type: ignore[attr-defined]
        made = backups.run_if_due()
        assert made is not None
        # The next check compares file times: age the newest file as if a day had passed.
        import os

        stamp = clock.now().timestamp()  # type: ignore[attr-defined]
        os.utime(made, (stamp, stamp))
        assert day >= 0
    assert len(backups.automatic()) == 7
