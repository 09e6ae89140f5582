"""Queue order (R8): plan category, then priority (severity), then order of receipt.

The last key, the ticket number's sequence, only separates tickets received in the same
microsecond, so that the order is total and reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, order=True)
class QueueKey:
    plan_rank: int
    severity_rank: int
    received_at: datetime
    sequence: int


def sort_queue(items: Iterable[T], key: Callable[[T], QueueKey]) -> list[T]:
    return sorted(items, key=key)
