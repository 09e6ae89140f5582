"""`makersupport worker` and the job locks: with no window open a breached ticket escalates within
one round (R11), and however many workers and windows run on one database, each job runs in one
place at a time. Every test runs on an SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

import pytest

from desktop_app.bootstrap import Services, build_services
from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.model import Channel, EventKind, Role, Severity, User
from desktop_app.persistence.job_lock import FileJobLock, advisory_key, job_lock_for, lock_file_path
from desktop_app.services.clock import FixedClock
from desktop_app.services.jobs import Job, JobOutcome, JobRunner, JobStatus, escalation_job
from desktop_app.services.ports import JobLock
from desktop_app.services.tickets import IntakeRequest
from desktop_app.worker import run_worker
from tests.conftest import signed_in_env
from tests.integration.world import PHOTO, World, bogota

# Tuesday 1 December 2026, 9:10: a Premium critical ticket is due at 11:00 (level 2 from then,
# level 3 from twice the response time).
PAST_DUE = bogota(2026, 12, 1, 11, 30)


def _breached_ticket(w: World) -> TicketId:
    request = IntakeRequest(
        MachineId(w.ids["eafit_r1"]), "La impresora no enciende desde esta mañana.", Severity.CRITICAL,
        Channel.PHONE, UserId(w.ids["laura"]), (PHOTO,),
    )  # fmt: skip
    ticket_id = w.services.tickets.create_ticket(request, actor=w.actor("laura")).id
    assert w.services.tickets.get_ticket(ticket_id).escalation_level == 1
    return ticket_id


def _escalation_levels(w: World, ticket_id: TicketId) -> list[str]:
    """The levels of the ticket's escalation events, in order: a duplicate shows twice."""
    timeline = w.services.tickets.get_ticket(ticket_id).timeline
    return sorted(entry.data["level"] for entry in timeline if entry.kind is EventKind.ESCALATION)


def _escalation_notices(w: World, ticket_id: TicketId) -> list[tuple[tuple[str, object], ...]]:
    """Every escalation notice about the ticket, to anyone, without its id, time and read state:
    the same notice given twice shows twice."""
    found = []
    for user in w.users.values():
        assert user.id is not None
        for notice in w.services.tickets.notifications(user.id):
            kind = getattr(notice.kind, "value", notice.kind)
            if notice.ticket_id == ticket_id and kind == "escalation":
                fields = asdict(notice)
                found.append(tuple((k, v) for k, v in fields.items() if k not in ("id", "read_at", "created_at")))
    return found


def _second_process(w: World) -> Services:
    """Another worker or window on the same database: its own engine, connections and lock handles."""
    return build_services(w.services.settings, clock=FixedClock(w.clock.now()))


def _lock_of(services: Services) -> JobLock:
    return job_lock_for(services.engine, services.settings.db_url)


SERVICE_PASSWORD = "tareas-del-worker-2026"


def service_account(w: World) -> dict[str, str]:
    """The account an administrator creates for the worker (role: service account), and the environment the
    worker signs in with."""
    if "tareas" not in w.users:
        w.users["tareas"] = w.services.users.add_user(
            w.actor("admin"), User("tareas", "Tareas automáticas", "", Role.SERVICE, "Barranquilla"), SERVICE_PASSWORD
        )
    return signed_in_env("tareas", SERVICE_PASSWORD)


