"""The task runner: writes one after another on the database worker, reads side by side on the
reading pool (the Informes page computes its four reports at once), results on the GUI thread."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from desktop_app.ui.tasks import READERS, TaskRunner


def test_reads_run_side_by_side_and_report_on_the_gui_thread(qtbot: QtBot) -> None:
    tasks = TaskRunner()
    both_running = threading.Barrier(READERS, timeout=10)  # broken unless the reads overlap
    results: list[tuple[int, bool]] = []

    def read(n: int) -> int:
        both_running.wait()
        return n

    for n in range(READERS):
        tasks.read(lambda n=n: read(n), lambda result: results.append((result, threading.current_thread() is main)))
    main = threading.main_thread()
    qtbot.waitUntil(lambda: len(results) == READERS, timeout=15_000)
    assert sorted(results) == [(n, True) for n in range(READERS)]
    assert tasks.wait()


def test_writes_run_one_after_another_in_the_order_given(qtbot: QtBot) -> None:
    tasks = TaskRunner()
    inside = threading.Semaphore(1)
    order: list[int] = []
    overlapped: list[int] = []

    def write(n: int) -> int:
        if not inside.acquire(blocking=False):  # another write is running now
            overlapped.append(n)
            return n
        try:
            threading.Event().wait(0.02)
            order.append(n)
        finally:
            inside.release()
        return n

    done: list[int] = []
    for n in range(5):
        tasks.run(lambda n=n: write(n), done.append)
    qtbot.waitUntil(lambda: len(done) == 5, timeout=15_000)
    assert overlapped == [] and order == [0, 1, 2, 3, 4]


def test_busy_is_told_once_when_work_starts_and_once_when_all_of_it_ends(qtbot: QtBot) -> None:
    tasks = TaskRunner()
    told: list[bool] = []
    tasks.busy_changed.connect(told.append)
    release = threading.Event()
    finished: list[object] = []
    tasks.run(lambda: release.wait(10), finished.append)
    tasks.read(lambda: release.wait(10), finished.append)
    assert told == [True]
    release.set()
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=15_000)
    assert told == [True, False]


def test_a_runner_with_one_reader_reads_one_after_another(qtbot: QtBot) -> None:
    """As the window runs on a local SQLite file (app.py)."""
    tasks = TaskRunner(readers=1)
    running = threading.Semaphore(1)
    overlapped: list[int] = []
    done: list[int] = []

    def read(n: int) -> int:
        if not running.acquire(blocking=False):
            overlapped.append(n)
            return n
        try:
            threading.Event().wait(0.02)
        finally:
            running.release()
        return n

    for n in range(4):
        tasks.read(lambda n=n: read(n), done.append)
    qtbot.waitUntil(lambda: len(done) == 4, timeout=15_000)
    assert overlapped == [] and sorted(done) == [0, 1, 2, 3]
