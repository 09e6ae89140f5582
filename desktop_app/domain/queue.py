"""Queue order (R8): plan category, then priority (severity), then order of receipt.

This module is the one definition of the order. QueueKey's fields, most significant first, are the
order: sorting in memory compares QueueKey tuples, and the database builds its ORDER BY (and the
index the queue walks) from QUEUE_ORDER by mapping each field to a column of the ticket row
(persistence.tables.QUEUE_COLUMNS). Reorder or add a field here and both follow; a test compares
the two on random tickets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple, TypeVar

from desktop_app.domain.model import Ticket
from desktop_app.domain.policy import PolicySettings

T = TypeVar("T")


class QueueKey(NamedTuple):
    """A tuple, so comparisons run in C: 100,000 tickets sort in about a tenth of a second."""

    plan_rank: int  # the plan's category in the policy; 1 is served first
    severity_rank: int  # the severity's place in the policy's priority list; 1 is the most urgent
    received_at: datetime
    # The order tickets were recorded in (their id): it only separates tickets received in the
    # same microsecond, so that the order is total and reproducible.
    sequence: int


QUEUE_ORDER: tuple[str, ...] = QueueKey._fields
"""The names of the sort keys, most significant first."""


def queue_key(ticket: Ticket, policy: PolicySettings) -> QueueKey:
    """Where a recorded ticket stands in the queue under `policy`.

    Raises:
        ValueError: the ticket has no id yet (it was never recorded).
    """
    if ticket.id is None:
        raise ValueError("a ticket takes its place in the queue once it is recorded")
    return QueueKey(
        policy.plan(ticket.plan_code).rank,
        policy.severity_rank(ticket.severity),
        ticket.received_at,
        ticket.id,
    )


def sort_queue(items: Iterable[T], key: Callable[[T], QueueKey]) -> list[T]:
    return sorted(items, key=key)
