"""One slow call on its own thread (a mail server check that may wait for a timeout), so neither the
window nor the database worker of the task runner waits for it.

Everything the call raises is caught in run() and reported by signal (ARCHITECTURE.md, convention 8).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal


class CallWorker(QThread):
    """Signals:
    succeeded(object): what the call returned.
    failed(object): the exception it raised (a UserFacingError is shown; anything else is a bug).
    """

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, call: Callable[[], Any]) -> None:
        super().__init__()
        self._call = call

    def run(self) -> None:
        try:
            result = self._call()
        except BaseException as exc:  # reported, never lost on a thread nobody watches
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
