"""What a person changes on an open ticket: description, channel, responsible agent, severity
(a raised priority escalates, R11), comments and answers to the customer (R7, R10), advisory time
(R6), and files that arrive after intake (R2, which also resume a ticket waiting for them, R9)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from desktop_app.domain.assignment import AssignmentRefusal, assignment_refusal
from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.escalation import priority_raised
from desktop_app.domain.ids import TicketId, UserId
from desktop_app.domain.mail_templates import TemplateCode
from desktop_app.domain.model import Attachment, Channel, EventKind, Severity, Ticket, TicketEvent, TicketStatus
from desktop_app.domain.permissions import Actor
from desktop_app.domain.sla import StatusChange
from desktop_app.errors import PermissionDeniedError, PolicyRefusal, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.dto import TicketDetail
from desktop_app.services.mail_dto import MailRequest
from desktop_app.services.mail_ports import MailFile
from desktop_app.services.ports import UnitOfWork
from desktop_app.services.text_input import clean_text
from desktop_app.services.tickets._core import TicketCore, detailed_description
from desktop_app.services.tickets.escalation import apply_escalation
from desktop_app.services.tickets.intake import (
    MAX_ATTACHMENT_BYTES,
    NewAttachment,
    assignment_notice,
    check_attachment,
    is_example,
    media_type,
)
from desktop_app.wording import channel_label

MAX_MINUTES_PER_COMMENT = 600


@dataclass(frozen=True)
class TicketChanges:
    """What a person changed in the ticket view; None (or empty) fields are left as they are."""

    description: str | None = None
    severity: Severity | None = None
    agent_id: UserId | None = None
    comment: str = ""
    to_customer: bool = True
    channel: Channel | None = None
    # Advisory time this comment records (R6: counted against the plan's hours, extra billed, R17).
    minutes_spent: int = 0

    @property
    def empty(self) -> bool:
        fields = (self.description, self.severity, self.agent_id, self.channel)
        return all(value is None for value in fields) and not self.comment.strip() and not self.minutes_spent


class TicketEditing:
    def __init__(self, core: TicketCore) -> None:
        self._core = core

    def update_ticket(
        self,
        ticket_id: TicketId,
        changes: TicketChanges,
        *,
        actor: Actor,
        expected_version: int | None = None,
        mails: Sequence[MailRequest] = (),
    ) -> TicketDetail:
        """Save what a person edited in the ticket view, all or nothing, in one transaction (with
        the `mails` the change sends, and the escalation notices a raised priority sends, R11).

        Raises:
            ConflictError: someone saved the ticket after `expected_version`; nothing was written,
                so the view can show both versions and let the person decide.
        """
        core = self._core
        now = core.now()
        policy = core.policy.policy()
        # Cleaned, not refused (services/text_input.py): the database can always store what is left.
        changes = replace(changes, comment=clean_text(changes.comment))
        if not 0 <= changes.minutes_spent <= MAX_MINUTES_PER_COMMENT:
            raise UserFacingError(
                _("Time spent: between 0 and {n} minutes per comment.").format(n=MAX_MINUTES_PER_COMMENT)
            )
        if changes.minutes_spent and not changes.comment.strip():
            raise UserFacingError(_("Time spent: say in a comment what the time was spent on."))
        with core.uow_factory() as uow:
            ticket = core.load(uow, ticket_id, expected_version, actor=actor)
            events: list[TicketEvent] = []
            notices: list[MailRequest] = []
            if changes.description is not None and changes.description.strip() != ticket.description:
                ticket = replace(ticket, description=detailed_description(changes.description))
            if changes.channel is not None and changes.channel is not ticket.channel:
                if changes.channel not in core.eligibility(uow, ticket.machine_id, now).channels:
                    raise PolicyRefusal(
                        _("This customer's coverage does not include the channel {channel}.").format(
                            channel=channel_label(changes.channel)
                        )
                    )
                ticket = replace(ticket, channel=changes.channel)
            if changes.agent_id is not None and changes.agent_id != ticket.assigned_agent_id:
                _check_assignment(uow, actor, ticket, changes.agent_id)
                events.append(
                    TicketEvent(
                        ticket_id, EventKind.ASSIGNMENT, now, actor.user_id, "", (("agent_id", str(changes.agent_id)),)
                    )
                )
                ticket = replace(ticket, assigned_agent_id=changes.agent_id)
                if changes.agent_id != actor.user_id:
                    uow.notices.add(assignment_notice(changes.agent_id, ticket_id, actor, now))
            if changes.severity is not None and changes.severity is not ticket.severity:
                events.append(
                    TicketEvent(
                        ticket_id,
                        EventKind.SEVERITY_CHANGE,
                        now,
                        actor.user_id,
                        "",
                        (("from", ticket.severity.value), ("to", changes.severity.value)),
                    )
                )
                raised = policy.severity_rank(changes.severity) < policy.severity_rank(ticket.severity)
                ticket = replace(ticket, severity=changes.severity)
                if raised and ticket.status.is_open:
                    decision = priority_raised(policy.escalation_levels, ticket.escalation_level)
                    if decision is not None:
                        if decision.to_level == ticket.escalation_level:
                            # Already at the top: the level stays, so the diff in commit() would
                            # not show the trigger; the audit says so itself (R11, R18).
                            level = str(ticket.escalation_level)
                            uow.audit.record(
                                AuditEntry(
                                    now,
                                    actor.user_id,
                                    "ticket",
                                    str(ticket_id),
                                    "escalate",
                                    {"escalation_level": (level, level)},
                                )
                            )
                        ticket = apply_escalation(uow, ticket, decision, now, actor.user_id, events, mails=notices)
            if changes.comment.strip():
                data: tuple[tuple[str, str], ...] = (("to_customer", "yes" if changes.to_customer else "no"),)
                if changes.minutes_spent:
                    data += (("minutes", str(changes.minutes_spent)),)
                events.append(
                    TicketEvent(ticket_id, EventKind.COMMENT, now, actor.user_id, changes.comment.strip(), data)
                )
                if changes.to_customer:
                    ticket = core.answered(ticket, now)
                    if ticket.status is TicketStatus.NEW:
                        events.append(core.status_event(ticket, TicketStatus.IN_PROGRESS, now, actor.user_id))
                        ticket = replace(ticket, status=TicketStatus.IN_PROGRESS)
            return core.commit(uow, ticket, events, now, actor, mails=[*mails, *notices])

    def reply_to_customer(
        self,
        ticket_id: TicketId,
        body: str,
        attachments: Sequence[NewAttachment] = (),
        *,
        actor: Actor,
        expected_version: int | None = None,
    ) -> TicketDetail:
        """The agent's answer from the ticket page, by mail (template "reply", the text as its
        {message}, the files attached): a comment to the customer on the timeline that counts as
        the first response (R7) or an update (R10), and the mail queued in the same transaction."""
        body = clean_text(body).strip()
        if not body:
            raise UserFacingError(_("Write the answer to the customer."))
        files = mail_files(attachments)
        with self._core.uow_factory() as uow:
            ticket = self._core.load(uow, ticket_id, expected_version, actor=actor)
        if not ticket.status.is_open:
            raise PolicyRefusal(_("Reopen the ticket before writing to the customer about it."))
        changes = TicketChanges(comment=body, to_customer=True)
        mail = MailRequest(TemplateCode.REPLY, {"message": body}, files)
        return self.update_ticket(ticket_id, changes, actor=actor, expected_version=expected_version, mails=[mail])

    def add_comment(
        self,
        ticket_id: TicketId,
        body: str,
        *,
        actor: Actor,
        to_customer: bool = True,
        expected_version: int | None = None,
    ) -> TicketDetail:
        """An agent's note; when it goes to the customer it is a response (R7) or an update (R10)."""
        body = clean_text(body)
        if not body.strip():
            raise UserFacingError(_("The comment is empty."))
        changes = TicketChanges(comment=body, to_customer=to_customer)
        return self.update_ticket(ticket_id, changes, actor=actor, expected_version=expected_version)

    def edit_ticket(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        description: str | None = None,
        channel: Channel | None = None,
        expected_version: int | None = None,
    ) -> TicketDetail:
        """Correct the description or the channel the request came by."""
        changes = TicketChanges(description=description, channel=channel)
        return self.update_ticket(ticket_id, changes, actor=actor, expected_version=expected_version)

    def change_severity(
        self, ticket_id: TicketId, severity: Severity, *, actor: Actor, expected_version: int | None = None
    ) -> TicketDetail:
        """Re-plan the due times; a raised priority is itself an escalation trigger (R11)."""
        changes = TicketChanges(severity=severity)
        return self.update_ticket(ticket_id, changes, actor=actor, expected_version=expected_version)

    def assign(
        self, ticket_id: TicketId, agent_id: UserId, *, actor: Actor, expected_version: int | None = None
    ) -> TicketDetail:
        """Hand the ticket to another agent (who is notified)."""
        changes = TicketChanges(agent_id=agent_id)
        return self.update_ticket(ticket_id, changes, actor=actor, expected_version=expected_version)

    def add_attachments(
        self, ticket_id: TicketId, attachments: Sequence[NewAttachment], *, actor: Actor
    ) -> TicketDetail:
        """Files that arrive after intake (the images asked for under R2, a log, a video…).
        All or nothing: one refused file keeps the others out too, so nothing half-arrives.
        When the ticket was waiting for exactly these examples, the clock runs again (R9)."""
        if not attachments:
            raise UserFacingError(_("Choose at least one file."))
        attachments = [check_attachment(attachment) for attachment in attachments]
        core = self._core
        now = core.now()
        with core.uow_factory() as uow:
            ticket = core.load(uow, ticket_id, actor=actor)
            assert ticket.id is not None
            names = []
            for attachment in attachments:
                sha = core.attachments.put(attachment.content)
                uow.tickets.add_attachment(
                    Attachment(
                        ticket.id, sha, attachment.filename, media_type(attachment), len(attachment.content), now
                    )
                )
                names.append(attachment.filename)
            events = [
                TicketEvent(
                    ticket.id,
                    EventKind.ATTACHMENT,
                    now,
                    actor.user_id,
                    "\n".join(names),
                    (("count", str(len(names))),),
                )
            ]
            uow.audit.record(
                AuditEntry(
                    now, actor.user_id, "ticket", str(ticket.id), "attach", {"attachments": ("", ", ".join(names))}
                )
            )
            if (
                ticket.status is TicketStatus.WAITING_CUSTOMER
                and _waiting_for_examples(uow.tickets.status_changes(ticket.id))
                and any(is_example(a) for a in attachments)
            ):
                # R2/R9: the examples asked for arrived; the customer's turn is over.
                target = TicketStatus.IN_PROGRESS if ticket.first_responded_at else TicketStatus.NEW
                events.append(core.status_event(ticket, target, now, actor.user_id, reason="examples_received"))
                ticket = replace(ticket, status=target)
            return core.commit(uow, ticket, events, now, actor)


