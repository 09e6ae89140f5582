"""The ticket page offers exactly what the services would accept: the lifecycle's rules from the
status, and the person's scope (R13: their own tickets, or their city's for a technician)."""

from __future__ import annotations

import pytest

from desktop_app.domain.ids import MachineId, UserId
from desktop_app.domain.model import Channel, Severity
from desktop_app.errors import PermissionDeniedError
from desktop_app.services.tickets import IntakeRequest
from tests.integration.world import PHOTO, World, bogota

DESCRIPTION = "La impresora no calienta la cama desde ayer por la tarde, error de termistor."


def test_R13_another_agent_is_offered_nothing_on_a_ticket_that_is_not_theirs(world: World) -> None:
    tickets = world.services.tickets
    world.clock.set(bogota(2026, 12, 1, 9, 0))
    request = IntakeRequest(
        MachineId(world.ids["school_m3"]),
        DESCRIPTION,
        Severity.HIGH,
        Channel.PHONE,
        UserId(world.ids["laura"]),
        (PHOTO,),
    )
    detail = tickets.create_ticket(request, actor=world.actor("laura"))

    mine = tickets.offered_actions(detail, world.actor("laura"))
    assert mine.wait and mine.close_solved and mine.out_of_scope and mine.attach and not mine.reopen

    theirs = tickets.offered_actions(detail, world.actor("andres"))
    assert not any(vars(theirs).values())
    with pytest.raises(PermissionDeniedError):  # what is not offered is refused too
        tickets.set_waiting(detail.id, actor=world.actor("andres"), reason="Acceso remoto")

    coordinator = tickets.offered_actions(detail, world.actor("carolina.rojas"))
    assert coordinator.close_solved and coordinator.escalate

    # A technician works on his city's tickets: Diego is in Bogotá, the school in Cali.
    assert not tickets.offered_actions(detail, world.actor("diego")).visit
