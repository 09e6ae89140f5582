"""The real clock. The domain never reads it; services get it injected (tests pass a fixed one)."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that says what it is told; for tests, the demo loader and benchmarks."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        """Move the clock (tests that play a day at the desk)."""
        if moment.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.moment = moment


class ReplayClock:
    """The time field commands are replayed at the office: each command's own moment while it is
    replayed (set), the real time otherwise."""

    def __init__(self) -> None:
        self._moment: datetime | None = None

    def now(self) -> datetime:
        return self._moment or datetime.now(UTC)

    def set(self, moment: datetime | None) -> None:
        self._moment = moment
