"""Reports build tens of thousands of small objects (moments, history tuples, verdicts) that all
live until the report is made. Python's cyclic garbage collector, triggered every few hundred
allocations, walks them again and again while they grow, and finds nothing to free (none of them
form cycles; reference counting frees them when the report is done): measured on 100,000 tickets,
a fifth of the monthly SLA report's time. So a report is computed with the cyclic collector paused,
and it runs again once the last report being computed (reports may run side by side) is done.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class _Pause:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._was_enabled = False

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._inside == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._inside += 1
        try:
            yield
        finally:
            with self._lock:
                self._inside -= 1
                if self._inside == 0 and self._was_enabled:
                    gc.enable()


_PAUSE = _Pause()


def bulk_read(method: Callable[P, R]) -> Callable[P, R]:
    """A report method, computed with the cyclic collector paused."""

    @wraps(method)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        with _PAUSE.held():
            return method(*args, **kwargs)

    return paused
