"""R6/R16/R17 from real tickets and visits: the contract's balance, the billing lines, CSV and PDF."""

from __future__ import annotations

import csv
import io
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from desktop_app.domain.billing import LineKind
from desktop_app.domain.ids import ContractId, CustomerId, MachineId, UserId
from desktop_app.domain.model import Channel, Severity, Visit
from desktop_app.errors import UserFacingError
from desktop_app.services.contracts import ContractForm
from desktop_app.services.tickets import IntakeRequest, TicketChanges, VisitRequest
from tests.integration.world import PHOTO, World, bogota


def _eafit_ticket(w: World) -> int:
    request = IntakeRequest(
        MachineId(w.ids["eafit_r1"]), "La impresora de resina no cura las capas inferiores desde ayer.",
        Severity.HIGH, Channel.ONSITE, UserId(w.ids["laura"]), (PHOTO,),
    )  # fmt: skip
    return int(w.services.tickets.create_ticket(request, actor=w.actor("laura")).id)


def test_r17_recorded_time_and_visits_become_the_contracts_balance_and_bill(world: World, tmp_path: Path) -> None:
    tickets, billing = world.services.tickets, world.services.billing
    ticket = _eafit_ticket(world)
    for hours in (8, 8, 5):  # 21 h against premium's 20 included
        work = TicketChanges(comment="Asesoría remota de calibración.", minutes_spent=hours * 60)
        tickets.update_ticket(ticket, work, actor=world.actor("laura"))
    world.clock.set(bogota(2026, 12, 20, 18, 0))
    for day in (2, 3, 4, 9, 10):  # five maintenances against premium's four
        visit = VisitRequest(
            UserId(world.ids["diego"]), "Medellín", bogota(2026, 12, day, 9, 0), bogota(2026, 12, day, 12, 30),
            "Mantenimiento preventivo", travel_expenses=180_000, maintenance=True,
        )  # fmt: skip
        tickets.record_visit(ticket, visit, actor=world.actor("admin"))
    statement = billing.contract_statement(ContractId(world.ids["c_eafit"]))
    used = statement.balance
    assert (used.advisory_minutes_used, used.advisory_minutes_included) == (21 * 60, 20 * 60)
    assert (used.maintenances_used, used.maintenances_included) == (5, 4)
    amounts = sorted((line.kind, line.amount) for line in statement.lines)
    assert amounts.count((LineKind.TRAVEL, 180_000)) == 5
    assert (LineKind.EXTRA_HOURS, 150_000) in amounts  # 1 h at premium's 150.000
    assert (LineKind.OUT_OF_PLAN, 525_000) in amounts  # the fifth maintenance, 3 h 30 min
    assert statement.totals.before_iva == 5 * 180_000 + 150_000 + 525_000
    assert statement.totals.iva == round(statement.totals.before_iva * 0.19)

    customer = CustomerId(world.ids["eafit"])
    rows = list(csv.reader(io.StringIO(billing.customer_csv(customer).decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] in ("Cliente", "Customer") and len(rows) == 1 + len(statement.lines)
    assert sum(int(row[8]) for row in rows[1:]) == statement.totals.before_iva
    pdf = tmp_path / "estado.pdf"
    pdf.write_bytes(billing.customer_pdf(customer))
    words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Universidad EAFIT" in words and "FE-c_eafit" in words and "$ 180.000" in words
    assert "IVA 19 %" in words


def test_r17_a_customer_with_nothing_to_bill_gets_a_message_not_an_empty_pdf(world: World) -> None:
    with pytest.raises(UserFacingError, match="Colegio Bolívar"):
        world.services.billing.customer_pdf(CustomerId(world.ids["school"]))


def test_r6_time_needs_a_comment_and_a_sane_amount(world: World) -> None:
    ticket = _eafit_ticket(world)
    with pytest.raises(UserFacingError):
        world.services.tickets.update_ticket(ticket, TicketChanges(minutes_spent=30), actor=world.actor("laura"))
    with pytest.raises(UserFacingError):
        world.services.tickets.update_ticket(
            ticket, TicketChanges(comment="x", minutes_spent=10_000), actor=world.actor("laura")
        )


# -- R17: everything billed, once ------------------------------------------------------------------


def _pdf_words(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "estado-de-cuenta.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_R17_a_customer_without_contract_gets_the_travel_and_the_on_site_hours(world: World, tmp_path: Path) -> None:
    """Maker Space Bogotá has no contract: its machine is supported under warranty (free support,
    by e-mail). The technician's trip and hours there are billed in the "Sin contrato" section; the
    advisory time of the free-support ticket itself is not."""
    world.clock.set(bogota(2026, 8, 4, 9, 0))  # the M3 is under warranty until 1 Sep 2026
    request = IntakeRequest(
        MachineId(world.ids["maker_m3"]), "La M3 no extruye: el motor del extrusor salta y la boquilla está tapada.",
        Severity.MEDIUM, Channel.EMAIL, UserId(world.ids["laura"]), (PHOTO,),
    )  # fmt: skip
    ticket = world.services.tickets.create_ticket(request, actor=world.actor("laura"))
    work = TicketChanges(comment="Guía por correo para destapar la boquilla.", minutes_spent=45)
    world.services.tickets.update_ticket(int(ticket.id), work, actor=world.actor("laura"))
    # The visit is written straight to the store: whether a visit may be booked for this coverage
    # is R16's business; billing must bill every visit that exists.
    with world.services.uow_factory() as uow:
        visit = Visit(
            ticket.id, MachineId(world.ids["maker_m3"]), UserId(world.ids["diego"]), "Bogotá",
            bogota(2026, 8, 4, 14, 0), bogota(2026, 8, 4, 17, 0), "Cambio de boquilla y de tubo PTFE",
            "Boquilla 0,4 mm", 180_000, False,
        )  # fmt: skip
        uow.tickets.add_visit(visit)
        uow.commit()
    world.clock.set(bogota(2026, 8, 5, 9, 0))

    billing = world.services.billing
    customer = CustomerId(world.ids["maker"])
    statement = billing.customer_statement(customer)
    assert statement.contracts == ()
    lines = sorted((line.kind, line.quantity_minutes, line.amount) for line in statement.without_contract)
    assert lines == sorted(
        [
            (LineKind.TRAVEL, 0, 180_000),
            (LineKind.ONSITE_WORK, 180, 600_000),  # 3 h at the policy's default $ 200.000 an hour
        ]
    )  # and no line for the 45 min of free support by e-mail (R3)
    assert all(ticket.number in line.reference for line in statement.without_contract)
    assert (statement.totals.before_iva, statement.totals.iva, statement.totals.total) == (780_000, 148_200, 928_200)

    rows = list(csv.reader(io.StringIO(billing.customer_csv(customer).decode("utf-8-sig")), delimiter=";"))
    assert [(row[2], row[4], row[8], row[9]) for row in rows[1:]] == [
        ("Sin contrato", "Trabajo en sitio sin contrato", "600000", "114000"),
        ("Sin contrato", "Viáticos", "180000", "34200"),
    ]
    words = _pdf_words(billing.customer_pdf(customer), tmp_path)
    assert "Maker Space Bogotá" in words and "Sin contrato" in words
    assert "$ 180.000" in words and "$ 600.000" in words and "$ 928.200" in words


def test_R17_two_overlapping_contracts_bill_one_trip_once(world: World) -> None:
    """EAFIT bought a Profesional plan on top of its Premium one for the same printer. One trip of
    $ 180.000 is billed once, by the Premium contract (the better category), not $ 360.000."""
    contracts = world.services.contracts
    eafit, printer = CustomerId(world.ids["eafit"]), MachineId(world.ids["eafit_r1"])
    form = ContractForm(eafit, "profesional", "FE-EXTRA-1", date(2026, 6, 1), date(2027, 5, 31), 500_000, (printer,))
    second = contracts.save(form, actor=world.actor("admin"), confirm_overlap=True)
    ticket = _eafit_ticket(world)
    world.clock.set(bogota(2026, 12, 3, 18, 0))
    visit = VisitRequest(
        UserId(world.ids["diego"]), "Medellín", bogota(2026, 12, 2, 9, 0), bogota(2026, 12, 2, 12, 30),
        "Cambio de la película FEP y calibración", travel_expenses=180_000,
    )  # fmt: skip
    world.services.tickets.record_visit(ticket, visit, actor=world.actor("admin"))

    billing = world.services.billing
    statement = billing.customer_statement(eafit)
    assert statement.totals.before_iva == 180_000  # not 360.000
    premium = billing.contract_statement(ContractId(world.ids["c_eafit"]))
    assert [(line.kind, line.amount) for line in premium.lines] == [(LineKind.TRAVEL, 180_000)]
    assert billing.contract_statement(second.id).lines == ()
    travel = [line for part in statement.contracts for line in part.lines if line.kind is LineKind.TRAVEL]
    assert [line.amount for line in travel] == [180_000] and statement.without_contract == ()


def test_R17_totals_add_contract_and_no_contract_lines_with_iva_19_shown_apart(world: World, tmp_path: Path) -> None:
    """Uninorte's Profesional contract ends on 30 Jun 2027. A trip under the contract is billed by
    it; advisory time recorded on the same ticket after the contract ended is billed without a
    contract, at the hourly rate the administrator set in the policy; IVA 19 % is shown apart."""
    admin = world.actor("admin")
    policy = world.services.policy
    policy.save_policy(replace(policy.policy(), out_of_plan_hour_rate=220_000), actor=admin, note="Tarifa 2026")
    request = IntakeRequest(
        MachineId(world.ids["uni_m3"]), "La M3 del laboratorio hace capas corridas en piezas altas desde el lunes.",
        Severity.HIGH, Channel.PHONE, UserId(world.ids["laura"]), (PHOTO,),
    )  # fmt: skip
    ticket = int(world.services.tickets.create_ticket(request, actor=world.actor("laura")).id)
    world.clock.set(bogota(2026, 12, 3, 18, 0))
    visit = VisitRequest(
        UserId(world.ids["diego"]), "Barranquilla", bogota(2026, 12, 2, 9, 0), bogota(2026, 12, 2, 11, 0),
        "Ajuste de correas del eje Y", travel_expenses=150_000,
    )  # fmt: skip
    world.services.tickets.record_visit(ticket, visit, actor=admin)
    world.clock.set(bogota(2027, 7, 6, 10, 0))  # the contract ended on 30 Jun 2027
    work = TicketChanges(comment="Asesoría por teléfono para recalibrar los pasos del eje Y.", minutes_spent=80)
    world.services.tickets.update_ticket(ticket, work, actor=world.actor("laura"))

    billing = world.services.billing
    customer = CustomerId(world.ids["uni"])
    statement = billing.customer_statement(customer)
    [contract] = statement.contracts
    assert [(line.kind, line.amount) for line in contract.lines] == [(LineKind.TRAVEL, 150_000)]
    without = [(line.kind, line.quantity_minutes, line.unit_price, line.amount) for line in statement.without_contract]
    assert without == [(LineKind.ADVISORY, 90, 220_000, 330_000)]  # 80 min, rounded up to 1 h 30 min
    assert statement.totals.before_iva == 480_000
    assert statement.totals.iva == 91_200  # 19 % of the sum, to the peso
    assert statement.totals.total == 571_200

    rows = list(csv.reader(io.StringIO(billing.customer_csv(customer).decode("utf-8-sig")), delimiter=";"))
    assert sum(int(row[8]) for row in rows[1:]) == 480_000
    assert all(int(row[10]) == int(row[8]) + int(row[9]) for row in rows[1:])
    words = _pdf_words(billing.customer_pdf(customer), tmp_path)
    assert "IVA 19 %" in words and "Sin contrato" in words
    assert "Subtotal sin contrato antes de IVA" in words
    assert "$ 480.000" in words and "$ 91.200" in words and "$ 571.200" in words
