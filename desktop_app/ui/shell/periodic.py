"""The window's periodic work, each on its own timer and off the GUI thread through the task
runner: the queue's counts, the poll for other people's changes, my tickets needing attention,
my unread notices, and the round of the desk's periodic jobs (services/jobs.py, the same JobRunner as `makersupport
worker`). It only reads and announces; the window decides what each announcement refreshes."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.domain.permissions import Actor
from desktop_app.errors import UserFacingError
from desktop_app.services.desk import Desk
from desktop_app.services.jobs import JobOutcome, JobStatus, round_summary
from desktop_app.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

COUNTS_REFRESH_MS = 60_000
JOBS_ROUND_MS = 60_000  # how often the window looks for due periodic jobs
CHANGES_POLL_MS = 10_000
ATTENTION_CHECK_MS = 60_000
NOTICES_POLL_MS = 20_000


class PeriodicWork(QObject):
    """Signals:
    counts_read(QueueCounts): the queue's counts, read again.
    others_changed(): someone changed tickets since the last poll (not on the first poll).
    attention_read(tuple): my tickets about to breach or breached (QueueRow).
    jobs_changed(str): a round of jobs changed something; what, in one line.
    job_failed(str): a job failed (already logged); its message.
    unread_read(int): how many of my notices are unread (after every jobs round too: jobs write notices).
    failed(str): background work nobody asked for failed; it is tried again on its next turn.
    """

    counts_read = Signal(object)
    others_changed = Signal()
    attention_read = Signal(tuple)
    jobs_changed = Signal(str)
    job_failed = Signal(str)
    unread_read = Signal(int)
    failed = Signal(str)

    def __init__(self, desk: Desk, actor: Actor, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._desk = desk
        self._actor = actor
        self._tasks = tasks
        self._change_marker: int | None = None
        self._timers: list[QTimer] = []
        self.counts_timer = self._timer(COUNTS_REFRESH_MS, self.read_counts)
        # R11's escalation round and the daily backup of the embedded database; each job's lock
        # keeps it running in one place at a time however many windows and workers are up.
        self.jobs_timer = self._timer(JOBS_ROUND_MS, self.run_jobs)
        # What others change shows up within seconds (polling the audit log's last entry).
        self.changes_timer = self._timer(CHANGES_POLL_MS, self.poll_changes)
        # Warn me before my tickets breach.
        self.attention_timer = self._timer(ATTENTION_CHECK_MS, self.check_attention)
        # My inbox's count: notices written by other windows, the worker, or this window's jobs.
        self.notices_timer = self._timer(NOTICES_POLL_MS, self.read_unread)

    def start(self) -> None:
        """Start every timer; the jobs round and the attention check also run at once."""
        for timer in self._timers:
            timer.start()
        QTimer.singleShot(0, self, self.run_jobs)
        QTimer.singleShot(0, self, self.check_attention)

    def stop(self) -> None:
        for timer in self._timers:
            timer.stop()

    def read_counts(self) -> None:
        self._tasks.run(self._desk.tickets.counts, self.counts_read.emit, self._on_failed)

    def run_jobs(self) -> None:
        """One round of the due periodic jobs."""
        self._tasks.run(self._desk.jobs.run_due, self._on_jobs_ran, self._on_failed)

    def poll_changes(self) -> None:
        self._tasks.run(self._desk.tickets.change_marker, self._on_change_marker, self._on_failed)

    def check_attention(self) -> None:
        user_id = self._actor.user_id
        if user_id is None:
            return
        self._tasks.run(
            lambda: self._desk.tickets.needing_attention(user_id), self.attention_read.emit, self._on_failed
        )

    def read_unread(self) -> None:
        actor = self._actor
        if actor.user_id is None:
            return
        self._tasks.run(lambda: self._desk.notifications.unread_count(actor), self.unread_read.emit, self._on_failed)

    def _timer(self, interval_ms: int, slot: object) -> QTimer:
        timer = QTimer(self, interval=interval_ms)
        timer.timeout.connect(slot)
        self._timers.append(timer)
        return timer

    def _on_jobs_ran(self, outcomes: list[JobOutcome]) -> None:
        for failed in (o for o in outcomes if o.status is JobStatus.FAILED):
            self.job_failed.emit(failed.summary)
        summary = round_summary(outcomes)
        if summary:
            self.jobs_changed.emit(summary)
        self.read_unread()  # escalations and reminders write notices

    def _on_change_marker(self, marker: int) -> None:
        previous, self._change_marker = self._change_marker, marker
        if previous is not None and marker != previous:
            self.others_changed.emit()

    def _on_failed(self, error: UserFacingError) -> None:
        log.warning("background task failed: %s", error.message)
        self.failed.emit(error.message)
