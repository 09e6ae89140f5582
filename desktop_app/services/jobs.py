"""Periodic jobs: the escalation round (R11), the automatic backup, and later reminders and mail.

Whoever is up runs them: the `makersupport worker` process, and every open window. Each job runs
under a lock named after it and shared through the database (the `JobLock` port), so on one
database a job runs in one place at a time; a job whose lock is held elsewhere is skipped this
turn, and the next turn finds the work done. Each job is idempotent, so a worker and a window
running the same job one after the other is harmless. Qt-free.

A new job plugs in as a `Job` (a stable name, an interval and a callable that says what it did)
added to the list `periodic_jobs()` returns.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from pathlib import Path
from typing import Protocol

from desktop_app.domain.permissions import SYSTEM, Actor
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _, ngettext
from desktop_app.services.ports import JobLock

log = logging.getLogger(__name__)

ESCALATION_EVERY = timedelta(minutes=1)
REMINDERS_EVERY = timedelta(minutes=5)  # a reminder is given once; the round only needs to notice soon
# The backup itself is made once a day (BackupService.run_if_due); this is how often it is checked.
BACKUP_CHECK_EVERY = timedelta(hours=1)
MAIL_FETCH_EVERY = timedelta(seconds=60)
MAIL_SEND_EVERY = timedelta(seconds=30)


class JobStatus(Enum):
    DONE = "done"
    SKIPPED = "skipped"  # its lock was held elsewhere: another process is running it
    FAILED = "failed"


@dataclass(frozen=True)
class Job:
    """One periodic job.

    Attributes:
        name: stable and unique; it names the lock, so every process must use the same one.
        interval: the shortest time between two turns of this job in one process.
        run: does the work (idempotent); returns what it did in a few words, or None when there
            was nothing to do.
    """

    name: str
    interval: timedelta
    run: Callable[[], str | None]


@dataclass(frozen=True)
class JobOutcome:
    """What one turn of a job came to: DONE with what it did ("" when nothing), SKIPPED, or
    FAILED with the error's message."""

    name: str
    status: JobStatus
    summary: str = ""

    @property
    def changed_something(self) -> bool:
        return self.status is JobStatus.DONE and bool(self.summary)


class JobRunner:
    """Runs the jobs that are due, each under its named lock, one after the other.

    A failing job is logged and reported; the others still run. Safe to share between threads:
    a round asked for while another round of this runner is going returns at once, empty.

    Args:
        jobs: the jobs, with unique names.
        lock: the lock shared with the other processes on the same database.
        ticks: a monotonic clock in seconds (tests pass their own).
    """

    def __init__(self, jobs: Sequence[Job], lock: JobLock, *, ticks: Callable[[], float] = time.monotonic) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be unique: {names}")
        self._jobs = tuple(jobs)
        self._lock = lock
        self._ticks = ticks
        self._last_turn: dict[str, float] = {}
        self._round = threading.Lock()

    @property
    def jobs(self) -> tuple[Job, ...]:
        return self._jobs

    def due(self) -> list[Job]:
        """The jobs whose interval has passed since their last turn here (all, on the first round)."""
        now = self._ticks()
        return [
            job
            for job in self._jobs
            if job.name not in self._last_turn or now - self._last_turn[job.name] >= job.interval.total_seconds()
        ]

    def run_due(self, *, stop: Callable[[], bool] | None = None) -> list[JobOutcome]:
        """One round: every due job, in order. `stop` is asked between jobs (a worker shutting
        down finishes the job in hand and starts no other)."""
        if not self._round.acquire(blocking=False):
            return []
        try:
            outcomes: list[JobOutcome] = []
            for job in self.due():
                if stop is not None and stop():
                    break
                outcomes.append(self._run(job))
            return outcomes
        finally:
            self._round.release()

    def _run(self, job: Job) -> JobOutcome:
        # A turn counts when it is attempted: a failing or locked job waits its interval, not a
        # tight loop against a database that is down.
        self._last_turn[job.name] = self._ticks()
        try:
            with self._lock.hold(job.name) as held:
                if not held:
                    log.debug("job %s skipped: running elsewhere", job.name)
                    return JobOutcome(job.name, JobStatus.SKIPPED)
                summary = job.run() or ""
        except UserFacingError as exc:
            log.warning("job %s failed: %s", job.name, exc.message)
            return JobOutcome(job.name, JobStatus.FAILED, exc.message)
        except Exception as exc:  # a bug in one job must not stop the others
            log.exception("job %s failed", job.name)
            return JobOutcome(job.name, JobStatus.FAILED, f"{type(exc).__name__}: {exc}")
        log.debug("job %s done: %s", job.name, summary or "nothing to do")
        return JobOutcome(job.name, JobStatus.DONE, summary)


