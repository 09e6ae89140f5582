"""Failed sign-ins are rate-limited: after a few wrong passwords the account waits a while."""

from __future__ import annotations

from datetime import datetime, timedelta

MAX_FAILURES = 5
LOCK_TIME = timedelta(minutes=15)


def locked_until(failures: int, last_failure: datetime | None) -> datetime | None:
    """When a locked account opens again, or None when it is not locked."""
    if failures < MAX_FAILURES or last_failure is None:
        return None
    return last_failure + LOCK_TIME


def is_locked(failures: int, last_failure: datetime | None, now: datetime) -> bool:
    until = locked_until(failures, last_failure)
    return until is not None and now < until
