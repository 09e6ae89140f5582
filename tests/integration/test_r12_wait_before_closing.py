"""R12 on a real database: the wait before closing that the agent states after the third contact
attempt is at least one working day, in a contact attempt and in the policy settings, so a ticket
never closes the moment its third attempt is logged. A refusal names the rule and what to do, and
writes nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.model import Channel, EventKind, Severity, TicketStatus
from desktop_app.errors import PolicyRefusal
from desktop_app.services.policy_service import PolicyNotSavedError
from desktop_app.services.tickets import IntakeRequest
from tests.integration.world import PHOTO, World, bogota

pytestmark = pytest.mark.usefixtures("english_ui")
DESCRIPTION = "La impresora hace un ruido fuerte en el eje Y y las piezas salen desplazadas."


def _waiting(w: World) -> TicketId:
    """Andrés's ticket for Colegio Bolívar, waiting on the customer since Tuesday 1 December 09:10."""
    tickets = w.services.tickets
    andres = w.actor("andres")
    detail = tickets.create_ticket(
        IntakeRequest(
            MachineId(w.ids["school_m3"]),
            DESCRIPTION,
            Severity.MEDIUM,
            Channel.PHONE,
            UserId(w.ids["andres"]),
            (PHOTO,),
        ),
        actor=andres,
    )
    tickets.set_waiting(detail.id, actor=andres, reason="Video del ruido")
    return detail.id


@pytest.mark.parametrize("days", [0, -3])
def test_R12_a_contact_attempt_stating_less_than_one_working_day_is_refused(world: World, days: int) -> None:
    tickets = world.services.tickets
    ticket_id = _waiting(world)
    before = tickets.get_ticket(ticket_id)

    with pytest.raises(PolicyRefusal) as refused:
        tickets.log_contact_attempt(ticket_id, actor=world.actor("andres"), method="phone", wait_days=days)

    assert "R12" in refused.value.message and "at least 1 working day" in refused.value.message
    after = tickets.get_ticket(ticket_id)
    assert after.version == before.version
    assert not [e for e in after.timeline if e.kind is EventKind.CONTACT_ATTEMPT]


def test_R12_the_ticket_closes_without_response_only_after_a_stated_wait_of_one_working_day(world: World) -> None:
    tickets = world.services.tickets
    andres = world.actor("andres")
    ticket_id = _waiting(world)
    for day in (1, 2, 3):  # Tuesday, Wednesday, Thursday
        world.clock.set(bogota(2026, 12, day, 10, 0))
        tickets.log_contact_attempt(ticket_id, actor=andres, method="email", wait_days=1)

    with pytest.raises(PolicyRefusal, match="not over"):
        tickets.close_no_response(ticket_id, actor=andres)  # the instant of the third attempt
    world.clock.set(bogota(2026, 12, 4, 10, 0))  # one working day later
    assert tickets.close_no_response(ticket_id, actor=andres).status is TicketStatus.CLOSED_NO_RESPONSE


@pytest.mark.parametrize("days", [0, -1])
def test_R12_the_policy_refuses_a_wait_after_the_third_attempt_under_one_working_day(world: World, days: int) -> None:
    policy = world.services.policy
    version = policy.version()

    with pytest.raises(PolicyNotSavedError) as refused:
        policy.save_policy(replace(policy.policy(), wait_after_third_attempt_days=days), actor=world.actor("admin"))

    assert "wait_after_third_attempt_days" in str(refused.value) and "R12" in str(refused.value)
    assert "set at least 1" in str(refused.value)
    assert policy.version() == version and policy.policy().wait_after_third_attempt_days == 2
    policy.save_policy(replace(policy.policy(), wait_after_third_attempt_days=1), actor=world.actor("admin"))
    assert policy.policy().wait_after_third_attempt_days == 1
