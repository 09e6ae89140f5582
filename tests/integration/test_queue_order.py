"""R8 has one definition, domain.queue: the queue the database returns is the domain's order.

The SQL ORDER BY is built from domain.queue.QUEUE_ORDER; these tests record random tickets in a real
SQLite file, read the queue back page by page, and compare it with sorting the same tickets by the
domain's queue_key, also after the policy re-ranks plans and severities (ranks stored per ticket).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.ids import CustomerId, MachineId
from desktop_app.domain.model import Channel, Severity, Ticket, TicketStatus
from desktop_app.domain.policy import PolicySettings
from desktop_app.domain.queue import queue_key, sort_queue
from desktop_app.services.dto import QueueFilter
from tests.integration.world import World, bogota, build_world

T0 = bogota(2026, 12, 1, 8, 0)
MACHINES = ("eafit_r1", "school_m3", "uni_m3", "maker_m3", "maker_old")
PROBE = "r8probe"  # a word in every description, to read the queue through the search path too


@pytest.fixture(scope="module")
def r8_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A world without tickets on an SQLite file; every example rolls its tickets back."""
    world = build_world(Path(tmp_path_factory.mktemp("r8")), bogota(2026, 12, 1, 9, 10), None)
    yield world
    world.services.close()


def _reranked(policy: PolicySettings, plan_ranks: list[int], severities: list[Severity]) -> PolicySettings:
    plans = tuple(replace(plan, rank=rank) for plan, rank in zip(policy.plans, plan_ranks, strict=True))
    return replace(policy, plans=plans, severities=tuple(severities))


TICKETS = st.lists(
    st.tuples(
        st.integers(0, 3),  # the plan, by its place in the policy
        st.sampled_from(list(Severity)),
        st.integers(0, 3),  # minutes after T0: few values, so equal receipt times are common
        st.sampled_from(MACHINES),
        st.sampled_from(list(TicketStatus)),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(
    tickets=TICKETS,
    plan_ranks=st.permutations([1, 2, 3, 4]),
    severities=st.permutations(list(Severity)),
    policy_change=st.sampled_from(["none", "before", "after"]),
    search=st.booleans(),
    open_only=st.booleans(),
    page_size=st.integers(1, 30),
)
def test_R8_the_sql_queue_is_the_domain_order_on_random_tickets(
    r8_world: World,
    tickets: list[tuple[int, Severity, int, str, TicketStatus]],
    plan_ranks: list[int],
    severities: list[Severity],
    policy_change: str,
    search: bool,
    open_only: bool,
    page_size: int,
) -> None:
    policy = r8_world.services.policy.policy()
    assert len(policy.plans) == len(plan_ranks)
    reranked = _reranked(policy, plan_ranks, severities)
    flt = QueueFilter(text=PROBE if search else "", open_only=open_only)
    with r8_world.services.uow_factory() as uow:  # never committed: each example starts empty
        if policy_change == "before":
            uow.policy.save(reranked, at=T0)
        recorded = []
        for n, (plan, severity, minutes, machine, status) in enumerate(tickets):
            machine_id = MachineId(r8_world.ids[machine])
            owner = uow.catalog.get_machine(machine_id)
            assert owner is not None
            recorded.append(
                uow.tickets.add(
                    Ticket(
                        number=f"R8-{n:05d}",
                        machine_id=machine_id,
                        customer_id=CustomerId(owner.customer_id),
                        plan_code=policy.plans[plan].code,
                        severity=severity,
                        channel=Channel.EMAIL,
                        description=f"Falla {n} {PROBE}",
                        status=status,
                        received_at=T0 + timedelta(minutes=minutes),
                    )
                )
            )
        if policy_change == "after":
            uow.policy.save(reranked, at=T0)
        in_force = policy if policy_change == "none" else reranked
        read: list[int] = []
        while page := uow.queries.queue.page(flt, len(read), page_size):
            read += [entry.id for entry in page]
            if len(page) < page_size:
                break
        assert uow.queries.queue.count(flt) == len(read)

    expected = [
        t.id for t in sort_queue(recorded, key=lambda t: queue_key(t, in_force)) if not open_only or t.status.is_open
    ]
    assert read == expected


def test_R8_the_queue_index_is_the_domain_order() -> None:
    """The index the queue walks lists the domain's keys in the domain's order."""
    from desktop_app.domain.queue import QUEUE_ORDER
    from desktop_app.persistence.tables import QUEUE_COLUMNS, TicketRecord

    (index,) = [i for i in TicketRecord.__table__.indexes if i.name == "ix_tickets_queue_order"]
    assert [c.name for c in index.columns] == [QUEUE_COLUMNS[key] for key in QUEUE_ORDER]
