"""Ticket and contract services against the in-memory fakes (no database, no Qt)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop_app.domain.model import ContractState, Severity, TicketStatus
from desktop_app.domain.sla import SlaState
from desktop_app.errors import NotFoundError
from desktop_app.holidays_co import ColombianHolidays
from desktop_app.services.clock import FixedClock
from desktop_app.services.contracts import ContractService
from desktop_app.services.demo import DemoLoader
from desktop_app.services.dto import QueueFilter
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.tickets import TicketService
from tests.unit.services.fakes import FakeAttachmentStore, FakePasswordHasher, FakeUnitOfWorkFactory

NOW = datetime(2026, 11, 26, 10, 30, tzinfo=ZoneInfo("America/Bogota"))


@pytest.fixture(scope="module")
def world() -> tuple[FakeUnitOfWorkFactory, TicketService, ContractService, DemoLoader]:
    factory = FakeUnitOfWorkFactory()
    clock = FixedClock(NOW)
    policy = PolicyService(factory, ColombianHolidays(), clock)
    store = FakeAttachmentStore()
    demo = DemoLoader(factory, policy, store, FakePasswordHasher())
    demo.load(NOW)
    return (
        factory,
        TicketService(factory, policy, clock, store),
        ContractService(factory, policy, clock),
        demo,
    )


def test_policy_defaults_are_seeded_once(world) -> None:  # type: ignore[no-untyped-def]
    factory, _tickets, _contracts, _demo = world
    assert len(factory.db.policy_versions) == 1
    assert [p.code for p in factory.db.policy_versions[0][1].plans] == ["premium", "profesional", "basico", "garantia"]


def test_r8_queue_is_in_policy_order_and_holds_only_open_tickets(world) -> None:  # type: ignore[no-untyped-def]
    _factory, tickets, _contracts, _demo = world
    page = tickets.list_queue(QueueFilter(), 0, 1000)
    keys = [(r.entry.plan_rank, r.entry.severity_rank, r.entry.received_at) for r in page.rows]
    assert keys == sorted(keys)
    assert page.total == len(page.rows) > 20
    assert all(r.entry.status.is_open for r in page.rows)


def test_queue_pages_join_up(world) -> None:  # type: ignore[no-untyped-def]
    _factory, tickets, _contracts, _demo = world
    whole = [r.entry.id for r in tickets.list_queue(QueueFilter(), 0, 1000).rows]
    paged = [
        r.entry.id for offset in range(0, len(whole), 7) for r in tickets.list_queue(QueueFilter(), offset, 7).rows
    ]
    assert paged == whole


def test_r9_waiting_tickets_are_paused_and_r7_new_ones_count_down(world) -> None:  # type: ignore[no-untyped-def]
    _factory, tickets, _contracts, _demo = world
    rows = tickets.list_queue(QueueFilter(), 0, 1000).rows
    for row in rows:
        if row.entry.status is TicketStatus.WAITING_CUSTOMER:
            assert row.sla.state is SlaState.PAUSED
        if row.entry.status is TicketStatus.NEW:
            assert row.sla.state in (SlaState.ON_TIME, SlaState.AT_RISK, SlaState.BREACHED)
            assert (row.sla.state is SlaState.BREACHED) == (row.entry.due_at is not None and row.entry.due_at <= NOW)


def test_filters_narrow_the_queue(world) -> None:  # type: ignore[no-untyped-def]
    _factory, tickets, _contracts, _demo = world
    critical = tickets.list_queue(QueueFilter(severity=Severity.CRITICAL), 0, 1000).rows
    assert critical and all(r.entry.severity is Severity.CRITICAL for r in critical)
    medellin = tickets.list_queue(QueueFilter(city="Medellín"), 0, 1000).rows
    assert medellin and all(r.entry.city == "Medellín" for r in medellin)
    eafit = tickets.list_queue(QueueFilter(text="eafit"), 0, 1000).rows
    assert eafit and all("EAFIT" in r.entry.customer_name for r in eafit)


def test_counts_match_the_queue(world) -> None:  # type: ignore[no-untyped-def]
    _factory, tickets, _contracts, _demo = world
    counts = tickets.counts()
    rows = tickets.list_queue(QueueFilter(), 0, 1000).rows
    assert counts.open == len(rows)
    assert counts.waiting == sum(r.entry.status is TicketStatus.WAITING_CUSTOMER for r in rows)
    assert counts.breached == sum(r.sla.state is SlaState.BREACHED for r in rows)


def test_refresh_sla_moves_the_countdown(world) -> None:  # type: ignore[no-untyped-def]
    factory, tickets, _contracts, _demo = world
    rows = [r for r in tickets.list_queue(QueueFilter(), 0, 1000).rows if r.sla.state is SlaState.ON_TIME]
    assert rows
    later_clock = FixedClock(NOW + timedelta(days=30))
    later_policy = PolicyService(factory, ColombianHolidays(), later_clock)
    later = TicketService(factory, later_policy, later_clock, FakeAttachmentStore())
    assert all(r.sla.state is SlaState.BREACHED for r in later.refresh_sla(rows))


def test_get_ticket_and_missing_ticket(world) -> None:  # type: ignore[no-untyped-def]
    factory, tickets, _contracts, _demo = world
    some_id = next(iter(factory.db.tickets))
    assert tickets.get_ticket(some_id).number == factory.db.tickets[some_id].number
    with pytest.raises(NotFoundError):
        tickets.get_ticket(999_999)  # type: ignore[arg-type]


def test_contracts_list_search_and_state(world) -> None:  # type: ignore[no-untyped-def]
    _factory, _tickets, contracts, _demo = world
    everything = contracts.list_contracts()
    assert len(everything) >= 30
    assert {contracts.state_of(c) for c in everything} >= {ContractState.ACTIVE, ContractState.EXPIRED}
    found = contracts.list_contracts("eafit")
    assert found and all("EAFIT" in c.customer_name for c in found)
    assert contracts.get_contract(found[0].id).invoice_number == found[0].invoice_number
    with pytest.raises(NotFoundError):
        contracts.get_contract(424242)  # type: ignore[arg-type]


def test_demo_refuses_nothing_and_commits_once(world) -> None:  # type: ignore[no-untyped-def]
    factory, _tickets, _contracts, demo = world
    assert demo.has_data()
    assert sum(u.committed for u in factory.opened) >= 2  # policy seed + the data set
