"""R18 on a real database: the audit log names records by the references people use (ticket
number, invoice, serial, names) and fields by their labels in the interface language."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import event

from desktop_app import i18n
from desktop_app.domain.ids import CustomerId, MachineId, UserId
from desktop_app.domain.model import Channel, Severity
from desktop_app.services.contracts import ContractForm
from desktop_app.services.dto import AuditView
from desktop_app.services.tickets import IntakeRequest, VisitRequest
from tests.integration.world import PHOTO, World, bogota


def _ticket(world: World, machine: str = "eafit_r1") -> tuple[int, str]:
    request = IntakeRequest(
        MachineId(world.ids[machine]), "La impresora se detiene a mitad de la pieza y muestra error de térmico.",
        Severity.HIGH, Channel.PHONE, UserId(world.ids["laura"]), (PHOTO,),
    )  # fmt: skip
    detail = world.services.tickets.create_ticket(request, actor=world.actor("laura"))
    return int(detail.id), detail.number


def _fields(entry: AuditView) -> dict[str, tuple[str, str, str]]:
    return {change.field: (change.label, change.before, change.after) for change in entry.fields}


def test_R18_ticket_entries_show_the_ticket_number_and_spanish_field_labels(world: World) -> None:
    i18n.install("es_CO")
    ticket_id, number = _ticket(world)
    world.services.tickets.change_severity(ticket_id, Severity.CRITICAL, actor=world.actor("carolina.rojas"))
    history = world.services.audit.history_of(world.actor("laura"), "ticket", ticket_id)

    assert number.startswith("SOP-2026-")
    assert all(entry.record is not None and entry.record.label == number for entry in history)
    assert {(entry.record.open_kind, entry.record.open_id) for entry in history if entry.record} == {
        ("ticket", ticket_id)
    }
    change = _fields(next(h for h in history if h.action == "update" and "severity" in h.changes))
    assert change["severity"] == ("Severidad", "Alta", "Crítica")
    assert change["escalation_level"] == ("Nivel de escalamiento", "1", "2")
    created = _fields(history[-1])
    assert created["assigned_agent_id"] == ("Agente asignado", "", "Laura Pérez")
    assert created["status"] == ("Estado", "", "Nuevo")
    assert created["channel"] == ("Canal", "", "Teléfono")
    assert created["plan_code"][2] == "Premium"
    # The stored codes are kept as they were written.
    assert history[-1].changes["assigned_agent_id"] == ("", str(world.ids["laura"]))

    i18n.install("en")  # the same entries, read in English
    again = world.services.audit.history_of(world.actor("laura"), "ticket", ticket_id)
    change = _fields(next(h for h in again if h.action == "update" and "severity" in h.changes))
    assert change["escalation_level"] == ("Escalation level", "1", "2")
    assert change["severity"] == ("Severity", "High", "Critical")


def test_R18_the_administrator_finds_a_ticket_s_entries_by_its_number(world: World) -> None:
    first, _number = _ticket(world)
    second, number = _ticket(world, machine="uni_m3")
    found = world.services.audit.search(world.actor("admin"), text=number)
    assert found and {entry.entity_id for entry in found} == {str(second)}
    assert all(entry.record is not None and entry.record.label == number for entry in found)
    assert str(first) not in {entry.entity_id for entry in found}


def test_R18_contracts_machines_visits_and_policy_read_by_their_references(world: World) -> None:
    admin = world.actor("admin")
    eafit, printer = CustomerId(world.ids["eafit"]), MachineId(world.ids["eafit_r1"])
    form = ContractForm(
        eafit, "profesional", "FE-2026-0420", date(2026, 6, 1), date(2027, 5, 31), 5_400_000, (printer,)
    )
    contract = world.services.contracts.save(form, actor=admin, confirm_overlap=True)
    [created] = world.services.audit.history_of(admin, "contract", int(contract.id))
    assert created.record is not None
    assert (created.record.label, created.record.open_kind, created.record.open_id) == (
        "FE-2026-0420",
        "contract",
        int(contract.id),
    )
    fields = _fields(created)
    assert fields["customer_id"] == ("Cliente", "", "Universidad EAFIT")
    assert fields["machine_ids"] == ("Máquinas", "", "MK-R1-EAFIT_R1")
    assert fields["valid_from"] == ("Vigente desde", "", "1 jun 2026")
    assert fields["price_before_iva"][2] == "$ 5.400.000"
    assert fields["special"] == ("Contrato especial", "", "no")

    ticket_id, number = _ticket(world)
    world.clock.set(bogota(2026, 12, 1, 18, 0))
    visit = VisitRequest(
        UserId(world.ids["diego"]), "Medellín", bogota(2026, 12, 1, 14, 0), bogota(2026, 12, 1, 16, 30),
        "Cambio del termistor", travel_expenses=180_000,
    )  # fmt: skip
    world.services.tickets.record_visit(ticket_id, visit, actor=admin)
    [visited] = world.services.audit.search(admin, entity="visit")
    assert visited.record is not None
    assert (visited.record.label, visited.record.open_kind, visited.record.open_id) == (
        f"{number} · MK-R1-EAFIT_R1",
        "ticket",
        ticket_id,
    )
    fields = _fields(visited)
    assert fields["technician_id"] == ("Técnico", "", "Diego Martínez")
    assert fields["ticket_id"][2] == number
    assert fields["travel_expenses"][2] == "$ 180.000"
    assert fields["started_at"][2] == "1 dic 2026, 2:00 p. m."

    policy = world.services.policy
    policy.save_policy(replace(policy.policy(), wait_after_third_attempt_days=3), actor=admin, note="3 días")
    newest = world.services.audit.search(admin, entity="policy")[0]
    assert newest.record is not None and newest.record.label == f"versión {policy.version()}"
    assert newest.record.open_kind == ""  # nothing to open: the settings page shows the version in force
    assert _fields(newest)["wait_after_third_attempt_days"] == (
        "Espera después del tercer intento de contacto",
        "2",
        "3",
    )


def test_R18_references_are_looked_up_in_one_batch_not_one_query_per_row(world: World) -> None:
    admin = world.actor("admin")
    statements: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    def queries_for_a_page() -> tuple[int, int]:
        statements.clear()
        event.listen(world.services.engine, "before_cursor_execute", count)
        try:
            rows = world.services.audit.search(admin, entity="ticket")
        finally:
            event.remove(world.services.engine, "before_cursor_execute", count)
        assert all(row.record is not None and row.record.label.startswith("SOP-2026-") for row in rows)
        return len(rows), len(statements)

    _ticket(world)
    few_rows, few_queries = queries_for_a_page()
    for machine in ("uni_m3", "school_m3", "eafit_r1", "uni_m3", "eafit_r1"):
        _ticket(world, machine=machine)
    many_rows, many_queries = queries_for_a_page()
    assert many_rows >= few_rows + 5
    assert many_queries == few_queries
