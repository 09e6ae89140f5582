"""Every notice reaches its person's inbox ("Avisos"): escalations (R11), assignments (R1), the
reminders of R12 (a contact attempt due today, a ticket that may close without response) and of a
breach coming (R7, R10), each once, worded in the reader's language, marked read only by its
person."""

from __future__ import annotations

import pytest

from desktop_app import i18n
from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.model import Channel, NoticeKind, Severity
from desktop_app.domain.permissions import Actor
from desktop_app.services.tickets import IntakeRequest
from tests.integration.world import PHOTO, World, bogota

pytestmark = pytest.mark.usefixtures("english_ui")
DESCRIPTION = "La impresora deja capas sin curar desde el cambio de resina del lunes."


def _new(w: World, machine: str, severity: Severity, *, by: str = "laura", agent: str = "laura") -> TicketId:
    request = IntakeRequest(
        MachineId(w.ids[machine]), DESCRIPTION, severity, Channel.PHONE, UserId(w.ids[agent]), (PHOTO,)
    )
    return w.services.tickets.create_ticket(request, actor=w.actor(by)).id


def _kinds(w: World, username: str) -> list[NoticeKind]:
    return [n.kind for n in w.services.notifications.inbox(w.actor(username))]


def test_R11_scenario_4_the_coordinator_and_then_the_director_find_the_breach_in_their_inbox(world: World) -> None:
    notifications = world.services.notifications
    world.clock.set(bogota(2026, 11, 30, 15, 0))  # Monday: Profesional · Alta, 8 working hours
    ticket_id = _new(world, "uni_m3", Severity.HIGH)
    number = world.services.tickets.get_ticket(ticket_id).number
    carolina, director = world.actor("carolina.rojas"), world.actor("mauricio.diaz")
    assert notifications.unread_count(carolina) == 0

    world.clock.set(bogota(2026, 12, 1, 15, 0))  # breached: level 2, the support coordinator
    world.services.jobs.run_due()
    inbox = notifications.inbox(carolina)
    assert [(n.kind, n.ticket_id, n.ticket_number, n.read) for n in inbox] == [
        (NoticeKind.ESCALATION, ticket_id, number, False)
    ]
    assert inbox[0].text == f"{number} escalated to level 2 (Coordinador de soporte)."
    assert notifications.unread_count(carolina) == 1
    assert notifications.unread_count(director) == 0

    world.clock.set(bogota(2026, 12, 2, 15, 0))  # 2× the response time: level 3, the director
    world.services.tickets.check_escalations()
    assert [n.text for n in notifications.inbox(director)] == [f"{number} escalated to level 3 (Director técnico)."]
    world.services.tickets.check_escalations()  # another round (another window, a worker) tells nobody twice
    assert notifications.unread_count(director) == 1
    assert notifications.unread_count(carolina) == 1


def test_R1_the_agent_made_responsible_is_told_but_not_who_took_it_themselves(world: World) -> None:
    world.clock.set(bogota(2026, 12, 1, 9, 0))
    _new(world, "uni_m3", Severity.MEDIUM)  # Laura takes it herself
    assert _kinds(world, "laura") == []
    ticket_id = _new(world, "uni_m3", Severity.MEDIUM, by="carolina.rojas", agent="laura")
    inbox = world.services.notifications.inbox(world.actor("laura"))
    assert [(n.kind, n.ticket_id) for n in inbox] == [(NoticeKind.ASSIGNED, ticket_id)]
    assert "assigned to you by Carolina Rojas" in inbox[0].text
    world.services.tickets.assign(ticket_id, UserId(world.ids["andres"]), actor=world.actor("carolina.rojas"))
    assert _kinds(world, "andres") == [NoticeKind.ASSIGNED]


