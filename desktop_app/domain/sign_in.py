"""Failed sign-ins slow down the next attempt; only many failures lock an account.

A hard lock after a handful of failures would let anyone lock out ``admin`` by typing five wrong passwords, so the
wait grows per user name instead (1 s, 2 s, 4 s, ... capped at five minutes) and only a long run of failures locks
the account until an administrator unlocks it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
FREE_FAILURES = 3  # wrong passwords allowed before any wait
MAX_DELAY = timedelta(minutes=5)
HARD_LOCK_FAILURES = 20


def retry_delay(failures: int) -> timedelta:
    """How long after the last failure the next attempt must wait: 2^(n-3) s after n >= 3 failures, capped."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    exponent = failures - FREE_FAILURES
    if exponent >= 20:  # 2^20 s is far past the cap; avoids huge numbers
        return MAX_DELAY
    return min(timedelta(seconds=2**exponent), MAX_DELAY)


def wait_seconds(failures: int, last_failure: datetime | None, now: datetime) -> int:
    """Whole seconds still to wait before the next attempt is even checked (0 = try now)."""
    if last_failure is None:
        return 0
    remaining = (last_failure + retry_delay(failures) - now).total_seconds()
    return max(0, math.ceil(remaining))


def is_hard_locked(failures: int) -> bool:
    """True once the account needs an administrator to unlock it."""
    return failures >= HARD_LOCK_FAILURES


def password_problem(password: str) -> str | None:
    """Which rule a new password breaks: "short", "long", or None when it is acceptable.

    Spaces at either end do not count towards the length, so eight spaces (or "a" and nine spaces) are refused.
    """
    if len(password) > MAX_PASSWORD_LENGTH:
        return "long"
    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        return "short"
    return None
