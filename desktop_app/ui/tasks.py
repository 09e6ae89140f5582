"""Work off the GUI thread: one database worker (writes are serialised), results back by signal.

Long reads that change nothing (the Informes page's reports) may also go to a small pool of
their own with `read`, so that they run beside each other and beside the writer: one report's
database work (SQLite runs without Python's lock, PostgreSQL in its own process) overlaps
another's arithmetic.

The background function must not touch any widget; `on_success` and `on_failure` run on the GUI
thread. A UserFacingError becomes a message; anything else goes to sys.excepthook (crash dialog).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from desktop_app.errors import UserFacingError


class _Relay(QObject):
    """Carries one task's outcome back to the GUI thread.

    It lives on the GUI thread and its slots are its own methods, so Qt queues the worker's
    emissions to the GUI thread (a bare function as slot would run on the worker).
    """

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._on_success = on_success
        self._on_failure = on_failure
        self.succeeded.connect(self._deliver_success)
        self.failed.connect(self._deliver_failure)

    @Slot(object)
    def _deliver_success(self, result: Any) -> None:
        self._on_success(result)

    @Slot(object)
    def _deliver_failure(self, exc: BaseException) -> None:
        self._on_failure(exc)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:
            outcome, signal_name = exc, "failed"
        else:
            outcome, signal_name = result, "succeeded"
        # RuntimeError: the window that asked was closed meanwhile; nobody is left to tell.
        with contextlib.suppress(RuntimeError):
            getattr(self._relay, signal_name).emit(outcome)


# Threads for `read`: the machines we target have two cores. Two on a SQLite file as on a
# PostgreSQL server: the Informes page's four reports took 1.5 s side by side against 1.8 s one
# after another on a 100,000-ticket SQLite file (alternating runs of bench/report_bench.py's page),
# as plan use waits on SQLite's own work (the interpreter lock released) while the SLA report's
# Python runs.
READERS = 2


class TaskRunner(QObject):
    """Signals:
    busy_changed(bool): work started or all work finished (for the status bar's indicator).

    Args:
        readers: how many reads may run at once.
    """

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, readers: int = READERS) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one DB worker: writes never race each other
        self._readers = QThreadPool(self)
        self._readers.setMaxThreadCount(readers)
        self._running = 0
        self._relays: set[_Relay] = set()

    def run(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[UserFacingError], None] | None = None,
    ) -> None:
        """`fn` on the database worker, after the work queued before it."""
        self._start(self._pool, fn, on_success, on_failure)

    def read(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[UserFacingError], None] | None = None,
    ) -> None:
        """`fn`, which must only read, on the reading pool: beside other reads and the writer."""
        self._start(self._readers, fn, on_success, on_failure)

    def _start(
        self,
        pool: QThreadPool,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None] | None,
        on_failure: Callable[[UserFacingError], None] | None,
    ) -> None:
        relay: _Relay

        def succeeded(result: Any) -> None:
            self._finish(relay)
            if on_success is not None:
                on_success(result)

        def failed(exc: BaseException) -> None:
            self._finish(relay)
            if isinstance(exc, UserFacingError) and on_failure is not None:
                on_failure(exc)
            else:
                sys.excepthook(type(exc), exc, exc.__traceback__)

        # A child of the runner: when the window and its runner go, late results go nowhere.
        relay = _Relay(succeeded, failed, self)
        self._relays.add(relay)
        self._running += 1
        if self._running == 1:
            self.busy_changed.emit(True)
        pool.start(_Task(fn, relay))

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until both queues are empty (shutdown, tests)."""
        return self._pool.waitForDone(msecs) and self._readers.waitForDone(msecs)

    def _finish(self, relay: _Relay) -> None:
        self._relays.discard(relay)
        relay.deleteLater()  # a day of polling would otherwise keep thousands of them
        self._running -= 1
        if self._running == 0:
            self.busy_changed.emit(False)