class _EscalationNotice(Protocol):
    @property
    def ticket_id(self) -> int: ...


class EscalationRound(Protocol):
    def check_escalations(self) -> Sequence[_EscalationNotice]:
        """Escalate what must escalate now, as the desk itself (R11); one notice per level climbed."""
        ...


class AutomaticBackup(Protocol):
    def run_if_due(self) -> Path | None:
        """The day's automatic backup when it is due; its file, or None."""
        ...


def escalation_job(tickets: EscalationRound) -> Job:
    """R11: every open ticket past a level's threshold climbs to that level, acting as SYSTEM."""

    def run() -> str | None:
        n = len({notice.ticket_id for notice in tickets.check_escalations()})  # a ticket may climb two levels
        return ngettext("{n} ticket escalated", "{n} tickets escalated", n).format(n=n) if n else None

    return Job("escalation", ESCALATION_EVERY, run)


def backup_job(backups: AutomaticBackup) -> Job:
    """The embedded database's daily backup (kept for a week)."""

    def run() -> str | None:
        made = backups.run_if_due()
        return _("Automatic backup written: {path}").format(path=made) if made is not None else None

    return Job("backup", BACKUP_CHECK_EVERY, run)


class ReminderRound(Protocol):
    def remind(self) -> int:
        """Write the reminders due now (each given once); how many were written."""
        ...


def reminder_job(notifications: ReminderRound) -> Job:
    """R7, R10, R12: each agent is told of a contact attempt due today, a ticket that may close
    without response, and a response about to be due."""

    def run() -> str | None:
        n = notifications.remind()
        return ngettext("{n} reminder sent", "{n} reminders sent", n).format(n=n) if n else None

    return Job("reminders", REMINDERS_EVERY, run)


class MailFetch(Protocol):
    def fetch(self, *, actor: Actor) -> str | None:
        """Import the support mailbox's new mail, each message once; what was done, or None."""
        ...


def mail_fetch_job(mail: MailFetch) -> Job:
    """Issue 14: the support mailbox read every minute, as the desk itself (services/mail/fetching.py)."""
    return Job("mail_fetch", MAIL_FETCH_EVERY, lambda: mail.fetch(actor=SYSTEM))


class MailSend(Protocol):
    def deliver_due(self, *, actor: Actor) -> str | None:
        """Hand the queued mail that is due to the SMTP server; what was done, or None."""
        ...


def mail_send_job(mail: MailSend) -> Job:
    """Issue 14: the outbox delivered every 30 s, as the desk itself (services/mail/delivery.py)."""
    return Job("mail_send", MAIL_SEND_EVERY, lambda: mail.deliver_due(actor=SYSTEM))


def periodic_jobs(
    tickets: EscalationRound,
    backups: AutomaticBackup,
    notifications: ReminderRound,
    *,
    mail_fetch: MailFetch | None = None,
    mail_send: MailSend | None = None,
) -> list[Job]:
    """Every job the desk runs on its own. Mail jobs join this list."""
    jobs = [escalation_job(tickets), reminder_job(notifications), backup_job(backups)]
    if mail_send is not None:
        jobs.append(mail_send_job(mail_send))
    if mail_fetch is not None:
        jobs.append(mail_fetch_job(mail_fetch))
    return jobs


def round_summary(outcomes: Sequence[JobOutcome]) -> str:
    """What a round did, in one line for a status bar: the jobs that changed something."""
    return " · ".join(outcome.summary for outcome in outcomes if outcome.changed_something)
