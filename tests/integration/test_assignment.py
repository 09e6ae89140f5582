"""R1 and issue 12: one responsible agent per ticket, and only a coordinator (or an administrator,
who may assign anyone) decides it is someone else. A technician works on every ticket of his city
but may only take an unassigned one for himself; the ticket page offers exactly that."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.model import Channel, EventKind, Role, Severity, User
from desktop_app.domain.permissions import Actor
from desktop_app.errors import PermissionDeniedError, UserFacingError
from desktop_app.persistence.tables import AuditRecord
from desktop_app.services.tickets import IntakeRequest
from desktop_app.services.users import actor_of
from tests.integration.world import PHOTO, World

pytestmark = pytest.mark.usefixtures("english_ui")
DESCRIPTION = "La resina no cura en la última capa y la pieza se despega de la plataforma."


def _technician_in_medellin(w: World) -> Actor:
    """A technician in the city of EAFIT (the world's own technician is in Bogotá)."""
    with w.services.uow_factory() as uow:
        user = uow.catalog.add_user(
            User("tomas", "Tomás Restrepo", "tomas@somosmaker.com", Role.TECHNICIAN, "Medellín")
        )
        uow.commit()
    return actor_of(user)


def _eafit_ticket(w: World, agent: str = "laura") -> TicketId:
    request = IntakeRequest(
        MachineId(w.ids["eafit_r1"]), DESCRIPTION, Severity.HIGH, Channel.PHONE, UserId(w.ids[agent]), (PHOTO,)
    )
    return w.services.tickets.create_ticket(request, actor=w.actor("admin")).id


def _unassign(w: World, ticket_id: TicketId) -> None:
    """An unassigned ticket (its agent left, say): intake itself always names one (R1)."""
    with w.services.uow_factory() as uow:
        ticket = uow.tickets.get(ticket_id)
        assert ticket is not None
        uow.tickets.save(replace(ticket, assigned_agent_id=None))
        uow.commit()


def _audit_rows(w: World) -> int:
    with w.services.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(AuditRecord)).scalar_one()


def test_R1_a_technician_cannot_take_an_agents_ticket_in_his_own_city(world: World) -> None:
    tickets = world.services.tickets
    tomas = _technician_in_medellin(world)
    ticket_id = _eafit_ticket(world)
    before = tickets.get_ticket(ticket_id)
    offered = tickets.offered_actions(before, tomas)
    assert offered.visit and not offered.take and not offered.assign_others  # his city's ticket, not his to take
    audit = _audit_rows(world)
    with pytest.raises(PermissionDeniedError) as refused:
        tickets.assign(ticket_id, tomas.user_id, actor=tomas)  # type: ignore[arg-type]
    assert refused.value.message == (
        f"Ticket {before.number} is assigned to Laura Pérez; only a coordinator can reassign it."
    )
    after = tickets.get_ticket(ticket_id)
    assert (after.agent_id, after.version, _audit_rows(world)) == (before.agent_id, before.version, audit)
    assert [e for e in after.timeline if e.kind is EventKind.ASSIGNMENT] == [
        e for e in before.timeline if e.kind is EventKind.ASSIGNMENT
    ]


def test_R1_an_agent_or_technician_cannot_give_a_ticket_to_someone_else(world: World) -> None:
    tickets = world.services.tickets
    tomas = _technician_in_medellin(world)
    ticket_id = _eafit_ticket(world)
    with pytest.raises(PermissionDeniedError, match="Only a coordinator can give a ticket to someone else"):
        tickets.assign(ticket_id, UserId(world.ids["andres"]), actor=world.actor("laura"))
    _unassign(world, ticket_id)
    with pytest.raises(PermissionDeniedError, match="Only a coordinator can give a ticket to someone else"):
        tickets.assign(ticket_id, UserId(world.ids["laura"]), actor=tomas)
    assert tickets.get_ticket(ticket_id).agent_id is None


def test_R1_a_technician_takes_an_unassigned_ticket_of_his_city(world: World) -> None:
    tickets = world.services.tickets
    tomas = _technician_in_medellin(world)
    ticket_id = _eafit_ticket(world)
    _unassign(world, ticket_id)
    offered = tickets.offered_actions(tickets.get_ticket(ticket_id), tomas)
    assert offered.take and not offered.assign_others
    # Diego (Bogotá) is offered nothing on a Medellín ticket, and refused.
    assert not tickets.offered_actions(tickets.get_ticket(ticket_id), world.actor("diego")).take
    with pytest.raises(PermissionDeniedError):
        tickets.assign(ticket_id, UserId(world.ids["diego"]), actor=world.actor("diego"))
    detail = tickets.assign(ticket_id, tomas.user_id, actor=tomas)  # type: ignore[arg-type]
    assert detail.agent_id == tomas.user_id
    assert not tickets.offered_actions(detail, tomas).take  # already his


def test_R1_a_coordinator_reassigns_anyones_ticket(world: World) -> None:
    tickets = world.services.tickets
    tomas = _technician_in_medellin(world)
    ticket_id = _eafit_ticket(world)
    carolina = world.actor("carolina.rojas")
    offered = tickets.offered_actions(tickets.get_ticket(ticket_id), carolina)
    assert offered.take and offered.assign_others
    detail = tickets.assign(ticket_id, tomas.user_id, actor=carolina)  # type: ignore[arg-type]
    assert detail.agent_id == tomas.user_id
    detail = tickets.assign(ticket_id, carolina.user_id, actor=carolina)  # type: ignore[arg-type]
    assert detail.agent_id == carolina.user_id


def test_R1_a_ticket_is_assigned_only_to_an_active_user(world: World) -> None:
    tickets = world.services.tickets
    ticket_id = _eafit_ticket(world)
    with pytest.raises(UserFacingError, match="not an active user"):
        tickets.assign(ticket_id, UserId(987654), actor=world.actor("carolina.rojas"))
    assert tickets.get_ticket(ticket_id).agent_id == world.ids["laura"]
