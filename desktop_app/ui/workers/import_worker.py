"""One long import (or its dry run) on its own thread, with progress and cancel.

The service reports through a Qt-free Progress (services/importing.py); this worker implements it
with a signal, so the window hears about it on the GUI thread, and with an event it polls to stop.
Everything the work raises is caught in run() and reported by signal (ARCHITECTURE.md, convention 8).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal


class ImportWorker(QThread):
    """Signals:
    progressed(int, str): rows checked so far, and what is being done.
    succeeded(object): the work's result (an ImportReport).
    failed(object): the exception it raised (a UserFacingError is shown; anything else is a bug).
    """

    progressed = Signal(int, str)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Callable[[ImportWorker], Any]) -> None:
        super().__init__()
        self._work = work
        self._cancel = threading.Event()
        self._shown_at = 0.0

    # -- the Progress protocol the service calls (on this thread) ------------------------------------

    def report(self, done: int, text: str) -> None:
        now = time.monotonic()
        if now - self._shown_at >= 0.2:  # a few updates a second keep the bar moving without flooding
            self._shown_at = now
            self.progressed.emit(done, text)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    # -- own API ---------------------------------------------------------------------------------------

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            result = self._work(self)
        except BaseException as exc:  # reported, never lost on a thread nobody watches
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
