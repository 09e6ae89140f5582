"""R6/R16/R17 from real tickets and visits: the contract's balance, the billing lines, CSV and PDF."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest

from desktop_app.domain.billing import LineKind
from desktop_app.domain.ids import ContractId, CustomerId, MachineId, UserId
from desktop_app.domain.model import Channel, Severity
from desktop_app.errors import UserFacingError
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
