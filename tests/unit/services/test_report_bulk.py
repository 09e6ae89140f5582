"""Reports are computed with Python's cyclic garbage collector paused (services/reports/_bulk.py):
it is back on once the last report running is done, also when a report fails, and it stays off if
it was off before."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from desktop_app.services.reports._bulk import bulk_read


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


@bulk_read
def _report(seen: list[bool], fail: bool = False) -> int:
    seen.append(gc.isenabled())
    if fail:
        raise ValueError("no such customer")
    return 7


def test_the_collector_is_paused_during_a_report_and_back_after_it() -> None:
    gc.enable()
    seen: list[bool] = []
    assert _report(seen) == 7
    assert seen == [False] and gc.isenabled()


def test_a_failing_report_turns_the_collector_back_on() -> None:
    gc.enable()
    seen: list[bool] = []
    with pytest.raises(ValueError):
        _report(seen, fail=True)
    assert seen == [False] and gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    _report([])
    assert not gc.isenabled()


def test_side_by_side_reports_turn_it_back_on_only_when_the_last_one_ends() -> None:
    gc.enable()
    first_inside, first_may_end = threading.Event(), threading.Event()
    seen: list[bool] = []

    @bulk_read
    def slow() -> None:
        first_inside.set()
        first_may_end.wait(10)

    runner = threading.Thread(target=slow)
    runner.start()
    assert first_inside.wait(10)
    _report(seen)  # starts and ends while the slow one runs
    assert seen == [False] and not gc.isenabled()
    first_may_end.set()
    runner.join(10)
    assert gc.isenabled()
