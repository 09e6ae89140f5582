"""R2 and R9 on a real database: a request without images waits for them with the clock stopped;
the images, a video or a log attached later resume the clock, so due times, breach warnings and
escalation work again. A wait an agent set for something else is not ended by a file."""

from __future__ import annotations

import pytest

from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.model import Channel, EventKind, Severity, TicketStatus
from desktop_app.domain.sla import SlaState
from desktop_app.services.tickets import IntakeRequest, NewAttachment
from tests.integration.world import PHOTO, World, bogota

pytestmark = pytest.mark.usefixtures("english_ui")
DESCRIPTION = "La impresora de resina se detuvo a mitad de la impresión y muestra error de LCD."
VIDEO = NewAttachment("falla.mp4", b"\x00\x00\x00\x18ftypmp42 a video by its type", "video/mp4")
LOG = NewAttachment("impresora.log", b"12:01 ERROR thermal runaway on nozzle\n")  # type from the name only
TEXT_LOG = NewAttachment("consola.txt", b"echo: busy processing\n", "text/plain")
INVOICE = NewAttachment("factura.pdf", b"%PDF-1.4 not an example of the problem", "application/pdf")


def _take(w: World, *attachments: NewAttachment, severity: Severity = Severity.CRITICAL) -> TicketId:
    """Laura takes a call about EAFIT's resin printer (Premium: Crítica is due in 2 working hours)."""
    detail = w.services.tickets.create_ticket(
        IntakeRequest(
            MachineId(w.ids["eafit_r1"]), DESCRIPTION, severity, Channel.PHONE, UserId(w.ids["laura"]), attachments
        ),
        actor=w.actor("laura"),
    )
    return detail.id


def _reasons(w: World, ticket_id: TicketId) -> list[str]:
    """The reasons of the ticket's status changes, oldest first."""
    timeline = w.services.tickets.get_ticket(ticket_id).timeline
    return [e.data.get("reason", "") for e in reversed(timeline) if e.kind is EventKind.STATUS_CHANGE]


def test_R2_R9_an_image_attached_later_resumes_the_clock_and_escalation_works_again(world: World) -> None:
    tickets = world.services.tickets
    laura = world.actor("laura")
    ticket_id = _take(world)  # Tuesday 1 December, 09:10, phoned in without a photo
    detail = tickets.get_ticket(ticket_id)
    assert detail.status is TicketStatus.WAITING_CUSTOMER
    assert detail.due_at is None and detail.sla.state is SlaState.PAUSED
    assert _reasons(world, ticket_id) == ["images_requested"]
    world.clock.set(bogota(2026, 12, 1, 14, 0))
    assert tickets.check_escalations() == []  # waiting on the customer: nothing is due

    detail = tickets.add_attachments(ticket_id, [PHOTO], actor=laura)

    # The clock runs from the photo's arrival: 2 working hours, the morning's wait not counted.
    assert detail.status is TicketStatus.NEW
    assert detail.due_at == bogota(2026, 12, 1, 16, 0)
    assert detail.sla.state is SlaState.ON_TIME
    assert _reasons(world, ticket_id) == ["images_requested", "examples_received"]
    world.clock.set(bogota(2026, 12, 1, 15, 45))
    assert [row.entry.id for row in tickets.needing_attention(UserId(world.ids["laura"]))] == [ticket_id]
    world.clock.set(bogota(2026, 12, 1, 16, 0))
    assert [(n.ticket_id, n.decision.to_level) for n in tickets.check_escalations()] == [(ticket_id, 2)]
    assert [n.kind for n in tickets.notifications(UserId(world.ids["carolina.rojas"]))] == ["escalation"]


def test_R9_images_after_an_answer_to_the_customer_resume_the_ticket_in_progress(world: World) -> None:
    tickets = world.services.tickets
    laura = world.actor("laura")
    ticket_id = _take(world, severity=Severity.HIGH)
    tickets.add_comment(ticket_id, "Por favor envíenos una foto de la pantalla de error.", actor=laura)
    world.clock.set(bogota(2026, 12, 1, 10, 0))

    detail = tickets.add_attachments(ticket_id, [PHOTO], actor=laura)

    assert detail.status is TicketStatus.IN_PROGRESS  # it had been answered: back to work, not to "new"
    assert detail.due_at is not None and detail.due_at > world.clock.now()


@pytest.mark.parametrize("example", [VIDEO, LOG, TEXT_LOG], ids=["video", "log", "text"])
def test_R2_a_video_or_a_log_file_is_a_specific_example_at_intake(world: World, example: NewAttachment) -> None:
    detail = world.services.tickets.get_ticket(_take(world, example))

    assert detail.status is TicketStatus.NEW
    assert detail.due_at == bogota(2026, 12, 1, 11, 10)
    assert "images_requested" not in _reasons(world, detail.id)


@pytest.mark.parametrize("example", [VIDEO, LOG, TEXT_LOG], ids=["video", "log", "text"])
def test_R9_a_video_or_a_log_attached_later_resumes_the_clock(world: World, example: NewAttachment) -> None:
    tickets = world.services.tickets
    ticket_id = _take(world)
    world.clock.set(bogota(2026, 12, 1, 9, 40))

    detail = tickets.add_attachments(ticket_id, [example], actor=world.actor("laura"))

    assert detail.status is TicketStatus.NEW
    assert detail.due_at == bogota(2026, 12, 1, 11, 40)


def test_R9_a_file_that_shows_nothing_of_the_problem_does_not_end_the_wait_for_images(world: World) -> None:
    tickets = world.services.tickets
    ticket_id = _take(world)

    detail = tickets.add_attachments(ticket_id, [INVOICE], actor=world.actor("laura"))

    assert detail.status is TicketStatus.WAITING_CUSTOMER and detail.due_at is None
    assert len(detail.attachments) == 1  # the file is kept all the same


def test_R9_an_attachment_does_not_resume_a_ticket_waiting_for_something_else(world: World) -> None:
    tickets = world.services.tickets
    laura = world.actor("laura")
    ticket_id = _take(world)
    tickets.add_attachments(ticket_id, [PHOTO], actor=laura)  # the images asked for at intake arrive
    world.clock.set(bogota(2026, 12, 1, 10, 0))
    tickets.set_waiting(ticket_id, actor=laura, reason="Acceso por TeamViewer")
    world.clock.set(bogota(2026, 12, 1, 11, 0))

    detail = tickets.add_attachments(ticket_id, [PHOTO, VIDEO], actor=laura)

    # Laura asked for TeamViewer access, not for pictures: the customer's turn goes on.
    assert detail.status is TicketStatus.WAITING_CUSTOMER
    assert detail.due_at is None and detail.sla.state is SlaState.PAUSED
    assert len(detail.attachments) == 3
    assert _reasons(world, ticket_id) == ["images_requested", "examples_received", ""]
