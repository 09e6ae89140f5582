"""R8: plan category, then priority (severity), then order of receipt; stable and total."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain.ids import CustomerId, MachineId, PlanCode, TicketId
from desktop_app.domain.model import Channel, Severity, Ticket, TicketStatus
from desktop_app.domain.policy import DEFAULT_POLICY
from desktop_app.domain.queue import QUEUE_ORDER, QueueKey, queue_key, sort_queue

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("America/Bogota"))


def key(plan: int, severity: int, minutes: int, seq: int) -> QueueKey:
    return QueueKey(plan, severity, T0 + timedelta(minutes=minutes), seq)


def test_r8_plan_category_comes_first() -> None:
    premium_low = key(1, 4, 500, 9)
    basico_critical = key(3, 1, 0, 1)
    assert sort_queue([basico_critical, premium_low], key=lambda k: k) == [premium_low, basico_critical]


def test_r8_then_severity() -> None:
    critical_late = key(2, 1, 300, 5)
    medium_early = key(2, 3, 0, 1)
    assert sort_queue([medium_early, critical_late], key=lambda k: k) == [critical_late, medium_early]


def test_r8_then_order_of_receipt() -> None:
    early, late = key(2, 2, 10, 7), key(2, 2, 20, 3)
    assert sort_queue([late, early], key=lambda k: k) == [early, late]


def test_r8_same_instant_falls_back_to_the_number_sequence() -> None:
    a, b = key(1, 1, 0, 1), key(1, 1, 0, 2)
    assert sort_queue([b, a], key=lambda k: k) == [a, b]


@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(0, 10_000)), max_size=60))
def test_r8_order_does_not_depend_on_input_order(rows: list[tuple[int, int, int]]) -> None:
    keys = [key(p, s, m, n) for n, (p, s, m) in enumerate(rows)]
    shuffled = keys[:]
    random.Random(len(keys)).shuffle(shuffled)
    assert sort_queue(shuffled, key=lambda k: k) == sort_queue(keys, key=lambda k: k)
    ordered = sort_queue(keys, key=lambda k: k)
    assert all(
        (x.plan_rank, x.severity_rank, x.received_at) <= (y.plan_rank, y.severity_rank, y.received_at)
        for x, y in pairwise(ordered)
    )


def _ticket(plan: str, severity: Severity, minutes: int, ticket_id: int | None) -> Ticket:
    return Ticket(
        number=f"SOP-2026-{ticket_id or 0:05d}",
        machine_id=MachineId(1),
        customer_id=CustomerId(1),
        plan_code=PlanCode(plan),
        severity=severity,
        channel=Channel.PHONE,
        description="No extruye",
        status=TicketStatus.NEW,
        received_at=T0 + timedelta(minutes=minutes),
        id=TicketId(ticket_id) if ticket_id is not None else None,
    )


def test_r8_queue_key_takes_the_ranks_from_the_policy() -> None:
    ticket = _ticket("profesional", Severity.HIGH, 5, 42)
    key = queue_key(ticket, DEFAULT_POLICY)
    assert key == QueueKey(
        DEFAULT_POLICY.plan(PlanCode("profesional")).rank,
        DEFAULT_POLICY.severity_rank(Severity.HIGH),
        ticket.received_at,
        42,
    )
    # Re-ranking the severities in the policy moves the ticket: the order is the policy's.
    reordered = replace(DEFAULT_POLICY, severities=tuple(reversed(DEFAULT_POLICY.severities)))
    assert queue_key(ticket, reordered).severity_rank == len(DEFAULT_POLICY.severities) + 1 - key.severity_rank


def test_r8_the_key_names_are_the_order() -> None:
    assert QUEUE_ORDER == ("plan_rank", "severity_rank", "received_at", "sequence")


def test_r8_a_ticket_not_yet_recorded_has_no_place_in_the_queue() -> None:
    with pytest.raises(ValueError):
        queue_key(_ticket("premium", Severity.LOW, 0, None), DEFAULT_POLICY)