def test_R12_a_contact_attempt_due_today_and_then_the_close_are_reminded_once_each(world: World) -> None:
    tickets, notifications = world.services.tickets, world.services.notifications
    andres = world.actor("andres")
    world.clock.set(bogota(2026, 11, 27, 16, 30))  # Friday before the holiday-free week
    ticket_id = _new(world, "school_m3", Severity.MEDIUM, by="andres", agent="andres")
    tickets.set_waiting(ticket_id, actor=andres, reason="Acceso TeamViewer")
    assert notifications.remind() == 1
    assert notifications.remind() == 0  # the same day: once
    inbox = notifications.inbox(andres)
    assert [(n.kind, n.text) for n in inbox] == [
        (NoticeKind.ATTEMPT_DUE, f"{inbox[0].ticket_number}: contact attempt 1 of 3 is due today.")
    ]
    tickets.log_contact_attempt(ticket_id, actor=andres, method="phone", wait_days=2)
    assert notifications.remind() == 0  # made today: nothing more is due today

    for day, attempt in ((30, 2), (1, 3)):  # Monday, Tuesday
        world.clock.set(bogota(2026, 11 if day == 30 else 12, day, 9, 0))
        assert notifications.remind() == 1
        assert notifications.inbox(andres)[0].text.endswith(f"contact attempt {attempt} of 3 is due today.")
        tickets.log_contact_attempt(ticket_id, actor=andres, method="email", wait_days=2)

    world.clock.set(bogota(2026, 12, 2, 9, 0))  # Wednesday: the stated wait (2 working days) is not over
    assert notifications.remind() == 0
    world.clock.set(bogota(2026, 12, 3, 9, 0))  # Thursday 09:00: two working days after Tuesday 09:00
    assert notifications.remind() == 1
    assert notifications.inbox(andres)[0].kind is NoticeKind.MAY_CLOSE
    world.clock.set(bogota(2026, 12, 4, 9, 0))
    assert notifications.remind() == 0  # told once


def test_R7_a_breach_coming_on_my_ticket_is_told_once_before_the_promise_is_missed(world: World) -> None:
    notifications = world.services.notifications
    world.clock.set(bogota(2026, 12, 1, 9, 10))  # Premium · Crítica: due 11:10
    ticket_id = _new(world, "eafit_r1", Severity.CRITICAL)
    assert notifications.remind() == 0  # plenty of time
    world.clock.set(bogota(2026, 12, 1, 10, 50))  # under a quarter of the 2 h left
    assert notifications.remind() == 1
    assert notifications.remind() == 0
    inbox = notifications.inbox(world.actor("laura"))
    assert [(n.kind, n.ticket_id) for n in inbox] == [(NoticeKind.BREACH_COMING, ticket_id)]
    assert "the response is due at" in inbox[0].text


def test_a_notice_is_marked_read_only_by_its_person(world: World) -> None:
    notifications = world.services.notifications
    world.clock.set(bogota(2026, 12, 1, 9, 0))
    _new(world, "uni_m3", Severity.MEDIUM, by="carolina.rojas", agent="laura")
    _new(world, "uni_m3", Severity.LOW, by="carolina.rojas", agent="laura")
    laura, andres = world.actor("laura"), world.actor("andres")
    newest, _older = notifications.inbox(laura)
    notifications.mark_read(andres, newest.id)  # not his: nothing changes
    assert notifications.unread_count(laura) == 2
    notifications.mark_read(laura, newest.id)
    assert [n.read for n in notifications.inbox(laura)] == [True, False]
    assert notifications.mark_all_read(laura) == 1
    assert notifications.unread_count(laura) == 0
    system = Actor(None, world.users["admin"].role)
    assert notifications.inbox(system) == [] and notifications.unread_count(system) == 0


def test_a_notice_reads_in_the_language_of_whoever_opens_the_inbox(world: World) -> None:
    world.clock.set(bogota(2026, 12, 1, 9, 0))
    _new(world, "uni_m3", Severity.MEDIUM, by="carolina.rojas", agent="laura")
    i18n.install("es_CO")
    (notice,) = world.services.notifications.inbox(world.actor("laura"))
    assert notice.text == f"Carolina Rojas te asignó el ticket {notice.ticket_number}."
