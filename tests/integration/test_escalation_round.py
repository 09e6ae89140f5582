"""R11: the periodic escalation round replays only the tickets that can climb a level."""

from __future__ import annotations

from dataclasses import replace

from desktop_app.domain.ids import MachineId, UserId
from desktop_app.domain.model import Channel, Severity
from desktop_app.services.tickets import IntakeRequest
from tests.integration.world import PHOTO, World, bogota


def _candidates(w: World, *, overdue_only: bool = True) -> list[int]:
    top = max(level.level for level in w.services.policy.policy().escalation_levels)
    with w.services.uow_factory() as uow:
        return [int(i) for i in uow.tickets.escalation_candidates(w.clock.now(), top, overdue_only=overdue_only)]


def test_r11_only_overdue_tickets_below_the_top_level_are_replayed(world: World) -> None:
    tickets = world.services.tickets
    request = IntakeRequest(
        MachineId(world.ids["eafit_r1"]), "La impresora no enciende desde esta mañana.", Severity.CRITICAL,
        Channel.PHONE, UserId(world.ids["laura"]), (PHOTO,),
    )  # fmt: skip
    ticket_id = int(tickets.create_ticket(request, actor=world.actor("laura")).id)
    assert _candidates(world) == []  # on time: nothing to replay
    world.clock.set(bogota(2026, 12, 1, 11, 30))  # premium critical: due at 11:00
    assert _candidates(world) == [ticket_id]
    assert [n.decision.to_level for n in tickets.check_escalations()] == [2]
    world.clock.set(bogota(2026, 12, 1, 17, 0))  # past twice the response time
    assert [n.decision.to_level for n in tickets.check_escalations()] == [3]
    assert _candidates(world) == []  # at the top level: never replayed again
    assert tickets.check_escalations() == []


def test_r11_an_early_threshold_replays_tickets_still_on_time(world: World) -> None:
    policy = world.services.policy.policy()
    early = tuple(replace(level, threshold=0.5) if level.level == 2 else level for level in policy.escalation_levels)
    world.services.policy.save_policy(replace(policy, escalation_levels=early), actor=world.actor("admin"))
    tickets = world.services.tickets
    request = IntakeRequest(
        MachineId(world.ids["eafit_r1"]), "La impresora no enciende desde esta mañana.", Severity.CRITICAL,
        Channel.PHONE, UserId(world.ids["laura"]), (PHOTO,),
    )  # fmt: skip
    tickets.create_ticket(request, actor=world.actor("laura"))
    world.clock.set(bogota(2026, 12, 1, 10, 15))  # 75 of 120 minutes: not due, past half
    assert [n.decision.to_level for n in tickets.check_escalations()] == [2]
