"""R11 on a real database: a raised priority is an escalation trigger even when the ticket is
already at the top level. The level stays; the raise is on the timeline with who, why and when,
the top level's people are told, and the audit log has it."""

from __future__ import annotations

import pytest

from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.model import Channel, EventKind, Severity
from desktop_app.services.tickets import IntakeRequest
from desktop_app.wording import event_label
from tests.integration.world import PHOTO, World, bogota

pytestmark = pytest.mark.usefixtures("english_ui")
DESCRIPTION = "La impresora no calienta la cama y la primera capa se despega en todas las piezas."


def _at_the_top(w: World) -> TicketId:
    """Universidad del Norte's printer (Profesional), taken as Baja, escalated by hand to level 3."""
    tickets = w.services.tickets
    carolina = w.actor("carolina.rojas")
    detail = tickets.create_ticket(
        IntakeRequest(
            MachineId(w.ids["uni_m3"]), DESCRIPTION, Severity.LOW, Channel.PHONE, UserId(w.ids["laura"]), (PHOTO,)
        ),
        actor=w.actor("laura"),
    )
    tickets.escalate(detail.id, actor=carolina, note="El cliente tiene una feria mañana.")
    tickets.escalate(detail.id, actor=carolina, note="Sigue sin solución.")
    assert tickets.get_ticket(detail.id).escalation_level == 3
    return detail.id


def test_R11_raising_the_severity_at_the_top_level_is_recorded_told_and_audited(world: World) -> None:
    tickets = world.services.tickets
    ticket_id = _at_the_top(world)
    director = UserId(world.ids["mauricio.diaz"])
    told_before = len(tickets.notifications(director))
    world.clock.set(bogota(2026, 12, 1, 10, 0))

    detail = tickets.change_severity(ticket_id, Severity.CRITICAL, actor=world.actor("carolina.rojas"))

    assert detail.escalation_level == 3 and detail.severity is Severity.CRITICAL
    escalation = detail.timeline[0] if detail.timeline[0].kind is EventKind.ESCALATION else detail.timeline[1]
    assert escalation.kind is EventKind.ESCALATION
    assert escalation.data["reason"] == "priority_change"
    assert (escalation.data["from"], escalation.data["level"]) == ("3", "3")
    assert escalation.author_name == "Carolina Rojas" and escalation.at == bogota(2026, 12, 1, 10, 0)
    assert event_label(escalation.kind, dict(escalation.data)) == (
        "Priority raised at escalation level 3: its people were told"
    )
    told = tickets.notifications(director)
    assert len(told) == told_before + 1 and told[0].kind == "escalation"
    history = world.services.audit.history_of(world.actor("laura"), "ticket", ticket_id)
    raised = [h for h in history if h.action == "escalate" and h.changes.get("escalation_level") == ("3", "3")]
    assert len(raised) == 1 and raised[0].actor_name == "Carolina Rojas"


def test_R11_lowering_the_severity_at_the_top_level_is_no_escalation(world: World) -> None:
    tickets = world.services.tickets
    ticket_id = _at_the_top(world)
    tickets.change_severity(ticket_id, Severity.HIGH, actor=world.actor("carolina.rojas"))
    escalations = len([e for e in tickets.get_ticket(ticket_id).timeline if e.kind is EventKind.ESCALATION])

    detail = tickets.change_severity(ticket_id, Severity.MEDIUM, actor=world.actor("carolina.rojas"))

    assert len([e for e in detail.timeline if e.kind is EventKind.ESCALATION]) == escalations