def _check_assignment(uow: UnitOfWork, actor: Actor, ticket: Ticket, agent_id: UserId) -> None:
    """R1: who may make `agent_id` responsible (domain/assignment.py), and only an active user."""
    names = {agent.id: agent.full_name for agent in uow.queries.directory.agents()}
    refusal = assignment_refusal(actor, ticket.assigned_agent_id, agent_id)
    if refusal is AssignmentRefusal.ASSIGNED_TO_SOMEONE_ELSE:
        assert ticket.assigned_agent_id is not None
        raise PermissionDeniedError(
            _("Ticket {number} is assigned to {agent}; only a coordinator can reassign it.").format(
                number=ticket.number, agent=names.get(ticket.assigned_agent_id, str(ticket.assigned_agent_id))
            )
        )
    if refusal is AssignmentRefusal.TO_SOMEONE_ELSE:
        raise PermissionDeniedError(
            _("Only a coordinator can give a ticket to someone else; you can take an unassigned ticket for yourself.")
        )
    if agent_id not in names:
        raise UserFacingError(_("The chosen agent is not an active user; choose another one."))


def _waiting_for_examples(changes: Sequence[StatusChange]) -> bool:
    """Whether the latest wait was intake's request for images or examples (R2), as opposed to a
    wait an agent set for something else (TeamViewer access, the machine itself…)."""
    waits = [change for change in changes if change.to is TicketStatus.WAITING_CUSTOMER]
    return bool(waits) and waits[-1].reason == "images_requested"


def mail_files(attachments: Sequence[NewAttachment]) -> tuple[MailFile, ...]:
    """The agent's files as a mail carries them, checked as intake checks files (not empty, each
    within the size limit) and together within it too: larger mail is refused by most servers."""
    checked = [check_attachment(attachment) for attachment in attachments]
    if sum(len(attachment.content) for attachment in checked) > MAX_ATTACHMENT_BYTES:
        raise UserFacingError(
            _("The files together are larger than {limit} MB; send fewer or smaller ones, or a link.").format(
                limit=MAX_ATTACHMENT_BYTES // (1024 * 1024)
            )
        )
    return tuple(MailFile(a.filename, media_type(a), a.content) for a in checked)
