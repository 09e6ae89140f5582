"""Taking a request (R1, R2, R3, R5): the machine's entitlement judged, the ticket numbered and
assigned, its first response planned, and a request without images put to wait for them."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, replace
from datetime import datetime

from desktop_app.domain.audit import AuditEntry, as_text
from desktop_app.domain.eligibility import Eligibility
from desktop_app.domain.ids import AttachmentId, MachineId, TicketId, UserId
from desktop_app.domain.mail_templates import MissingItem, TemplateCode, missing_paragraph
from desktop_app.domain.model import (
    Attachment,
    Channel,
    EventKind,
    NoticeKind,
    Notification,
    Severity,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from desktop_app.domain.permissions import Actor, Permission, may_work_on
from desktop_app.domain.sla import SlaFacts, ticket_sla
from desktop_app.errors import PermissionDeniedError, PolicyRefusal, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.dto import TicketDetail
from desktop_app.services.mail_dto import MailRequest
from desktop_app.services.ports import UnitOfWork
from desktop_app.services.text_input import clean_file_name
from desktop_app.services.tickets._core import AUDITED_TICKET_FIELDS, TicketCore, detailed_description
from desktop_app.wording import channel_label, eligibility_refusal_text

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class NewAttachment:
    filename: str
    content: bytes
    media_type: str = ""


@dataclass(frozen=True)
class IntakeRequest:
    machine_id: MachineId
    description: str
    severity: Severity
    channel: Channel
    assigned_agent_id: UserId | None
    attachments: tuple[NewAttachment, ...] = ()
    # Where the ticket's mail goes: the sender of a mail that opened it; "" = the customer's address.
    contact_email: str = ""
    # The Message-ID of the mail that opened it: the acknowledgement answers it (the same thread).
    in_reply_to: str = ""


@dataclass(frozen=True)
class Opened:
    """A ticket intake opened, and its files' rows (a received mail names the files it brought)."""

    ticket_id: TicketId
    attachment_ids: tuple[AttachmentId, ...] = ()


