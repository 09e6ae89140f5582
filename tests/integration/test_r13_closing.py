"""R13 on a real database: the assigned agent closes a ticket. Anyone else who may work on it
(a coordinator, an administrator, a technician of the customer's city) closes it for them only
with a reason, which goes on the timeline and in the audit log; without one the close is refused
with a message naming the rule and what to do, and nothing is written. The desk itself (the mail
jobs to come) closes without one."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.model import Channel, EventKind, Severity, TicketStatus
from desktop_app.domain.permissions import SYSTEM, Actor
from desktop_app.errors import PermissionDeniedError, PolicyRefusal
from desktop_app.services.dto import TicketDetail
from desktop_app.services.tickets import IntakeRequest
from desktop_app.wording import event_label
from tests.integration.world import PHOTO, World, bogota

pytestmark = pytest.mark.usefixtures("english_ui")
DESCRIPTION = "La impresora no extruye filamento después del cambio de boquilla; el motor salta."
REASON = "Laura está de vacaciones; el cliente confirmó por teléfono."

Close = Callable[[World, TicketId, Actor, str], TicketDetail]


def _laura_s_ticket(w: World, *, waiting_out: bool = False) -> TicketId:
    """Laura's ticket for Universidad del Norte (Barranquilla), answered and in progress; with
    waiting_out, three contact attempts made and the stated wait over (it may close without response)."""
    tickets = w.services.tickets
    laura = w.actor("laura")
    detail = tickets.create_ticket(
        IntakeRequest(
            MachineId(w.ids["uni_m3"]), DESCRIPTION, Severity.HIGH, Channel.PHONE, UserId(w.ids["laura"]), (PHOTO,)
        ),
        actor=laura,
    )
    tickets.add_comment(detail.id, "Revise la tensión del extrusor, por favor.", actor=laura)
    if waiting_out:
        tickets.set_waiting(detail.id, actor=laura, reason="Fotos del extrusor")
        for day in (1, 2, 3):
            w.clock.set(bogota(2026, 12, day, 10, 0))
            tickets.log_contact_attempt(detail.id, actor=laura, method="phone", wait_days=2)
        w.clock.set(bogota(2026, 12, 7, 10, 0))
    return detail.id


def _solved(w: World, ticket_id: TicketId, actor: Actor, reason: str) -> TicketDetail:
    return w.services.tickets.close_solved(
        ticket_id, actor=actor, solution="Tensión del extrusor ajustada.", closing_for_reason=reason
    )


def _out_of_scope(w: World, ticket_id: TicketId, actor: Actor, reason: str) -> TicketDetail:
    return w.services.tickets.mark_out_of_scope(
        ticket_id, actor=actor, reason="Filamento de otra marca, fuera de garantía.", closing_for_reason=reason
    )


def _no_response(w: World, ticket_id: TicketId, actor: Actor, reason: str) -> TicketDetail:
    return w.services.tickets.close_no_response(ticket_id, actor=actor, closing_for_reason=reason)


CLOSES = [
    pytest.param(_solved, TicketStatus.CLOSED, False, id="solved"),
    pytest.param(_out_of_scope, TicketStatus.OUT_OF_SCOPE, False, id="out_of_scope"),
    pytest.param(_no_response, TicketStatus.CLOSED_NO_RESPONSE, True, id="no_response"),
]


@pytest.mark.parametrize(("close", "status", "waiting_out"), CLOSES)
def test_R13_the_assigned_agent_closes_without_a_reason(
    world: World, close: Close, status: TicketStatus, waiting_out: bool
) -> None:
    ticket_id = _laura_s_ticket(world, waiting_out=waiting_out)

    detail = close(world, ticket_id, world.actor("laura"), "")

    assert detail.status is status
    closing = next(e for e in detail.timeline if e.kind is EventKind.STATUS_CHANGE)
    assert "closing_for" not in closing.data and closing.author_name == "Laura Pérez"


@pytest.mark.parametrize(("close", "status", "waiting_out"), CLOSES)
@pytest.mark.parametrize("closer", ["carolina.rojas", "admin"])
def test_R13_someone_else_closes_only_for_the_assigned_agent_with_a_recorded_reason(
    world: World, close: Close, status: TicketStatus, waiting_out: bool, closer: str
) -> None:
    tickets = world.services.tickets
    ticket_id = _laura_s_ticket(world, waiting_out=waiting_out)
    before = tickets.get_ticket(ticket_id)

    with pytest.raises(PolicyRefusal) as refused:
        close(world, ticket_id, world.actor(closer), "   ")

    message = refused.value.message
    assert "R13" in message and "Laura Pérez" in message and "Closing for Laura Pérez: reason" in message
    after = tickets.get_ticket(ticket_id)
    assert (after.version, after.status, len(after.timeline)) == (before.version, before.status, len(before.timeline))

    detail = close(world, ticket_id, world.actor(closer), REASON)

    assert detail.status is status and detail.agent_name == "Laura Pérez"  # still hers
    closing = next(e for e in detail.timeline if e.kind is EventKind.STATUS_CHANGE)
    assert closing.body == REASON and closing.author_name == world.users[closer].full_name
    assert closing.data["closing_for"] == str(world.ids["laura"])
    assert event_label(closing.kind, closing.data).endswith("— closed for Laura Pérez")
    history = world.services.audit.history_of(world.actor("laura"), "ticket", ticket_id)
    audited = next(h for h in history if "closing_for" in h.changes)
    assert audited.actor_name == world.users[closer].full_name
    assert audited.changes["closing_for"] == ("", "Laura Pérez")
    assert audited.changes["closing_reason"] == ("", REASON)
    assert audited.changes["status"][1] == status.value


def test_R13_the_desk_itself_closes_without_a_reason(world: World) -> None:
    ticket_id = _laura_s_ticket(world, waiting_out=True)

    detail = world.services.tickets.close_no_response(ticket_id, actor=SYSTEM)

    assert detail.status is TicketStatus.CLOSED_NO_RESPONSE


def test_R13_another_agent_still_may_not_close_laura_s_ticket_even_with_a_reason(world: World) -> None:
    ticket_id = _laura_s_ticket(world)

    with pytest.raises(PermissionDeniedError):
        _solved(world, ticket_id, world.actor("andres"), REASON)

    assert world.services.tickets.get_ticket(ticket_id).status is TicketStatus.IN_PROGRESS
