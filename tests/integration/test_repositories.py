"""Repositories and services on a real SQLite file holding the demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from desktop_app.bootstrap import Services
from desktop_app.domain.model import OPEN_STATUSES, Severity, TicketStatus
from desktop_app.domain.queue import QueueKey, sort_queue
from desktop_app.domain.sla import SlaState
from desktop_app.persistence.tables import TicketRecord
from desktop_app.services.dto import QueueFilter
from tests.conftest import DEMO_NOW


def _all(services: Services, flt: QueueFilter) -> list:  # type: ignore[type-arg]
    return list(services.tickets.list_queue(flt, 0, 10_000).rows)


def test_r8_sql_order_equals_the_domain_order(demo_services: Services) -> None:
    rows = _all(demo_services, QueueFilter(open_only=False))
    resorted = sort_queue(
        rows,
        key=lambda r: QueueKey(r.entry.plan_rank, r.entry.severity_rank, r.entry.received_at, r.entry.id),
    )
    assert [r.entry.id for r in rows] == [r.entry.id for r in resorted]
    assert len(rows) == 661  # 300 live and recent tickets + 361 closed history (services/demo_history.py)


def test_r8_premium_tickets_come_before_profesional_and_basico(demo_services: Services) -> None:
    plans = [r.entry.plan_code for r in _all(demo_services, QueueFilter())]
    order = {"premium": 1, "profesional": 2, "basico": 3, "garantia": 4}
    assert [order[p] for p in plans] == sorted(order[p] for p in plans)
    assert plans[0] == "premium"


def test_paging_gives_the_same_rows_as_one_read(demo_services: Services) -> None:
    whole = [r.entry.id for r in _all(demo_services, QueueFilter(open_only=False))]
    paged = []
    offset = 0
    while True:
        page = demo_services.tickets.list_queue(QueueFilter(open_only=False), offset, 37)
        if not page.rows:
            break
        paged += [r.entry.id for r in page.rows]
        offset += 37
    assert paged == whole


def test_text_filter_matches_number_customer_serial_and_description(demo_services: Services) -> None:
    rows = _all(demo_services, QueueFilter(open_only=False))
    sample = rows[5].entry
    for term in (sample.number, sample.machine_serial.lower(), "eafit", "extrusor"):
        found = _all(demo_services, QueueFilter(text=term, open_only=False))
        assert found, term
        for row in found:
            e = row.entry
            haystack = f"{e.number} {e.customer_name} {e.machine_serial} {e.description}".lower()
            assert term.lower() in haystack
    assert _all(demo_services, QueueFilter(text="zzz-nothing-like-this")) == []


def test_every_word_must_match(demo_services: Services) -> None:
    both = _all(demo_services, QueueFilter(text="universidad resina", open_only=False))
    assert both
    assert all("universidad" in r.entry.customer_name.lower() for r in both)


def test_like_wildcards_in_the_search_are_literal(demo_services: Services) -> None:
    assert _all(demo_services, QueueFilter(text="%", open_only=False)) == []
    assert _all(demo_services, QueueFilter(text="_", open_only=False)) == []


def test_status_city_plan_severity_and_agent_filters(demo_services: Services) -> None:
    waiting = _all(demo_services, QueueFilter(statuses=frozenset({TicketStatus.WAITING_CUSTOMER})))
    assert waiting and all(r.entry.status is TicketStatus.WAITING_CUSTOMER for r in waiting)
    assert all(r.sla.state is SlaState.PAUSED for r in waiting)
    cali = _all(demo_services, QueueFilter(city="Cali"))
    assert cali and all(r.entry.city == "Cali" for r in cali)
    premium = _all(demo_services, QueueFilter(plan_code="premium"))
    assert premium and all(r.entry.plan_code == "premium" for r in premium)
    low = _all(demo_services, QueueFilter(severity=Severity.LOW))
    assert low and all(r.entry.severity is Severity.LOW for r in low)
    agent = demo_services.tickets.agents()[0]
    mine = _all(demo_services, QueueFilter(agent_id=agent.id, open_only=False))
    assert all(r.entry.agent_name == agent.full_name for r in mine)


def test_counts_agree_with_the_rows(demo_services: Services) -> None:
    rows = _all(demo_services, QueueFilter())
    counts = demo_services.tickets.counts()
    assert counts.open == len(rows)
    assert counts.waiting == sum(r.entry.status is TicketStatus.WAITING_CUSTOMER for r in rows)
    assert counts.breached == sum(r.sla.state is SlaState.BREACHED for r in rows)
    assert counts.breached > 0


def test_ticket_detail_has_timeline_newest_first_and_attachments_on_disk(demo_services: Services) -> None:
    rows = _all(demo_services, QueueFilter(open_only=False))
    details = [demo_services.tickets.get_ticket(r.entry.id) for r in rows[:80]]
    with_files = [d for d in details if d.attachments]
    assert with_files
    for detail in details:
        times = [e.at for e in detail.timeline]
        assert times == sorted(times, reverse=True)
    for attachment in with_files[0].attachments:
        assert attachment.path.is_file()
        assert attachment.path.stat().st_size == attachment.size


def test_contract_summaries_list_their_machines(demo_services: Services) -> None:
    contracts = demo_services.contracts.list_contracts()
    assert len(contracts) >= 30
    assert all(c.machines for c in contracts)
    special = [c for c in contracts if c.special]
    assert len(special) == 1
    assert [c.customer_name for c in demo_services.contracts.list_contracts("FE-ESP-0042")] == [
        special[0].customer_name
    ]


def test_a_stale_write_is_refused_by_the_version_counter(demo_services: Services, demo_folder: Path) -> None:
    """Two people load the same ticket; the second save, based on the old version, must fail."""
    engine = demo_services.engine
    with Session(engine) as first, Session(engine) as second:
        mine = first.scalars(select(TicketRecord).limit(1)).one()
        theirs = second.get(TicketRecord, mine.id)
        assert theirs is not None and theirs.version == mine.version
        theirs.severity = Severity.CRITICAL.value
        second.commit()
        mine.description = mine.description + "\nComentario"
        with pytest.raises(StaleDataError):
            first.commit()


def test_every_ticket_state_is_in_the_demo(demo_services: Services) -> None:
    statuses = {r.entry.status for r in _all(demo_services, QueueFilter(open_only=False))}
    assert statuses == set(TicketStatus)
    states = {r.sla.state for r in _all(demo_services, QueueFilter())}
    assert {SlaState.ON_TIME, SlaState.BREACHED, SlaState.PAUSED} <= states


def test_times_are_stored_as_utc(demo_services: Services) -> None:
    with demo_services.engine.connect() as connection:
        ticket_id, stored = connection.execute(text("SELECT id, received_at FROM tickets ORDER BY id LIMIT 1")).one()
    received = demo_services.tickets.get_ticket(ticket_id).received_at
    assert received.utcoffset() is not None and received.utcoffset().total_seconds() == 0
    # The column holds the UTC wall time (Bogotá + 5 h), with no offset.
    assert str(stored).startswith(received.strftime("%Y-%m-%d %H:%M:%S"))


def test_open_statuses_only_by_default(demo_services: Services) -> None:
    assert {r.entry.status for r in _all(demo_services, QueueFilter())} <= OPEN_STATUSES


@pytest.mark.parametrize("backend", ["postgresql"])
def test_demo_is_deterministic(demo_services: Services, demo_folder: Path) -> None:
    """Two loads of the same seed at the same moment, made apart: this process's PostgreSQL demo and its
    SQLite one (conftest's templates) hold the same tickets, in the same order, on either database."""
    from desktop_app.bootstrap import build_services
    from desktop_app.services.clock import FixedClock
    from tests.conftest import make_settings

    other = build_services(make_settings(demo_folder), clock=FixedClock(DEMO_NOW))
    try:
        mine = [
            (r.entry.number, r.entry.customer_name, r.entry.received_at, r.entry.status)
            for r in _all(demo_services, QueueFilter(open_only=False))
        ]
        theirs = [
            (r.entry.number, r.entry.customer_name, r.entry.received_at, r.entry.status)
            for r in _all(other, QueueFilter(open_only=False))
        ]
        assert len(mine) == 661 and mine == theirs
    finally:
        other.close()


@pytest.mark.parametrize("backend", ["sqlite"])  # on PostgreSQL: test_audit_append_only's reset tests
def test_demo_reset_replaces_everything_and_if_empty_is_detected(demo_services: Services) -> None:
    assert demo_services.demo.has_data()
    summary = demo_services.demo.load(DEMO_NOW, reset=True)
    assert (summary.customers, summary.tickets) == (40, 661)
    assert 120 <= summary.machines <= 180 and summary.contracts >= 30
    assert len(_all(demo_services, QueueFilter(open_only=False))) == 661


def test_ticket_numbers_follow_order_of_receipt(demo_services: Services) -> None:
    with demo_services.engine.connect() as connection:
        numbers = [row[0] for row in connection.execute(text("SELECT number FROM tickets ORDER BY received_at, id"))]
    assert numbers == sorted(numbers)


def test_a_failed_transaction_leaves_nothing_half_written(empty_services: Services) -> None:
    with empty_services.engine.connect() as connection:
        before = connection.execute(text("SELECT COUNT(*) FROM customers")).scalar()

    class Boom(Exception):
        pass

    loader = empty_services.demo
    original = loader._uow_factory

    def exploding_factory():  # type: ignore[no-untyped-def]
        uow = original()
        real_add = uow.__class__.__enter__

        def enter(self):  # type: ignore[no-untyped-def]
            entered = real_add(self)
            entered.tickets.add_events = lambda events: (_ for _ in ()).throw(Boom())
            return entered

        uow.__class__ = type("Exploding", (uow.__class__,), {"__enter__": enter})
        return uow

    loader._uow_factory = exploding_factory
    with pytest.raises(Boom):
        loader.load(DEMO_NOW)
    with empty_services.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM customers")).scalar() == before == 0
        assert connection.execute(text("SELECT COUNT(*) FROM tickets")).scalar() == 0
