"""Long work over many items (a batch of certificates) on its own thread, with progress and cancel.

Each item is one call; the worker reports after each, but the window is told only when the shown
value would move (a percent) or a second has passed, so a thousand quick items do not flood the
event loop. Cancelling stops before the next item: what was done stays done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QThread, Signal

from desktop_app.errors import UserFacingError


class BatchWorker(QThread):
    """Signals:
    progress(int, int, str): items done, items in all, what was done last.
    finished_batch(list, list): the results, and the messages of the items that were refused.
    """

    progress = Signal(int, int, str)
    finished_batch = Signal(list, list)

    def __init__(self, items: Sequence[Any], work: Callable[[Any], tuple[Any, str]]) -> None:
        super().__init__()
        self._items = list(items)
        self._work = work
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        results: list[Any] = []
        refused: list[str] = []
        total = len(self._items)
        shown_percent, shown_at = -1, 0.0
        try:
            for index, item in enumerate(self._items, start=1):
                if self._cancel.is_set():
                    break
                try:
                    result, said = self._work(item)
                    results.append(result)
                except UserFacingError as exc:
                    said = exc.message
                    refused.append(exc.message)
                percent = index * 100 // total
                now = time.monotonic()
                if percent != shown_percent or now - shown_at >= 1 or index == total:
                    self.progress.emit(index, total, said)
                    shown_percent, shown_at = percent, now
        finally:
            # A bug in one item stops the batch (it goes on to sys.excepthook and the crash report),
            # but what was done is still reported and the progress dialog still closes.
            self.finished_batch.emit(results, refused)
