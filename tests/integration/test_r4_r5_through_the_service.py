"""R4 and R5 through TicketService on a real database. R4: an agent marks a ticket out of scope
with a reason; it closes with that reason on its timeline and in the closing e-mail's record, and
the customer can reopen it (R14). R5: a discontinued model is refused at intake unless a special
contract covers it; an ordinary plan is not enough."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from desktop_app.domain.eligibility import Coverage
from desktop_app.domain.ids import CustomerId, MachineId, TicketId, UserId
from desktop_app.domain.model import Channel, EventKind, Severity, TicketStatus
from desktop_app.domain.permissions import SYSTEM
from desktop_app.errors import PolicyRefusal, UserFacingError
from desktop_app.persistence.tables import TicketRecord
from desktop_app.services.contracts import ContractForm
from desktop_app.services.tickets import IntakeRequest
from tests.integration.world import PHOTO, World, bogota

pytestmark = pytest.mark.usefixtures("english_ui")
DESCRIPTION = "Las piezas salen con hilos y burbujas; el cliente usa un filamento de otra marca."
REASON = "El problema viene del filamento de otra marca, no de la impresora ni de su uso."


def _new(w: World, machine: str, channel: Channel = Channel.PHONE) -> TicketId:
    detail = w.services.tickets.create_ticket(
        IntakeRequest(
            MachineId(w.ids[machine]), DESCRIPTION, Severity.MEDIUM, channel, UserId(w.ids["laura"]), (PHOTO,)
        ),
        actor=w.actor("laura"),
    )
    return detail.id


def _tickets(w: World) -> int:
    with w.services.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(TicketRecord)).scalar_one()


# -- R4 ------------------------------------------------------------------------------------------


def test_R4_out_of_scope_closes_with_the_reason_on_the_timeline_and_can_be_reopened(world: World) -> None:
    tickets = world.services.tickets
    laura = world.actor("laura")
    ticket_id = _new(world, "uni_m3")
    world.clock.set(bogota(2026, 12, 1, 11, 0))

    detail = tickets.mark_out_of_scope(ticket_id, actor=laura, reason=f"  {REASON}  ")

    assert detail.status is TicketStatus.OUT_OF_SCOPE and detail.closed_at == bogota(2026, 12, 1, 11, 0)
    assert detail.due_at is None
    newest = [(e.kind, e.body, e.data) for e in detail.timeline[:3]]
    # R13: the closing mail, queued with the change (its outbox row named on the timeline).
    assert newest[0][:2] == (EventKind.EMAIL_SENT, "") and newest[0][2]["template"] == "closing_out_of_scope"
    assert newest[0][2]["mail_id"].isdigit()
    assert newest[1][0] is EventKind.STATUS_CHANGE and newest[1][2]["to"] == "out_of_scope"
    assert newest[2][:2] == (EventKind.COMMENT, REASON)  # the reason, trimmed, as Laura wrote it
    history = world.services.audit.history_of(laura, "ticket", ticket_id)
    assert any(h.changes.get("status") == ("new", "out_of_scope") for h in history)

    world.clock.set(bogota(2026, 12, 3, 9, 0))  # the customer answers the closing e-mail (R14)
    reopened = tickets.reopen(ticket_id, actor=SYSTEM, note="No es el filamento: pasa también con el de makeR.")

    assert reopened.status is TicketStatus.IN_PROGRESS and reopened.reopen_count == 1
    assert reopened.closed_at is None and reopened.due_at is not None and reopened.due_at > world.clock.now()
    assert any(e.body == REASON for e in reopened.timeline)  # the history stays


def test_R4_out_of_scope_needs_a_reason_and_an_open_ticket(world: World) -> None:
    tickets = world.services.tickets
    laura = world.actor("laura")
    ticket_id = _new(world, "uni_m3")
    before = tickets.get_ticket(ticket_id)

    with pytest.raises(UserFacingError, match="Say why the request is out of scope"):
        tickets.mark_out_of_scope(ticket_id, actor=laura, reason="   ")

    after = tickets.get_ticket(ticket_id)
    assert (after.status, after.version, len(after.timeline)) == (
        TicketStatus.NEW,
        before.version,
        len(before.timeline),
    )
    tickets.close_solved(ticket_id, actor=laura, solution="Se cambió la boquilla.")
    with pytest.raises(PolicyRefusal, match="not allowed from the current status"):
        tickets.mark_out_of_scope(ticket_id, actor=laura, reason=REASON)
    assert tickets.get_ticket(ticket_id).status is TicketStatus.CLOSED


# -- R5 ------------------------------------------------------------------------------------------


def _contract(w: World, invoice: str, *, special: bool) -> None:
    form = ContractForm(
        CustomerId(w.ids["maker"]),
        "premium",
        invoice,
        date(2026, 1, 1),
        date(2027, 6, 30),
        4_000_000,
        (MachineId(w.ids["maker_old"]),),
        special=special,
    )
    w.services.contracts.save(form, actor=w.actor("admin"), confirm_overlap=True)


def test_R5_a_discontinued_model_is_refused_at_intake_even_with_an_ordinary_plan(world: World) -> None:
    before = _tickets(world)
    with pytest.raises(PolicyRefusal) as refused:
        _new(world, "maker_old")  # makeR M2, discontinued since 30 June 2023, no contract
    assert "discontinued since" in refused.value.message and "special contract" in refused.value.message

    _contract(world, "FE-PREMIUM-M2", special=False)
    with pytest.raises(PolicyRefusal, match="discontinued since"):
        _new(world, "maker_old")
    assert _tickets(world) == before  # nothing written


def test_R5_a_special_contract_lets_intake_take_a_discontinued_model(world: World) -> None:
    _contract(world, "FE-ESPECIAL-M2", special=True)

    eligibility = world.services.tickets.eligibility(MachineId(world.ids["maker_old"]))
    detail = world.services.tickets.get_ticket(_new(world, "maker_old", Channel.ONSITE))

    assert eligibility.coverage is Coverage.SPECIAL_CONTRACT and eligibility.discontinued_from == date(2023, 6, 30)
    assert detail.status is TicketStatus.NEW and detail.plan_code == "premium" and detail.model_name == "makeR M2"
    assert detail.due_at == bogota(2026, 12, 2, 9, 10)  # Premium Media: 8 working hours from Tuesday 09:10