class Intake:
    def __init__(self, core: TicketCore) -> None:
        self._core = core

    def eligibility(self, machine_id: MachineId) -> Eligibility:
        with self._core.uow_factory() as uow:
            return self._core.eligibility(uow, machine_id, self._core.now())

    def create_ticket(self, request: IntakeRequest, *, actor: Actor) -> TicketDetail:
        """Open a ticket (R1) after checking the request (R2) and the customer's entitlement (R3, R5).

        Raises:
            UserFacingError: missing description, oversized attachment.
            PolicyRefusal: not entitled; the message names the failing condition and what to do.
        """
        core = self._core
        now = core.now()
        with core.uow_factory() as uow:
            ticket_id = self.open_in(uow, request, actor=actor, now=now)
            detail = core.detail_in(uow, ticket_id)
            uow.commit()
        return detail

    def open_in(self, uow: UnitOfWork, request: IntakeRequest, *, actor: Actor, now: datetime) -> TicketId:
        """What create_ticket does, inside the caller's unit of work and without committing it: a
        received mail opens its ticket in the same transaction as the mail's own row
        (services/mail/inbound.py). Raises as create_ticket does; the caller then rolls back."""
        return self.opened_in(uow, request, actor=actor, now=now).ticket_id

    def opened_in(self, uow: UnitOfWork, request: IntakeRequest, *, actor: Actor, now: datetime) -> Opened:
        """open_in, telling also which attachment rows the request's files became."""
        core = self._core
        description = detailed_description(request.description)
        request = replace(request, attachments=tuple(check_attachment(a) for a in request.attachments))
        # R1: every ticket has one responsible agent; by default whoever takes the request.
        agent_id = request.assigned_agent_id or actor.user_id
        if agent_id is None:
            raise UserFacingError(_("Choose the agent responsible for this ticket."))
        policy = core.policy.policy()
        core.authorize(uow, actor, Permission.CREATE_TICKET)
        if agent_id != actor.user_id:
            core.authorize(uow, actor, Permission.ASSIGN_ANY)
        machine = uow.catalog.get_machine(request.machine_id)
        owner = uow.catalog.get_customer(machine.customer_id) if machine else None
        if owner is not None and not may_work_on(actor, agent_id, owner.city):
            raise PermissionDeniedError(_("This customer is outside your city; ask a coordinator."))
        eligibility = core.eligibility(uow, request.machine_id, now)
        if not eligibility.allowed:
            raise PolicyRefusal(eligibility_refusal_text(eligibility))
        if request.channel not in eligibility.channels:
            raise PolicyRefusal(
                _("This customer's coverage does not include the channel {channel}.").format(
                    channel=channel_label(request.channel)
                )
            )
        assert eligibility.plan_code is not None and machine is not None
        # R2: a request needs images or examples; without them it waits for them, clock stopped.
        waiting = not any(is_example(a) for a in request.attachments)
        response = policy.response_time(eligibility.plan_code, request.severity)
        due = ticket_sla(core.policy.calendar(), SlaFacts(now, response, TicketStatus.NEW), now).due_at
        ticket = uow.tickets.add(
            Ticket(
                number=uow.tickets.next_number(now.astimezone(core.timezone()).year),
                machine_id=request.machine_id,
                customer_id=machine.customer_id,
                plan_code=eligibility.plan_code,
                severity=request.severity,
                channel=request.channel,
                description=description,
                status=TicketStatus.WAITING_CUSTOMER if waiting else TicketStatus.NEW,
                received_at=now,
                assigned_agent_id=agent_id,
                clock_started_at=now,
                policy_version=core.policy.version(),
                first_response_due_at=due,
                due_at=None if waiting else due,
                contact_email=request.contact_email.strip()[:320],
            )
        )
        assert ticket.id is not None
        ticket_id = ticket.id
        created = {name: ("", as_text(getattr(ticket, name))) for name in AUDITED_TICKET_FIELDS}
        if waiting:  # the audit says what intake decided, not a status the ticket never had
            created["status"] = ("", TicketStatus.NEW.value)
        uow.audit.record(AuditEntry(now, actor.user_id, "ticket", str(ticket_id), "create", created))
        events = [
            TicketEvent(ticket_id, EventKind.CREATED, now, actor.user_id, "", (("channel", request.channel.value),)),
            TicketEvent(ticket_id, EventKind.ASSIGNMENT, now, actor.user_id, "", (("agent_id", str(agent_id)),)),
        ]
        if waiting:
            events.append(
                TicketEvent(
                    ticket_id,
                    EventKind.STATUS_CHANGE,
                    now,
                    actor.user_id,
                    "",
                    (("from", "new"), ("reason", "images_requested"), ("to", "waiting_customer")),
                )
            )
        uow.tickets.add_events(events)
        if agent_id != actor.user_id:
            uow.notices.add(assignment_notice(agent_id, ticket_id, actor, now))
        added = []
        for attachment in request.attachments:
            sha = core.attachments.put(attachment.content)
            row = uow.tickets.add_attachment(
                Attachment(ticket_id, sha, attachment.filename, media_type(attachment), len(attachment.content), now)
            )
            if row.id is not None:
                added.append(row.id)
        # The acknowledgement (issue 14): the number, the first-response due time and, per R2,
        # what the customer still has to send; automatic, so never to a robot and rate-limited.
        missing = missing_paragraph([MissingItem.IMAGES] if waiting else [])
        ack = MailRequest(
            TemplateCode.ACKNOWLEDGEMENT, {"missing": missing}, automatic=True, in_reply_to=request.in_reply_to
        )
        core.send_in(uow, ticket, [ack], actor, now)
        return Opened(ticket_id, tuple(added))


def assignment_notice(agent_id: UserId, ticket_id: TicketId, actor: Actor, now: datetime) -> Notification:
    """R1: the person made responsible is told, unless they took the ticket themselves."""
    return Notification(agent_id, ticket_id, NoticeKind.ASSIGNED, now, (("by", actor.name),))


def media_type(attachment: NewAttachment) -> str:
    return attachment.media_type or mimetypes.guess_type(attachment.filename)[0] or "application/octet-stream"


def is_example(attachment: NewAttachment) -> bool:
    """R2's "images and/or specific examples": a photo, a video, or a log or print file shows the problem."""
    kind = media_type(attachment)
    return kind.startswith(("image/", "video/", "text/")) or attachment.filename.lower().endswith(EXAMPLE_SUFFIXES)


# Files a printer or its slicer writes, that show a problem as well as a photo does.
EXAMPLE_SUFFIXES = (".log", ".txt", ".gcode", ".stl", ".3mf", ".ctb", ".zip")


def check_attachment(attachment: NewAttachment) -> NewAttachment:
    """The attachment with its file name cleaned for display and storage (services/text_input.py), or
    a UserFacingError for an empty or oversized file."""
    attachment = replace(attachment, filename=clean_file_name(attachment.filename))
    if not attachment.content:
        raise UserFacingError(_("The file {name} is empty.").format(name=attachment.filename))
    if len(attachment.content) > MAX_ATTACHMENT_BYTES:
        raise UserFacingError(
            _("The file {name} is larger than {limit} MB; send a smaller one or a link.").format(
                name=attachment.filename, limit=MAX_ATTACHMENT_BYTES // (1024 * 1024)
            )
        )
    return attachment
