"""Ticket use cases, one module each, behind the one `TicketService` the views and commands use:

- `intake`: taking a request (R1, R2, R3, R5);
- `changes`: what a person edits on a ticket, comments and files (R2, R6, R7, R10, R11);
- `lifecycle`: waiting, contact attempts, closing, reopening (R4, R9, R12–R14);
- `escalation`: by hand and the periodic round (R11);
- `visits`: on-site work (R16);
- `queries`: the queue (R8), one ticket, the SLA explained;
- `_core`: what they share (loading with checks, the SLA replay, the one way a change is written).

Each change runs in one unit of work: the domain decides, the use case persists the outcome, the
ticket's SLA is re-planned from its history, and the timeline records who did what and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from desktop_app.domain.eligibility import Eligibility
from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.mail_templates import TemplateCode
from desktop_app.domain.model import Channel, Notification, Severity
from desktop_app.domain.permissions import SYSTEM, Actor
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _
from desktop_app.services.dto import AgentInfo, QueueCounts, QueueFilter, QueuePage, QueueRow, TicketDetail
from desktop_app.services.field.recorded import Recorder, recorded
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import AttachmentStore, Clock, UnitOfWorkFactory
from desktop_app.services.tickets._core import AUDITED_TICKET_FIELDS, MIN_DESCRIPTION_LENGTH, TicketCore
from desktop_app.services.tickets.changes import MAX_MINUTES_PER_COMMENT, TicketChanges, TicketEditing, mail_files
from desktop_app.services.tickets.escalation import Escalation, EscalationNotice
from desktop_app.services.tickets.intake import MAX_ATTACHMENT_BYTES, Intake, IntakeRequest, NewAttachment
from desktop_app.services.tickets.lifecycle import OfferedActions, TicketLifecycle, offered_actions
from desktop_app.services.tickets.queries import QUEUE_PAGE_SIZE, SlaReport, TicketQueries
from desktop_app.services.tickets.visits import VisitRequest, Visits

if TYPE_CHECKING:  # services/mail imports the ticket use cases (a received mail opens a ticket)
    from desktop_app.services.mail.outbox import MailOutbox

__all__ = [
    "AUDITED_TICKET_FIELDS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_MINUTES_PER_COMMENT",
    "MIN_DESCRIPTION_LENGTH",
    "QUEUE_PAGE_SIZE",
    "EscalationNotice",
    "IntakeRequest",
    "NewAttachment",
    "OfferedActions",
    "SlaReport",
    "TicketChanges",
    "TicketService",
    "VisitRequest",
]


class TicketService:
    """The ticket use cases as one object, so a view holds one service; each method hands over to
    the module of its use case."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        policy: PolicyService,
        clock: Clock,
        attachments: AttachmentStore,
        *,
        mail: MailOutbox | None = None,
    ) -> None:
        """mail: the outbox the changes' mail is queued in (bootstrap.py always gives it; None only
        where no mail is wanted, as in the in-memory unit tests)."""
        core = TicketCore(uow_factory, policy, clock, attachments, mail)
        # On a field copy (issue 16): records each change as a command for the office (bootstrap.py).
        self.field_recorder: Recorder | None = None
        self._core = core
        self._clock = clock  # the tests move time through it
        self._queries = TicketQueries(core)
        self._intake = Intake(core)
        self._editing = TicketEditing(core)
        self._lifecycle = TicketLifecycle(core)
        self._escalation = Escalation(core)
        self._visits = Visits(core)

    # -- reading (queries) -------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._core.now()

    def timezone(self) -> ZoneInfo:
        return self._core.timezone()

    def change_marker(self) -> int:
        return self._queries.change_marker()

    def plans(self) -> list[tuple[str, str]]:
        return self._queries.plans()

    def list_queue(self, flt: QueueFilter, offset: int = 0, limit: int = QUEUE_PAGE_SIZE) -> QueuePage:
        return self._queries.list_queue(flt, offset, limit)

    def needing_attention(self, user_id: UserId, limit: int = 500) -> tuple[QueueRow, ...]:
        return self._queries.needing_attention(user_id, limit)

    def refresh_sla(self, rows: Iterable[QueueRow]) -> tuple[QueueRow, ...]:
        return self._queries.refresh_sla(rows)

    def counts(self) -> QueueCounts:
        return self._queries.counts()

    def get_ticket(self, ticket_id: TicketId) -> TicketDetail:
        return self._queries.get_ticket(ticket_id)

    def find_ticket_id(self, number: str) -> TicketId:
        return self._queries.find_ticket_id(number)

    def agents(self) -> list[AgentInfo]:
        return self._queries.agents()

    def cities(self) -> list[str]:
        return self._queries.cities()

    def sla_report(self, ticket_id: TicketId) -> SlaReport:
        return self._queries.sla_report(ticket_id)

    def notifications(self, user_id: UserId) -> list[Notification]:
        return self._queries.notifications(user_id)

    # -- intake ------------------------------------------------------------------------------------

    def eligibility(self, machine_id: MachineId) -> Eligibility:
        return self._intake.eligibility(machine_id)

    @recorded
    def create_ticket(self, request: IntakeRequest, *, actor: Actor) -> TicketDetail:
        return self._intake.create_ticket(request, actor=actor)

    # -- changes -----------------------------------------------------------------------------------

    @recorded
    def update_ticket(
        self, ticket_id: TicketId, changes: TicketChanges, *, actor: Actor, expected_version: int | None = None
    ) -> TicketDetail:
        return self._editing.update_ticket(ticket_id, changes, actor=actor, expected_version=expected_version)

    @recorded
    def add_comment(
        self,
        ticket_id: TicketId,
        body: str,
        *,
        actor: Actor,
        to_customer: bool = True,
        expected_version: int | None = None,
    ) -> TicketDetail:
        return self._editing.add_comment(
            ticket_id, body, actor=actor, to_customer=to_customer, expected_version=expected_version
        )

    @recorded
    def reply_to_customer(
        self,
        ticket_id: TicketId,
        body: str,
        attachments: Sequence[NewAttachment] = (),
        *,
        actor: Actor,
        template: TemplateCode | None = None,
        expected_version: int | None = None,
    ) -> TicketDetail:
        """The agent's answer by mail ("Responder al cliente"): a comment to the customer that
        counts as the response (R7) or update (R10), and the mail with its files, in one
        transaction. template: "reply" (the default), or "info_request", which also puts the
        ticket waiting on the customer (R9), as its text says."""
        if template is TemplateCode.INFO_REQUEST:
            return self._lifecycle.request_information(
                ticket_id,
                body,
                actor=actor,
                attachments=mail_files(attachments),
                expected_version=expected_version,
            )
        if template not in (None, TemplateCode.REPLY):
            raise UserFacingError(_("Answer the customer with the reply or the information request template."))
        return self._editing.reply_to_customer(
            ticket_id, body, attachments, actor=actor, expected_version=expected_version
        )

    @recorded
    def request_information(
        self, ticket_id: TicketId, body: str, *, actor: Actor, expected_version: int | None = None
    ) -> TicketDetail:
        """R9: ask the customer by mail for what is missing; the ticket waits, its clock stopped."""
        return self._lifecycle.request_information(ticket_id, body, actor=actor, expected_version=expected_version)

    @recorded
    def edit_ticket(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        description: str | None = None,
        channel: Channel | None = None,
        expected_version: int | None = None,
    ) -> TicketDetail:
        return self._editing.edit_ticket(
            ticket_id, actor=actor, description=description, channel=channel, expected_version=expected_version
        )

    @recorded
    def change_severity(
        self, ticket_id: TicketId, severity: Severity, *, actor: Actor, expected_version: int | None = None
    ) -> TicketDetail:
        return self._editing.change_severity(ticket_id, severity, actor=actor, expected_version=expected_version)

    @recorded
    def assign(
        self, ticket_id: TicketId, agent_id: UserId, *, actor: Actor, expected_version: int | None = None
    ) -> TicketDetail:
        return self._editing.assign(ticket_id, agent_id, actor=actor, expected_version=expected_version)

    @recorded
    def add_attachments(
        self, ticket_id: TicketId, attachments: Sequence[NewAttachment], *, actor: Actor
    ) -> TicketDetail:
        return self._editing.add_attachments(ticket_id, attachments, actor=actor)

    # -- lifecycle ---------------------------------------------------------------------------------

    @recorded
    def set_waiting(
        self, ticket_id: TicketId, *, actor: Actor, reason: str, expected_version: int | None = None
    ) -> TicketDetail:
        return self._lifecycle.set_waiting(ticket_id, actor=actor, reason=reason, expected_version=expected_version)

    @recorded
    def resume(self, ticket_id: TicketId, *, actor: Actor, expected_version: int | None = None) -> TicketDetail:
        return self._lifecycle.resume(ticket_id, actor=actor, expected_version=expected_version)

    @recorded
    def log_contact_attempt(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        method: str,
        note: str = "",
        wait_days: int | None = None,
        expected_version: int | None = None,
    ) -> TicketDetail:
        return self._lifecycle.log_contact_attempt(
            ticket_id, actor=actor, method=method, note=note, wait_days=wait_days, expected_version=expected_version
        )

    @recorded
    def close_solved(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        solution: str,
        closing_for_reason: str = "",
        expected_version: int | None = None,
    ) -> TicketDetail:
        return self._lifecycle.close_solved(
            ticket_id,
            actor=actor,
            solution=solution,
            closing_for_reason=closing_for_reason,
            expected_version=expected_version,
        )

    @recorded
    def close_no_response(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        closing_for_reason: str = "",
        expected_version: int | None = None,
    ) -> TicketDetail:
        return self._lifecycle.close_no_response(
            ticket_id, actor=actor, closing_for_reason=closing_for_reason, expected_version=expected_version
        )

    @recorded
    def mark_out_of_scope(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        reason: str,
        closing_for_reason: str = "",
        expected_version: int | None = None,
    ) -> TicketDetail:
        return self._lifecycle.mark_out_of_scope(
            ticket_id,
            actor=actor,
            reason=reason,
            closing_for_reason=closing_for_reason,
            expected_version=expected_version,
        )

    def closing_for(self, detail: TicketDetail, actor: Actor) -> str:
        return self._lifecycle.closing_for(detail, actor)

    @recorded
    def reopen(
        self, ticket_id: TicketId, *, actor: Actor, note: str = "", expected_version: int | None = None
    ) -> TicketDetail:
        return self._lifecycle.reopen(ticket_id, actor=actor, note=note, expected_version=expected_version)

    def offered_actions(self, detail: TicketDetail, actor: Actor) -> OfferedActions:
        """What the ticket page may offer this person: the lifecycle's rules and their scope."""
        return offered_actions(detail, actor)

    # -- escalation and visits ---------------------------------------------------------------------

    @recorded
    def escalate(
        self, ticket_id: TicketId, *, actor: Actor, note: str = "", expected_version: int | None = None
    ) -> TicketDetail:
        return self._escalation.escalate(ticket_id, actor=actor, note=note, expected_version=expected_version)

    def check_escalations(self, *, actor: Actor = SYSTEM, dry_run: bool = False) -> list[EscalationNotice]:
        return self._escalation.check_escalations(actor=actor, dry_run=dry_run)

    def escalation_levels_of(self, actor: Actor) -> frozenset[int]:
        """The levels escalated to this person (the queue's "Escalated to me")."""
        return self._escalation.levels_of(actor)

    def escalation_level_title(self, level: int) -> str:
        return self._escalation.level_title(level)

    def is_long_maintenance(self, maintenance: bool, started_at: datetime, ended_at: datetime) -> bool:
        return self._visits.is_long_maintenance(maintenance, started_at, ended_at)

    @recorded
    def record_visit(self, ticket_id: TicketId, request: VisitRequest, *, actor: Actor) -> TicketDetail:
        return self._visits.record_visit(ticket_id, request, actor=actor)
