"""R16 on-site visits and the machine lookup that intake starts from, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from desktop_app.domain.eligibility import Coverage, Refusal
from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.model import Channel, EventKind, Severity, TicketStatus
from desktop_app.errors import PermissionDeniedError, UserFacingError
from desktop_app.services.tickets import IntakeRequest, NewAttachment, VisitRequest
from tests.integration.world import PHOTO, World, bogota

pytestmark = pytest.mark.usefixtures("english_ui")


def _eafit_ticket(w: World) -> TicketId:
    detail = w.services.tickets.create_ticket(
        IntakeRequest(
            MachineId(w.ids["eafit_r1"]),
            "La impresora de resina no cura las capas inferiores desde el cambio de tanque.",
            Severity.HIGH,
            Channel.ONSITE,
            UserId(w.ids["laura"]),
            (PHOTO,),
        ),
        actor=w.actor("carolina.rojas"),
    )
    return detail.id


def _visit(w: World, start_hour: int, end: tuple[int, int], **changes: object) -> VisitRequest:
    fields: dict[str, object] = {
        "technician_id": UserId(w.ids["diego"]),
        "city": "Medellín",
        "started_at": bogota(2026, 12, 1, start_hour, 0),
        "ended_at": bogota(2026, 12, 1, *end),
        "work_done": "Mantenimiento preventivo; cambio de boquilla.",
        "parts": "Boquilla 0,4 mm",
        "travel_expenses": 180_000,
        "maintenance": True,
    }
    fields.update(changes)
    return VisitRequest(**fields)  # type: ignore[arg-type]


def test_r16_a_visit_is_recorded_on_the_ticket_and_dates_the_machines_maintenance(world: World) -> None:
    ticket_id = _eafit_ticket(world)
    world.clock.set(bogota(2026, 12, 1, 15, 0))
    detail = world.services.tickets.record_visit(ticket_id, _visit(world, 10, (13, 30)), actor=world.actor("admin"))
    [visit] = detail.visits
    assert (visit.technician_name, visit.city, visit.travel_expenses) == ("Diego Martínez", "Medellín", 180_000)
    assert visit.maintenance and not visit.long_maintenance
    event = detail.timeline[0]
    assert event.kind is EventKind.VISIT and event.data["minutes"] == "210"
    with world.services.uow_factory() as uow:
        machine = uow.catalog.get_machine(MachineId(world.ids["eafit_r1"]))
    assert machine is not None and machine.last_preventive_maintenance == date(2026, 12, 1)


def test_r16_a_maintenance_over_four_hours_is_flagged_and_coordinators_are_told(world: World) -> None:
    ticket_id = _eafit_ticket(world)
    world.clock.set(bogota(2026, 12, 1, 16, 0))
    detail = world.services.tickets.record_visit(ticket_id, _visit(world, 10, (14, 30)), actor=world.actor("admin"))
    assert detail.visits[0].long_maintenance
    assert detail.timeline[0].data["long_maintenance"] == "1"
    told = world.services.tickets.notifications(UserId(world.ids["carolina.rojas"]))
    assert [n.kind for n in told if n.ticket_id == ticket_id] == ["long_visit"]


def test_r16_a_visit_outside_the_four_cities_names_every_problem_and_writes_nothing(world: World) -> None:
    ticket_id = _eafit_ticket(world)
    world.clock.set(bogota(2026, 12, 1, 12, 0))
    bad = _visit(world, 11, (10, 0), city="Pereira", work_done="  ", travel_expenses=-5)
    with pytest.raises(UserFacingError) as refused:
        world.services.tickets.record_visit(ticket_id, bad, actor=world.actor("admin"))
    message = str(refused.value)
    for words in ("Barranquilla, Bogotá, Cali, Medellín", "end after it starts", "work done", "negative"):
        assert words in message
    assert world.services.tickets.get_ticket(ticket_id).visits == ()


def test_r16_one_technician_cannot_be_in_two_visits_at_once(world: World) -> None:
    ticket_id = _eafit_ticket(world)
    world.clock.set(bogota(2026, 12, 1, 18, 0))
    tickets = world.services.tickets
    tickets.record_visit(ticket_id, _visit(world, 9, (11, 0)), actor=world.actor("admin"))
    with pytest.raises(UserFacingError, match="already has a visit"):
        tickets.record_visit(ticket_id, _visit(world, 10, (12, 0)), actor=world.actor("admin"))
    assert len(tickets.get_ticket(ticket_id).visits) == 1


def test_r16_a_visit_recorded_for_someone_else_is_only_for_a_technician(world: World) -> None:
    ticket_id = _eafit_ticket(world)
    world.clock.set(bogota(2026, 12, 1, 18, 0))
    tickets = world.services.tickets
    for not_a_technician in (UserId(world.ids["laura"]), UserId(999_999)):
        with pytest.raises(UserFacingError, match="Choose one of the technicians"):
            tickets.record_visit(
                ticket_id, _visit(world, 9, (11, 0), technician_id=not_a_technician), actor=world.actor("admin")
            )
    assert tickets.get_ticket(ticket_id).visits == ()


def test_r16_a_technician_records_visits_only_in_their_own_city(world: World) -> None:
    ticket_id = _eafit_ticket(world)  # Medellín; Diego works in Bogotá
    world.clock.set(bogota(2026, 12, 1, 15, 0))
    with pytest.raises(PermissionDeniedError):
        world.services.tickets.record_visit(ticket_id, _visit(world, 10, (12, 0)), actor=world.actor("diego"))
    agent_visit = _visit(world, 10, (12, 0), technician_id=UserId(world.ids["laura"]))
    with pytest.raises(PermissionDeniedError):
        world.services.tickets.record_visit(ticket_id, agent_visit, actor=world.actor("laura"))


def test_machine_search_ignores_case_and_accents_and_needs_every_word(world: World) -> None:
    machines = world.services.machines
    assert {m.serial for m in machines.search("bogota")} == {"MK-M3-MAKER_M3", "MK-M2-MAKER_OLD"}
    assert [m.serial for m in machines.search("maker m2")] == ["MK-M2-MAKER_OLD"]
    assert [m.customer_name for m in machines.search("eafit resin")] == ["Universidad EAFIT"]
    assert machines.search("100%_") == []
    assert len(machines.search("")) == 5


def test_machine_lookup_tells_coverage_and_open_tickets_before_intake(world: World) -> None:
    machines = world.services.machines
    lookup = machines.lookup(MachineId(world.ids["eafit_r1"]))
    assert lookup.eligibility.coverage is Coverage.PLAN and lookup.plan_name.lower().startswith("premium")
    assert lookup.open_tickets == ()
    ticket_id = _eafit_ticket(world)
    lookup = machines.lookup(MachineId(world.ids["eafit_r1"]))
    assert [(t[0], t[2]) for t in lookup.open_tickets] == [(ticket_id, TicketStatus.NEW)]
    old = machines.lookup(MachineId(world.ids["maker_old"]))
    assert old.eligibility.refusal is Refusal.DISCONTINUED


def test_files_arriving_after_intake_are_attached_all_or_nothing(world: World) -> None:
    ticket_id = _eafit_ticket(world)
    tickets = world.services.tickets
    log = NewAttachment("registro.txt", b"E12 thermal runaway")
    detail = tickets.add_attachments(ticket_id, [log, PHOTO], actor=world.actor("laura"))
    assert [a.filename for a in detail.attachments] == ["falla.jpg", "registro.txt", "falla.jpg"]
    assert detail.timeline[0].kind is EventKind.ATTACHMENT and detail.timeline[0].data["count"] == "2"
    with pytest.raises(UserFacingError, match=r"vacio\.txt"):
        tickets.add_attachments(ticket_id, [log, NewAttachment("vacio.txt", b"")], actor=world.actor("laura"))
    assert len(tickets.get_ticket(ticket_id).attachments) == 3
    with pytest.raises(PermissionDeniedError):  # another agent's ticket
        tickets.add_attachments(ticket_id, [log], actor=world.actor("andres"))


def test_the_channel_can_change_only_to_one_the_coverage_includes(world: World) -> None:
    from desktop_app.errors import PolicyRefusal
    from desktop_app.services.tickets import TicketChanges

    tickets = world.services.tickets
    school = MachineId(world.ids["school_m3"])
    allowed = world.services.machines.lookup(school).eligibility.channels
    assert Channel.ONSITE not in allowed and Channel.EMAIL in allowed  # plan basico: virtual only
    request = IntakeRequest(
        school, "La impresora no extruye desde el cambio de filamento.", Severity.HIGH, Channel.PHONE,
        UserId(world.ids["laura"]), (PHOTO,),
    )  # fmt: skip
    ticket_id = tickets.create_ticket(request, actor=world.actor("laura")).id
    changed = tickets.update_ticket(ticket_id, TicketChanges(channel=Channel.EMAIL), actor=world.actor("laura"))
    assert changed.channel is Channel.EMAIL
    with pytest.raises(PolicyRefusal, match="On-site"):
        tickets.update_ticket(ticket_id, TicketChanges(channel=Channel.ONSITE), actor=world.actor("laura"))
    assert tickets.get_ticket(ticket_id).channel is Channel.EMAIL


# -- the machine registry and scanning (issue 6) -------------------------------------------------


def test_r2_a_scanned_label_resolves_to_its_machine_and_a_foreign_code_says_what_it_is(world: World) -> None:
    machines = world.services.machines
    found = machines.resolve_scan("  https://somosmaker.com/soporte/m/mk-m3-school_m3\n")
    assert found.machine_id == MachineId(world.ids["school_m3"]) and found.message == ""
    unknown = machines.resolve_scan("https://somosmaker.com/soporte/m/MK-ZZ-999999")
    assert unknown.machine_id is None and "MK-ZZ-999999" in unknown.message
    foreign = machines.resolve_scan("https://example.com/wifi")
    assert foreign.machine_id is None and "not a makeR machine label" in foreign.message
    certificate = machines.resolve_scan("https://somosmaker.com/soporte/c/abc")
    assert "certificate" in certificate.message


def test_a_machine_page_holds_its_tickets_visits_contracts_and_coverage(world: World) -> None:
    ticket_id = _eafit_ticket(world)
    world.clock.set(bogota(2026, 12, 1, 15, 0))
    world.services.tickets.record_visit(ticket_id, _visit(world, 10, (13, 0)), actor=world.actor("admin"))
    page = world.services.machines.page(MachineId(world.ids["eafit_r1"]))
    assert page.detail.serial == "MK-R1-EAFIT_R1" and page.detail.customer_name == "Universidad EAFIT"
    assert [t.id for t in page.tickets] == [ticket_id]
    assert [v.city for v in page.visits] == ["Medellín"]
    assert [c.invoice_number for c in page.contracts] == ["FE-c_eafit"]
    assert page.eligibility.coverage is Coverage.PLAN and page.plan_name
    assert page.detail.last_preventive_maintenance == date(2026, 12, 1)  # the visit dated it


def test_machines_are_registered_and_corrected_with_every_problem_named(world: World) -> None:
    from desktop_app.domain.ids import CustomerId
    from desktop_app.errors import ConflictError
    from desktop_app.services.machines import MachineForm

    machines = world.services.machines
    admin = world.actor("admin")
    form = MachineForm(" mk-m3-260999 ", "M3", CustomerId(world.ids["uni"]), date(2026, 6, 1), date(2027, 6, 1))
    created = machines.save(form, actor=admin)
    assert created.serial == "MK-M3-260999" and created.qr_payload.endswith("/MK-M3-260999")
    assert [m.serial for m in machines.search("norte 260999")] == ["MK-M3-260999"]
    with pytest.raises(UserFacingError, match="already registered"):
        machines.save(form, actor=admin)
    bad = MachineForm("MK M3", "M3", CustomerId(world.ids["uni"]), date(2027, 1, 1), date(2026, 1, 1))
    with pytest.raises(UserFacingError) as refused:
        machines.save(bad, actor=admin)
    assert all(words in str(refused.value) for words in ("serial", "future", "warranty cannot end"))
    fixed = replace(form, id=created.id, warranty_end=date(2028, 6, 1), unauthorized_intervention=True)
    updated = machines.save(fixed, actor=admin, expected_version=created.version)
    assert updated.warranty_end == date(2028, 6, 1) and updated.unauthorized_intervention
    with pytest.raises(ConflictError):
        machines.save(fixed, actor=admin, expected_version=created.version)
    with pytest.raises(PermissionDeniedError):
        machines.save(replace(form, serial="MK-M3-260998"), actor=world.actor("laura"))
    history = world.services.audit.history_of(admin, "machine", int(created.id))
    assert [e.action for e in history][:2] == ["update", "create"]
    assert "warranty_end" in history[0].changes
