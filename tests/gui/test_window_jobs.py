"""An open window runs the desk's periodic jobs through the same runner and locks as
`makersupport worker`: while a worker holds a job, the window leaves it alone."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop_app.bootstrap import Services
from desktop_app.persistence.job_lock import job_lock_for
from desktop_app.services.jobs import JobRunner, JobStatus, escalation_job
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.tasks import TaskRunner
from tests.gui.conftest import admin_actor


def test_R11_the_window_skips_the_escalation_round_a_worker_is_running(
    qtbot: QtBot, demo_services: Services, tmp_path: Path
) -> None:
    assert demo_services.tickets.check_escalations(dry_run=True)  # the demo has tickets to escalate now
    lock = job_lock_for(demo_services.engine, demo_services.settings.db_url)
    with lock.hold("escalation") as held:  # a worker is in the middle of its escalation round
        assert held
        tasks = TaskRunner()
        window = MainWindow(
            demo_services.desk,
            QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat),
            admin_actor(demo_services),
            tasks,
        )
        qtbot.addWidget(window)
        window.show()
        # The window's first round comes at once, off the GUI thread.
        qtbot.waitUntil(lambda: not demo_services.jobs.due(), timeout=10_000)
        assert tasks.wait()
        qtbot.wait(50)  # the round's result reaches the window
        assert "escalad" not in window.statusBar().currentMessage()
        assert demo_services.tickets.check_escalations(dry_run=True)  # still not escalated
    # The worker's round (here: the same job anywhere else) does it once the lock is free.
    worker = JobRunner([escalation_job(demo_services.tickets)], lock)
    assert [o.status for o in worker.run_due()] == [JobStatus.DONE]
    assert demo_services.tickets.check_escalations(dry_run=True) == []
    window.close()
