"""`makersupport worker`: the desk's periodic jobs with no window open.

A loop over the same `JobRunner` the windows use (services/jobs.py): every round it runs the jobs
that are due (the escalation round of R11 as the desk itself, the daily backup, later reminders and
mail), logs what each did, and sleeps. SIGTERM or Ctrl+C stops it between two jobs; a second
Ctrl+C interrupts the job in hand. A job that fails is logged and the worker goes on.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType

from desktop_app.errors import UserFacingError
from desktop_app.i18n import _
from desktop_app.services.jobs import JobOutcome, JobRunner, JobStatus
from desktop_app.wording import job_label

DEFAULT_INTERVAL_S = 60.0

log = logging.getLogger("desktop_app.worker")


def setup_logging(log_file: Path | None) -> None:
    """Log lines on stderr (the service manager's journal) and, if asked, appended to a file (a
    scheduled task on Windows has no console to read)."""
    handlers: list[logging.Handler] = []
    if sys.stderr is not None:  # None in a windowed (console-less) frozen build
        handlers.append(logging.StreamHandler(sys.stderr))
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    if not handlers:
        handlers.append(logging.NullHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    # The desk's own lines at INFO; libraries (Alembic's start-up chatter) only when they warn.
    logging.basicConfig(level=logging.WARNING, handlers=handlers, force=True)
    logging.getLogger("desktop_app").setLevel(logging.INFO)


def describe(outcome: JobOutcome) -> str:
    """One job's turn, for the log: "escalation: 2 tickets escalated"."""
    if outcome.status is JobStatus.SKIPPED:
        what = _("skipped, running elsewhere")
    elif outcome.status is JobStatus.FAILED:
        what = _("failed: {error}").format(error=outcome.summary)
    else:
        what = outcome.summary or _("nothing to do")
    return f"{job_label(outcome.name)}: {what}"


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and Ctrl+C (SIGBREAK on Windows) ask the loop to stop after the job in hand; the
    previous handlers come back afterwards, and after a first signal, so a second one acts at once."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may install handlers (tests run the loop on a thread)
        return
    names = ["SIGTERM", "SIGINT", "SIGBREAK"]
    signals = [getattr(signal, name) for name in names if hasattr(signal, name)]
    previous = {signum: signal.getsignal(signum) for signum in signals}

    def handler(signum: int, _frame: FrameType | None) -> None:
        stop.set()  # no logging here: a signal handler may interrupt the logging machinery itself
        signal.signal(signum, previous[signum])

    for signum in signals:
        signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def run_worker(
    jobs: JobRunner,
    *,
    database: str,
    once: bool = False,
    interval: float = DEFAULT_INTERVAL_S,
    stop: threading.Event | None = None,
    check: Callable[[], None] | None = None,
) -> int:
    """Run rounds until stopped (or one round with `once`).

    Args:
        jobs: the runner; each round runs its due jobs.
        database: what to call the database in the log (no password).
        once: one round, then exit (tests, cron).
        interval: seconds between two rounds.
        stop: set it to stop the loop (signals set it too).
        check: called before each round; a UserFacingError it raises (the worker's account was disabled) is
            logged and ends the worker.

    Returns:
        The exit code: 0; 1 when `once` and a job failed; 2 when `check` refused.
    """
    stop = stop or threading.Event()
    names = ", ".join(job_label(job.name) for job in jobs.jobs)
    if once:
        log.info(_("Worker: one round of {jobs} on {db}.").format(jobs=names, db=database))
    else:
        log.info(
            _("Worker started on {db}: {jobs}, a round every {seconds:g} s. Stop with Ctrl+C.").format(
                db=database, jobs=names, seconds=interval
            )
        )
    failed = False
    with _stop_on_signals(stop):
        while not stop.is_set():
            if check is not None:
                try:
                    check()
                except UserFacingError as exc:
                    log.error(_("Worker stopped: {message}").format(message=exc.message))
                    return 2
            outcomes = jobs.run_due(stop=stop.is_set)
            _log_round(outcomes)
            failed = failed or any(o.status is JobStatus.FAILED for o in outcomes)
            if once or stop.wait(interval):
                break
    if not once:
        log.info(_("Worker stopped."))
    return 1 if once and failed else 0


def _log_round(outcomes: Sequence[JobOutcome]) -> None:
    if not outcomes:
        return  # no job was due this round
    line = "; ".join(describe(o) for o in outcomes)
    if any(o.status is JobStatus.FAILED for o in outcomes):
        log.warning(_("Round: {jobs}").format(jobs=line))
    else:
        log.info(_("Round: {jobs}").format(jobs=line))