def _worker_process(w: World, *args: str, env_extra: dict[str, str] | None = None) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "MAKERSUPPORT_DATA_DIR": str(w.services.settings.data_dir),
        "MAKERSUPPORT_LANG": "en",
        **(service_account(w) if env_extra is None else env_extra),
    }
    env.pop("MAKERSUPPORT_DB_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "worker", "--db", w.services.settings.db_url, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    _out, err = process.communicate(timeout=120)
    return process.returncode, err


def test_R11_worker_once_escalates_a_breached_ticket_within_one_round(world: World, backend: str) -> None:
    """No window open: the worker process, on the real clock (long after the ticket's due time),
    takes the ticket to the top level in its one round and says so."""
    ticket_id = _breached_ticket(world)
    code, log = _finish(_worker_process(world, "--once"))
    assert code == 0, log
    assert "Traceback" not in log
    assert "escalation: 1 ticket escalated" in log
    assert world.services.tickets.get_ticket(ticket_id).escalation_level == 3
    assert _escalation_levels(world, ticket_id) == ["2", "3"]
    assert _escalation_notices(world, ticket_id)  # the coordinator and the director were told
    if backend == "sqlite":  # the embedded database's daily backup is a job of the same round
        assert "backup: Automatic backup written" in log
        assert list((world.services.settings.data_dir / "backups").glob("makersupport-auto-*.sqlite3"))


def test_R11_two_worker_processes_on_one_database_escalate_once(world: World) -> None:
    ticket_id = _breached_ticket(world)
    first, second = _worker_process(world, "--once"), _worker_process(world, "--once")
    results = [_finish(first), _finish(second)]
    assert [code for code, _log in results] == [0, 0], results
    logs = "".join(log for _code, log in results)
    assert logs.count("1 ticket escalated") == 1, logs
    assert _escalation_levels(world, ticket_id) == ["2", "3"]
    notices = _escalation_notices(world, ticket_id)
    assert notices and len(notices) == len(set(notices))


def test_R11_two_workers_at_the_same_moment_escalate_once(world: World) -> None:
    """While one worker is inside the escalation round, another reaching it skips it; the ticket
    has one escalation event and one set of notices."""
    ticket_id = _breached_ticket(world)
    world.clock.set(PAST_DUE)
    one, other = _second_process(world), _second_process(world)
    try:
        inside, leave = threading.Event(), threading.Event()
        real = escalation_job(one.tickets)

        def escalate_and_linger() -> str | None:
            done = real.run()
            inside.set()
            leave.wait(30)  # still holding the lock when the other worker comes
            return done

        lingering = JobRunner([Job("escalation", timedelta(minutes=1), escalate_and_linger)], _lock_of(one))
        first: list[JobOutcome] = []
        thread = threading.Thread(target=lambda: first.extend(lingering.run_due()))
        thread.start()
        try:
            assert inside.wait(30)
            meanwhile = other.jobs.run_due()
        finally:
            leave.set()
            thread.join(30)
        assert [(o.name, o.status) for o in first] == [("escalation", JobStatus.DONE)]
        assert ("escalation", JobStatus.SKIPPED) in [(o.name, o.status) for o in meanwhile]
        # The next turn elsewhere finds the work done: the round is idempotent.
        later = JobRunner([escalation_job(other.tickets)], _lock_of(other))
        assert later.run_due() == [JobOutcome("escalation", JobStatus.DONE, "")]
    finally:
        one.close()
        other.close()
    assert _escalation_levels(world, ticket_id) == ["2"]
    notices = _escalation_notices(world, ticket_id)
    assert notices and len(notices) == len(set(notices))


def test_a_job_whose_lock_is_held_elsewhere_is_skipped_this_turn(world: World) -> None:
    ticket_id = _breached_ticket(world)
    world.clock.set(PAST_DUE)
    elsewhere = _second_process(world)
    try:
        with _lock_of(elsewhere).hold("escalation") as held:
            assert held
            outcomes = world.services.jobs.run_due()
            assert ("escalation", JobStatus.SKIPPED) in [(o.name, o.status) for o in outcomes]
            assert world.services.tickets.get_ticket(ticket_id).escalation_level == 1
        # Freed: the next runner to come takes it.
        runner = JobRunner([escalation_job(world.services.tickets)], _lock_of(world.services))
        assert [o.status for o in runner.run_due()] == [JobStatus.DONE]
    finally:
        elsewhere.close()
    assert world.services.tickets.get_ticket(ticket_id).escalation_level == 2


def test_a_failing_job_does_not_stop_the_escalation_round(world: World) -> None:
    ticket_id = _breached_ticket(world)
    world.clock.set(PAST_DUE)

    def broken_mail() -> str | None:
        raise ConnectionRefusedError("the mail server is down")

    lock = _lock_of(world.services)
    runner = JobRunner([Job("mail", timedelta(minutes=5), broken_mail), escalation_job(world.services.tickets)], lock)
    assert run_worker(runner, database="test", once=True) == 1  # --once says a job failed
    assert world.services.tickets.get_ticket(ticket_id).escalation_level == 2
    with lock.hold("mail") as held:  # a failure frees its lock
        assert held


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_sqlite_lock_is_a_file_beside_the_database(world: World) -> None:
    database = world.services.settings.data_dir / "makersupport.sqlite3"
    path = lock_file_path(database, "escalation")
    assert path.parent == database.parent and path.name == "makersupport.sqlite3.escalation.lock"
    first, second = FileJobLock(database), FileJobLock(database)
    with first.hold("escalation") as held, second.hold("escalation") as again, second.hold("backup") as other:
        assert (held, again, other) == (True, False, True)
    with second.hold("escalation") as held_now:
        assert held_now


def test_the_postgresql_lock_key_is_the_same_in_every_process() -> None:
    """hash() changes per process; the advisory key must not."""
    assert advisory_key("escalation") == advisory_key("escalation") != advisory_key("backup")
    assert -(2**63) <= advisory_key("escalation") < 2**63
    code = "from desktop_app.persistence.job_lock import advisory_key; print(advisory_key('escalation'))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert int(other.stdout) == advisory_key("escalation")


def test_worker_stops_cleanly_on_sigterm(world: World, tmp_path: Path) -> None:
    log_file = tmp_path / "worker.log"
    process = _worker_process(world, "--interval", "1", "--log", str(log_file))
    try:
        # Started and through its first round: the log file says so.
        for _ in range(600):
            if log_file.is_file() and "Round:" in log_file.read_text(encoding="utf-8"):
                break
            time.sleep(0.1)
        process.terminate()
        code, log = _finish(process)
    finally:
        if process.poll() is None:
            process.kill()
    assert code == 0 and "Traceback" not in log
    assert "Worker stopped." in log and "Worker stopped." in log_file.read_text(encoding="utf-8")


def test_the_worker_signs_in_and_without_an_account_that_may_run_jobs_does_nothing(world: World) -> None:
    ticket_id = _breached_ticket(world)
    world.clock.set(PAST_DUE)
    nobody = _worker_process(world, "--once", env_extra={})
    code, log = _finish(nobody)
    assert code == 2 and "needs a signed-in person" in log and "Traceback" not in log
    world.services.users.add_user(
        world.actor("admin"),
        User("coordina", "Coordinación", "", Role.COORDINATOR, "Barranquilla"),
        SERVICE_PASSWORD,
    )
    coordinator = _worker_process(world, "--once", env_extra=signed_in_env("coordina", SERVICE_PASSWORD))
    code, log = _finish(coordinator)
    assert code == 2 and "coordina may not do this" in log
    assert world.services.tickets.get_ticket(ticket_id).escalation_level == 1


def test_disabling_the_service_account_stops_the_worker_at_its_next_round(world: World) -> None:
    from sqlalchemy import update

    from desktop_app.domain.permissions import Permission
    from desktop_app.persistence.tables import UserRecord

    service_account(world)
    actor = world.services.users.sign_in("tareas", SERVICE_PASSWORD, needs=Permission.RUN_JOBS)
    rounds: list[int] = []

    def count() -> str:
        rounds.append(1)
        return "counted"

    runner = JobRunner([Job("count", timedelta(seconds=0), count)], _lock_of(world.services))

    def check() -> None:
        if rounds:  # after the first round an administrator disables the account
            with world.services.engine.begin() as connection:
                connection.execute(update(UserRecord).where(UserRecord.id == actor.user_id).values(active=False))
        world.services.users.confirm(actor, Permission.RUN_JOBS)

    code = run_worker(runner, database="test", interval=0.01, check=check)
    assert code == 2 and rounds == [1]


def test_two_sign_ins_of_one_account_at_the_same_moment_do_not_conflict(world: World) -> None:
    """Two workers (or two desks) signing one account in at once: the second is not 'someone else changed this
    record', and two failures at once count twice."""
    from desktop_app.domain.ids import UserId as _UserId

    service_account(world)
    user_id = _UserId(int(world.users["tareas"].id))  # type: ignore[arg-type]
    factory = world.services.uow_factory
    at = world.clock.now()
    with factory() as first, factory() as second:
        assert first.catalog.credentials("tareas") is not None  # both have read the row
        assert second.catalog.credentials("tareas") is not None
        first.catalog.record_sign_in(user_id, success=False, at=at)
        first.commit()
        second.catalog.record_sign_in(user_id, success=False, at=at)
        second.commit()
    with factory() as uow:
        credentials = uow.catalog.credentials("tareas")
        assert credentials is not None and credentials.failed_sign_ins == 2
