"""R16 on a real database: a visit is recorded only in one of the four on-site cities and only on
a machine whose coverage today includes on-site service. A visit for a Básico customer, for free
support under warranty (e-mail only), or for a Premium customer outside the four cities is
refused with a message that names the rule and what the customer can do; nothing is written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from desktop_app.domain.ids import MachineId, ModelCode, PlanCode, TicketId, UserId
from desktop_app.domain.model import Channel, Contract, Customer, CustomerKind, Machine, Severity
from desktop_app.errors import PolicyRefusal, UserFacingError
from desktop_app.persistence.tables import AuditRecord, VisitRecord
from desktop_app.services.tickets import IntakeRequest, VisitRequest
from tests.integration.world import PHOTO, World, bogota

pytestmark = pytest.mark.usefixtures("english_ui")
DESCRIPTION = "La impresora pierde pasos en el eje X y las piezas salen corridas a la mitad."


def _ticket(w: World, machine: str, channel: Channel = Channel.PHONE) -> TicketId:
    detail = w.services.tickets.create_ticket(
        IntakeRequest(MachineId(w.ids[machine]), DESCRIPTION, Severity.HIGH, channel, UserId(w.ids["laura"]), (PHOTO,)),
        actor=w.actor("admin"),
    )
    return detail.id


def _visit(w: World, city: str, day: int = 1) -> VisitRequest:
    return VisitRequest(
        UserId(w.ids["diego"]),
        city,
        bogota(2026, w.clock.now().month, day, 9, 0),
        bogota(2026, w.clock.now().month, day, 11, 0),
        "Ajuste de correas y calibración del eje X.",
        travel_expenses=180_000,
        maintenance=True,
    )


def _count(w: World, table: type) -> int:
    with w.services.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def _refused(w: World, ticket_id: TicketId, visit: VisitRequest) -> str:
    visits, audit = _count(w, VisitRecord), _count(w, AuditRecord)
    with pytest.raises(PolicyRefusal) as refused:
        w.services.tickets.record_visit(ticket_id, visit, actor=w.actor("admin"))
    assert (_count(w, VisitRecord), _count(w, AuditRecord)) == (visits, audit)  # nothing half-written
    assert w.services.tickets.get_ticket(ticket_id).visits == ()
    return refused.value.message


def test_R16_no_visit_for_a_basico_customer_whose_plan_has_no_on_site_service(world: World) -> None:
    ticket_id = _ticket(world, "school_m3")  # Colegio Bolívar, Cali, plan Básico
    world.clock.set(bogota(2026, 12, 1, 15, 0))

    message = _refused(world, ticket_id, _visit(world, "Cali"))

    assert "R16" in message and "plan Básico" in message
    assert "contract a plan with on-site service (Premium, Profesional)" in message


def test_R16_no_visit_on_free_support_under_warranty_which_is_by_e_mail_only(world: World) -> None:
    world.clock.set(bogota(2026, 6, 2, 9, 0))  # Maker Space Bogotá's printer is still in warranty
    ticket_id = _ticket(world, "maker_m3", Channel.EMAIL)
    world.clock.set(bogota(2026, 6, 2, 15, 0))

    message = _refused(world, ticket_id, _visit(world, "Bogotá", day=2))

    assert "R16" in message and "free support under warranty (e-mail only)" in message


def test_R16_no_visit_for_an_on_site_plan_outside_the_four_cities(world: World) -> None:
    with world.services.uow_factory() as uow:
        utp = uow.catalog.add_customer(
            Customer("Universidad Tecnológica de Pereira", CustomerKind.UNIVERSITY, "Pereira", "8913", "u@utp.co",
                     "1", True, True)
        )  # fmt: skip
        assert utp.id is not None
        printer = uow.catalog.add_machine(
            Machine("MK-M3-UTP1", "MK-M3-UTP1", ModelCode("M3"), utp.id, date(2025, 1, 1), date(2026, 1, 1))
        )
        assert printer.id is not None
        uow.contracts.add(
            Contract(utp.id, PlanCode("premium"), "FE-UTP", date(2026, 1, 1), date(2027, 6, 30), 1, (printer.id,))
        )
        uow.commit()
    world.ids["utp_m3"] = int(printer.id)
    ticket_id = _ticket(world, "utp_m3")
    world.clock.set(bogota(2026, 12, 1, 15, 0))

    with pytest.raises(UserFacingError, match="only in Barranquilla, Bogotá, Cali, Medellín"):
        world.services.tickets.record_visit(ticket_id, _visit(world, "Pereira"), actor=world.actor("admin"))
    message = _refused(world, ticket_id, _visit(world, "Bogotá"))

    assert "R16" in message and "plan Premium, for a customer in Pereira, outside the on-site cities" in message


@pytest.mark.parametrize("typed", ["Medellin", "medellín", "Envigado"])
def test_R16_a_city_typed_freely_is_not_one_of_the_four(world: World, typed: str) -> None:
    ticket_id = _ticket(world, "eafit_r1", Channel.ONSITE)  # Premium, Medellín: on-site covered
    world.clock.set(bogota(2026, 12, 1, 15, 0))

    with pytest.raises(UserFacingError, match="only in Barranquilla, Bogotá, Cali, Medellín"):
        world.services.tickets.record_visit(ticket_id, _visit(world, typed), actor=world.actor("admin"))
    detail = world.services.tickets.record_visit(ticket_id, _visit(world, "Medellín"), actor=world.actor("admin"))

    assert [v.city for v in detail.visits] == ["Medellín"]
