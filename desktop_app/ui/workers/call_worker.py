"""One slow call on its own thread (a mail server check that may wait for a timeout), so neither the
window nor the database worker of the task runner waits for it.

Everything the call raises is caught in run() and reported by signal (ARCHITECTURE.md, convention 8).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QThread, Signal


class CallWorker(QThread):
    """Signals:
    succeeded(object): what the call returned.
    failed(object): the exception it raised (a UserFacingError is shown; anything else is a bug).
    """

    succeeded = Signal(object)
    failed = Signal(object)

    # Running workers are kept here until their thread has ended: a QThread whose Python object is
    # collected while it still runs (the view that started it dropped it, or was closed) aborts the
    # whole process ("QThread: Destroyed while thread is still running").
    _alive: ClassVar[set[CallWorker]] = set()

    def __init__(self, call: Callable[[], Any]) -> None:
        super().__init__()
        self._call = call
        self.finished.connect(self._on_finished)

    def start_call(self) -> None:
        """Start the thread; the worker keeps itself alive until it has finished."""
        CallWorker._alive.add(self)
        self.start()

    def run(self) -> None:
        try:
            result = self._call()
        except BaseException as exc:  # reported, never lost on a thread nobody watches
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)

    def _on_finished(self) -> None:
        self.wait()  # `finished` comes just before the thread really ends
        CallWorker._alive.discard(self)
