"""The periodic job runner (services/jobs.py) against a fake lock and a fake monotonic clock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from desktop_app.errors import UserFacingError
from desktop_app.services.jobs import (
    Job,
    JobOutcome,
    JobRunner,
    JobStatus,
    backup_job,
    escalation_job,
    round_summary,
)
from desktop_app.worker import run_worker


class FakeLock:
    """Locks held "elsewhere" are listed in `held_elsewhere`; records what was taken."""

    def __init__(self, held_elsewhere: set[str] | None = None) -> None:
        self.held_elsewhere = held_elsewhere or set()
        self.taken: list[str] = []
        self.holding: set[str] = set()

    @contextmanager
    def hold(self, name: str) -> Iterator[bool]:
        if name in self.held_elsewhere:
            yield False
            return
        self.taken.append(name)
        self.holding.add(name)
        try:
            yield True
        finally:
            self.holding.discard(name)


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _job(name: str, calls: list[str], result: str | None = None, every: float = 60) -> Job:
    def run() -> str | None:
        calls.append(name)
        return result

    return Job(name, timedelta(seconds=every), run)


def test_a_failing_job_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []

    def boom() -> str | None:
        raise RuntimeError("the disk is on fire")

    def refused() -> str | None:
        raise UserFacingError("The server said no.")

    runner = JobRunner(
        [Job("boom", timedelta(minutes=1), boom), Job("refused", timedelta(minutes=1), refused), _job("ok", calls)],
        FakeLock(),
    )
    with caplog.at_level(logging.WARNING, logger="desktop_app.services.jobs"):
        outcomes = runner.run_due()
    assert [(o.name, o.status) for o in outcomes] == [
        ("boom", JobStatus.FAILED),
        ("refused", JobStatus.FAILED),
        ("ok", JobStatus.DONE),
    ]
    assert calls == ["ok"]
    assert "the disk is on fire" in outcomes[0].summary and outcomes[1].summary == "The server said no."
    assert "the disk is on fire" in caplog.text and "Traceback" in caplog.text  # a bug keeps its traceback


def test_a_job_whose_lock_is_held_elsewhere_is_skipped_and_its_lock_freed_after_a_turn() -> None:
    calls: list[str] = []
    lock = FakeLock(held_elsewhere={"escalation"})
    runner = JobRunner([_job("escalation", calls, "2 tickets escalated"), _job("backup", calls)], lock)
    outcomes = runner.run_due()
    assert [(o.name, o.status) for o in outcomes] == [("escalation", JobStatus.SKIPPED), ("backup", JobStatus.DONE)]
    assert calls == ["backup"] and lock.taken == ["backup"] and lock.holding == set()


def test_each_job_waits_its_own_interval_between_turns() -> None:
    calls: list[str] = []
    ticks = Ticks()
    runner = JobRunner([_job("fast", calls, every=60), _job("slow", calls, every=3600)], FakeLock(), ticks=ticks)
    runner.run_due()  # the first round runs everything
    assert calls == ["fast", "slow"]
    ticks.now += 59
    assert runner.run_due() == []
    ticks.now += 1
    runner.run_due()
    assert calls == ["fast", "slow", "fast"]
    ticks.now += 3600
    runner.run_due()
    assert calls == ["fast", "slow", "fast", "fast", "slow"]


def test_a_failed_or_skipped_turn_still_waits_its_interval() -> None:
    """A database that is down is not hammered every round."""
    ticks = Ticks()
    attempts: list[str] = []

    def down() -> str | None:
        attempts.append("down")
        raise UserFacingError("The server does not answer.")

    runner = JobRunner([Job("down", timedelta(minutes=1), down)], FakeLock(), ticks=ticks)
    runner.run_due()
    ticks.now += 30
    assert runner.run_due() == []
    assert attempts == ["down"]


def test_stop_is_asked_between_jobs() -> None:
    calls: list[str] = []
    stop = threading.Event()

    def first() -> str | None:
        calls.append("first")
        stop.set()  # SIGTERM arrives while the first job runs
        return None

    runner = JobRunner([Job("first", timedelta(minutes=1), first), _job("second", calls)], FakeLock())
    outcomes = runner.run_due(stop=stop.is_set)
    assert [o.name for o in outcomes] == ["first"] and calls == ["first"]


def test_a_round_asked_for_during_a_round_of_the_same_runner_returns_at_once() -> None:
    entered, release = threading.Event(), threading.Event()

    def slow() -> str | None:
        entered.set()
        release.wait(10)
        return None

    runner = JobRunner([Job("slow", timedelta(minutes=1), slow)], FakeLock())
    results: list[list[JobOutcome]] = []
    thread = threading.Thread(target=lambda: results.append(runner.run_due()))
    thread.start()
    assert entered.wait(10)
    assert runner.run_due() == []
    release.set()
    thread.join(10)
    assert [o.status for o in results[0]] == [JobStatus.DONE]


def test_job_names_are_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        JobRunner([_job("a", []), _job("a", [])], FakeLock())


@dataclass(frozen=True)
class _Notice:
    ticket_id: int


class _Tickets:
    def __init__(self, *ticket_ids: int) -> None:
        self.ticket_ids = ticket_ids

    def check_escalations(self) -> list[_Notice]:
        return [_Notice(ticket_id) for ticket_id in self.ticket_ids]


class _Backups:
    def __init__(self, made: Path | None) -> None:
        self.made = made

    def run_if_due(self) -> Path | None:
        return self.made


@pytest.mark.usefixtures("english_ui")
def test_the_desk_jobs_say_what_they_did() -> None:
    assert escalation_job(_Tickets(7, 9)).run() == "2 tickets escalated"
    assert escalation_job(_Tickets(7, 7)).run() == "1 ticket escalated"  # one ticket climbed two levels
    assert escalation_job(_Tickets()).run() is None
    assert backup_job(_Backups(Path("b.sqlite3"))).run() == "Automatic backup written: b.sqlite3"
    assert backup_job(_Backups(None)).run() is None
    outcomes = [
        JobOutcome("escalation", JobStatus.DONE, "2 tickets escalated"),
        JobOutcome("backup", JobStatus.DONE),
        JobOutcome("mail", JobStatus.SKIPPED),
    ]
    assert round_summary(outcomes) == "2 tickets escalated"


@pytest.mark.usefixtures("english_ui")
def test_worker_once_logs_the_round_and_fails_when_a_job_failed(caplog: pytest.LogCaptureFixture) -> None:
    def boom() -> str | None:
        raise RuntimeError("boom")

    runner = JobRunner([Job("boom", timedelta(minutes=1), boom), escalation_job(_Tickets(1, 2, 3))], FakeLock())
    with caplog.at_level(logging.INFO, logger="desktop_app"):
        assert run_worker(runner, database="test.sqlite3", once=True) == 1
    assert "Round: boom: failed: RuntimeError: boom; escalation: 3 tickets escalated" in caplog.text
    quiet = JobRunner([escalation_job(_Tickets())], FakeLock())
    assert run_worker(quiet, database="test.sqlite3", once=True) == 0


def test_worker_loop_runs_rounds_until_stopped() -> None:
    calls: list[str] = []
    stop = threading.Event()
    ticks = Ticks()

    def tick() -> str | None:
        calls.append("tick")
        ticks.now += 60  # each round finds the job due again
        if len(calls) == 3:
            stop.set()
        return None

    runner = JobRunner([Job("tick", timedelta(minutes=1), tick)], FakeLock(), ticks=ticks)
    options = {"database": "x", "interval": 0.01, "stop": stop}
    thread = threading.Thread(target=run_worker, args=(runner,), kwargs=options)
    thread.start()
    thread.join(10)
    assert not thread.is_alive() and calls == ["tick", "tick", "tick"]
