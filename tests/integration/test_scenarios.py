"""The stories of SCENARIOS.md played against the real services on a SQLite file."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.model import Channel, EventKind, Severity, TicketStatus
from desktop_app.domain.permissions import SYSTEM
from desktop_app.domain.sla import SlaState
from desktop_app.errors import ConflictError, PolicyRefusal, UserFacingError
from desktop_app.persistence.tables import PolicyVersionRecord, TicketRecord
from desktop_app.services.dto import QueueFilter
from desktop_app.services.policy_service import PolicyNotSavedError
from desktop_app.services.tickets import IntakeRequest
from tests.integration.world import PHOTO, World, bogota

pytestmark = pytest.mark.usefixtures("english_ui")
DESCRIPTION = "La impresora de resina se detuvo a mitad de la impresión y muestra error de LCD."


def _new(w: World, machine: str, severity: Severity, *, photos: bool = True, agent: str = "laura") -> TicketId:
    detail = w.services.tickets.create_ticket(
        IntakeRequest(
            MachineId(w.ids[machine]),
            DESCRIPTION,
            severity,
            Channel.PHONE if machine != "maker_m3" else Channel.EMAIL,
            UserId(w.ids[agent]),
            (PHOTO,) if photos else (),
        ),
        actor=w.actor(agent),
    )
    return detail.id


def _count(w: World, table: type) -> int:
    with w.services.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_scenario_1_a_printer_stops_in_medellin(world: World) -> None:
    tickets = world.services.tickets
    world.clock.set(bogota(2026, 11, 30, 10, 0))
    older_basico = _new(world, "school_m3", Severity.CRITICAL)
    world.clock.set(bogota(2026, 12, 1, 9, 10))
    eligibility = tickets.eligibility(MachineId(world.ids["eafit_r1"]))
    assert eligibility.plan_code == "premium" and Channel.ONSITE in eligibility.channels
    ticket_id = _new(world, "eafit_r1", Severity.CRITICAL)
    detail = tickets.get_ticket(ticket_id)
    assert detail.number.startswith("SOP-2026-") and detail.agent_name == "Laura Pérez"
    assert detail.due_at == bogota(2026, 12, 1, 11, 10)
    assert detail.status is TicketStatus.NEW and len(detail.attachments) == 1
    queue = [row.entry.id for row in tickets.list_queue(QueueFilter()).rows]
    assert queue.index(ticket_id) < queue.index(older_basico)
    assert queue[0] == ticket_id


def test_r2_intake_without_photos_waits_for_images_and_a_vague_description_is_refused(world: World) -> None:
    tickets = world.services.tickets
    before = _count(world, TicketRecord)
    with pytest.raises(UserFacingError, match="at least 20 characters"):
        tickets.create_ticket(
            IntakeRequest(MachineId(world.ids["eafit_r1"]), "   no anda   ", Severity.HIGH, Channel.PHONE, None),
            actor=world.actor("laura"),
        )
    assert _count(world, TicketRecord) == before
    ticket_id = _new(world, "eafit_r1", Severity.HIGH, photos=False)
    detail = tickets.get_ticket(ticket_id)
    assert detail.status is TicketStatus.WAITING_CUSTOMER and detail.sla.state is SlaState.PAUSED
    assert any(e.data.get("reason") == "images_requested" for e in detail.timeline)


def test_scenario_2_waiting_on_the_client_across_a_holiday(world: World) -> None:
    tickets = world.services.tickets
    andres = world.actor("andres")
    world.clock.set(bogota(2026, 12, 4, 15, 0))  # Friday
    ticket_id = _new(world, "school_m3", Severity.HIGH, agent="andres")
    world.clock.set(bogota(2026, 12, 4, 16, 30))
    tickets.add_comment(ticket_id, "Necesitamos acceso por TeamViewer.", actor=andres)
    detail = tickets.set_waiting(ticket_id, actor=andres, reason="TeamViewer")
    assert detail.sla.state is SlaState.PAUSED
    tickets.log_contact_attempt(ticket_id, actor=andres, method="phone", note="Sin respuesta", wait_days=2)
    with pytest.raises(PolicyRefusal, match="distinct working days"):
        tickets.log_contact_attempt(ticket_id, actor=andres, method="email")
    world.clock.set(bogota(2026, 12, 8, 10, 0))  # Tuesday 8 Dec: a holiday
    with pytest.raises(PolicyRefusal, match="working days"):
        tickets.log_contact_attempt(ticket_id, actor=andres, method="email")
    world.clock.set(bogota(2026, 12, 9, 10, 0))
    tickets.log_contact_attempt(ticket_id, actor=andres, method="email", wait_days=2)
    world.clock.set(bogota(2026, 12, 10, 10, 0))
    tickets.log_contact_attempt(ticket_id, actor=andres, method="email", wait_days=2)
    with pytest.raises(PolicyRefusal, match="not over"):
        tickets.close_no_response(ticket_id, actor=andres)
    world.clock.set(bogota(2026, 12, 14, 10, 0))  # two working days after Thursday 10: Monday 14
    detail = tickets.close_no_response(ticket_id, actor=andres)
    assert detail.status is TicketStatus.CLOSED_NO_RESPONSE
    attempts = [e for e in detail.timeline if e.kind is EventKind.CONTACT_ATTEMPT]
    assert [e.data["attempt"] for e in attempts] == ["3", "2", "1"]
    assert detail.timeline[0].kind is EventKind.EMAIL_SENT


def test_scenario_3_the_client_replies_still_failing(world: World) -> None:
    tickets = world.services.tickets
    andres = world.actor("andres")
    ticket_id = _new(world, "school_m3", Severity.MEDIUM, agent="andres")
    tickets.add_comment(ticket_id, "Ajuste el offset Z como indica la guía.", actor=andres)
    world.clock.set(bogota(2026, 12, 2, 10, 0))
    tickets.close_solved(ticket_id, actor=andres, solution="Offset Z calibrado.")
    world.clock.set(bogota(2026, 12, 9, 9, 0))
    before = len(tickets.get_ticket(ticket_id).timeline)
    detail = tickets.reopen(ticket_id, actor=SYSTEM, note="Sigue fallando.")
    assert detail.status is TicketStatus.IN_PROGRESS and detail.reopen_count == 1
    assert len(detail.timeline) > before  # the history is kept
    # Básico Media: 24 working hours from the reopening, not from the first receipt.
    assert detail.due_at == bogota(2026, 12, 14, 9, 0)
    row = next(r for r in tickets.list_queue(QueueFilter()).rows if r.entry.id == ticket_id)
    assert row.entry.reopen_count == 1


def test_scenario_4_a_breach_escalates(world: World) -> None:
    tickets = world.services.tickets
    world.clock.set(bogota(2026, 11, 30, 15, 0))  # Monday
    ticket_id = _new(world, "uni_m3", Severity.HIGH)
    assert tickets.get_ticket(ticket_id).due_at == bogota(2026, 12, 1, 15, 0)
    world.clock.set(bogota(2026, 12, 1, 14, 59))
    assert tickets.check_escalations() == []
    world.clock.set(bogota(2026, 12, 1, 15, 0))
    dry = tickets.check_escalations(dry_run=True)
    assert [(n.number, n.decision.to_level) for n in dry] == [(tickets.get_ticket(ticket_id).number, 2)]
    assert tickets.get_ticket(ticket_id).escalation_level == 1  # dry run changed nothing
    assert [n.decision.to_level for n in tickets.check_escalations()] == [2]
    carolina = UserId(world.ids["carolina.rojas"])
    assert [n.kind for n in tickets.notifications(carolina)] == ["escalation"]
    world.clock.set(bogota(2026, 12, 2, 15, 0))
    assert [n.decision.to_level for n in tickets.check_escalations()] == [3]
    assert tickets.notifications(UserId(world.ids["mauricio.diaz"]))
    detail = tickets.get_ticket(ticket_id)
    escalations = [e for e in detail.timeline if e.kind is EventKind.ESCALATION]
    assert [(e.data["level"], e.data["reason"]) for e in escalations] == [("3", "breach"), ("2", "breach")]
    assert tickets.check_escalations() == []


def test_r11_raising_the_severity_replans_and_escalates(world: World) -> None:
    tickets = world.services.tickets
    world.clock.set(bogota(2026, 11, 30, 15, 0))
    ticket_id = _new(world, "uni_m3", Severity.HIGH)
    world.clock.set(bogota(2026, 11, 30, 16, 0))
    detail = tickets.change_severity(ticket_id, Severity.CRITICAL, actor=world.actor("carolina.rojas"))
    # Profesional Crítica: 4 working hours from Monday 15:00.
    assert detail.due_at == bogota(2026, 12, 1, 9, 0)
    assert detail.escalation_level == 2
    kinds = [e.kind for e in detail.timeline[:3]]
    assert EventKind.SEVERITY_CHANGE in kinds and EventKind.ESCALATION in kinds
    assert EventKind.EMAIL_SENT in kinds  # R11: the next level is told by mail too


def test_scenario_5_not_entitled_to_free_support(world: World) -> None:
    tickets = world.services.tickets
    with pytest.raises(PolicyRefusal, match="warranty has expired"):
        _new(world, "maker_m3", Severity.MEDIUM)
    with pytest.raises(PolicyRefusal, match="discontinued"):
        _new(world, "maker_old", Severity.MEDIUM)
    assert tickets.eligibility(MachineId(world.ids["maker_old"])).discontinued_from is not None


def test_free_support_is_email_only(world: World) -> None:
    tickets = world.services.tickets
    with world.services.uow_factory() as uow:
        machine = uow.catalog.get_machine(MachineId(world.ids["maker_m3"]))
    # Make the makerspace's printer young enough to be in warranty: free support by e-mail works…
    world.clock.set(bogota(2026, 6, 2, 9, 0))
    assert machine is not None
    ticket_id = _new(world, "maker_m3", Severity.MEDIUM)
    assert tickets.get_ticket(ticket_id).plan_code == "garantia"
    # …but not by phone.
    with pytest.raises(PolicyRefusal, match="channel"):
        tickets.create_ticket(
            IntakeRequest(
                MachineId(world.ids["maker_m3"]),
                DESCRIPTION,
                Severity.LOW,
                Channel.PHONE,
                UserId(world.ids["laura"]),
                (PHOTO,),
            ),
            actor=world.actor("laura"),
        )


def test_a_stale_edit_is_refused_and_nothing_is_written(world: World) -> None:
    tickets = world.services.tickets
    ticket_id = _new(world, "eafit_r1", Severity.HIGH)
    seen = tickets.get_ticket(ticket_id)
    tickets.change_severity(ticket_id, Severity.CRITICAL, actor=world.actor("carolina.rojas"))
    events_before = len(tickets.get_ticket(ticket_id).timeline)
    with pytest.raises(ConflictError):
        tickets.add_comment(ticket_id, "Mi comentario", actor=world.actor("laura"), expected_version=seen.version)
    assert len(tickets.get_ticket(ticket_id).timeline) == events_before


def test_r18_policy_edits_are_versioned_and_tickets_remember_theirs(world: World) -> None:
    policy = world.services.policy
    first = policy.version()
    ticket_before = _new(world, "eafit_r1", Severity.CRITICAL)
    hours = dict(policy.policy().response_hours)
    hours[(policy.policy().plans[0].code, Severity.CRITICAL)] = 3
    second = policy.save_policy(
        replace(policy.policy(), response_hours=hours), note="Premium crítica a 3 h", actor=world.actor("admin")
    )
    assert second == (first or 0) + 1
    ticket_after = _new(world, "eafit_r1", Severity.CRITICAL)
    with world.services.uow_factory() as uow:
        assert uow.tickets.get(ticket_before).policy_version == first  # type: ignore[union-attr]
        assert uow.tickets.get(ticket_after).policy_version == second  # type: ignore[union-attr]
    # Premium Crítica now 3 h from Tuesday 09:10: 2 h 50 min before lunch, 10 min after.
    assert world.services.tickets.get_ticket(ticket_after).due_at == bogota(2026, 12, 1, 14, 10)
    assert world.services.tickets.get_ticket(ticket_before).due_at == bogota(2026, 12, 1, 11, 10)
    assert [v.note for v in policy.history()][:1] == ["Premium crítica a 3 h"]


def test_r7_an_invalid_policy_edit_names_the_field_and_saves_nothing(world: World) -> None:
    policy = world.services.policy
    versions = _count(world, PolicyVersionRecord)
    hours = dict(policy.policy().response_hours)
    del hours[(policy.policy().plans[2].code, Severity.HIGH)]
    with pytest.raises(
        PolicyNotSavedError, match="response time of plan basico, severity High: the response time is missing"
    ):
        policy.save_policy(replace(policy.policy(), response_hours=hours), actor=world.actor("admin"))
    assert _count(world, PolicyVersionRecord) == versions


def test_sla_report_explains_the_due_time(world: World) -> None:
    world.clock.set(bogota(2026, 12, 7, 17, 0))  # Monday, before the 8 Dec holiday
    ticket_id = _new(world, "uni_m3", Severity.HIGH)
    report = world.services.tickets.sla_report(ticket_id)
    # 1 h on Monday, Tuesday is a holiday, 7 h on Wednesday.
    assert report.sla.due_at == bogota(2026, 12, 9, 17, 0)
    assert report.explanation is not None and report.explanation.counted.total_seconds() == 8 * 3600
    assert list(report.holiday_names) == ["2026-12-08"]
    assert "Inmaculada" in report.holiday_names["2026-12-08"]


def test_r1_every_ticket_gets_a_readable_number_and_one_agent(world: World) -> None:
    tickets = world.services.tickets
    first = tickets.get_ticket(_new(world, "eafit_r1", Severity.LOW))
    second = tickets.get_ticket(_new(world, "uni_m3", Severity.LOW, agent="andres"))
    assert (first.number, second.number) == ("SOP-2026-00001", "SOP-2026-00002")
    assert first.agent_name == "Laura Pérez" and second.agent_name == "Andrés Gómez"
    with pytest.raises(UserFacingError, match="Choose the agent"):
        tickets.create_ticket(
            IntakeRequest(MachineId(world.ids["eafit_r1"]), DESCRIPTION, Severity.LOW, Channel.PHONE, None, (PHOTO,)),
            actor=SYSTEM,
        )
    # A new year starts a new sequence.
    world.clock.set(bogota(2027, 1, 4, 9, 0))
    assert tickets.get_ticket(_new(world, "eafit_r1", Severity.LOW)).number == "SOP-2027-00001"
