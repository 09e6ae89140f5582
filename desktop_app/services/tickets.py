"""Ticket use cases: the queue in policy order, one ticket in full, and every change a ticket goes
through (intake, answers, waiting, contact attempts, escalation, closing, reopening).

Each change runs in one unit of work: the domain decides, this module persists the outcome, the
ticket's SLA is re-planned from its history, and the timeline records who did what and why.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from desktop_app.domain import lifecycle
from desktop_app.domain.audit import AuditEntry, as_text, diff
from desktop_app.domain.eligibility import Eligibility
from desktop_app.domain.escalation import EscalationDecision, EscalationReason, due_escalations, next_level
from desktop_app.domain.explain import Explanation, explain_due
from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.model import (
    Attachment,
    Channel,
    EventKind,
    Notification,
    Role,
    Severity,
    Ticket,
    TicketEvent,
    TicketStatus,
    Visit,
)
from desktop_app.domain.permissions import SYSTEM, Actor, Permission, allows, may_work_on
from desktop_app.domain.sla import SlaFacts, SlaState, SlaStatus, TicketSla, sla_status, ticket_sla
from desktop_app.domain.visits import VisitError, check_visit, is_long_maintenance
from desktop_app.errors import ConflictError, NotFoundError, PermissionDeniedError, PolicyRefusal, UserFacingError
from desktop_app.i18n import _
from desktop_app.labels import channel_label, eligibility_refusal_text, lifecycle_refusal_text, visit_problems_text
from desktop_app.services.dto import (
    AgentInfo,
    QueueCounts,
    QueueEntry,
    QueueFilter,
    QueuePage,
    QueueRow,
    TicketDetail,
)
from desktop_app.services.entitlement import machine_eligibility, visit_info
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import AttachmentStore, Clock, UnitOfWork, UnitOfWorkFactory

QUEUE_PAGE_SIZE = 200
# What the audit log records of a ticket (R18); due times are derived, so they are not audited.
AUDITED_TICKET_FIELDS = (
    "status",
    "severity",
    "assigned_agent_id",
    "plan_code",
    "channel",
    "description",
    "escalation_level",
    "reopen_count",
    "closed_at",
)
MIN_DESCRIPTION_LENGTH = 20  # R2: "a detailed description"
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_MINUTES_PER_COMMENT = 600


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


@dataclass(frozen=True)
class VisitRequest:
    """An on-site visit as the technician reports it (R16); times are aware datetimes."""

    technician_id: UserId
    city: str
    started_at: datetime
    ended_at: datetime
    work_done: str
    parts: str = ""
    travel_expenses: int = 0  # COP before IVA, billed per R17
    maintenance: bool = False


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


@dataclass(frozen=True)
class EscalationNotice:
    ticket_id: TicketId
    number: str
    from_level: int
    decision: EscalationDecision


@dataclass(frozen=True)
class SlaReport:
    number: str
    sla: TicketSla
    response_time: timedelta
    explanation: Explanation | None
    holiday_names: dict[str, str]  # ISO date -> name, for the days the explanation skips
    policy_version: int | None


class TicketService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        policy: PolicyService,
        clock: Clock,
        attachments: AttachmentStore,
    ) -> None:
        self._uow_factory = uow_factory
        self._policy = policy
        self._clock = clock
        self._attachments = attachments

    # -- reading ---------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._clock.now()

    def change_marker(self) -> int:
        """A number that grows whenever anyone changes anything (the audit log's last entry):
        the window polls it to refresh what others changed."""
        with self._uow_factory() as uow:
            return uow.audit.last_id()

    def timezone(self) -> ZoneInfo:
        """Where times are shown: the policy's time zone (America/Bogota)."""
        return self._policy.calendar().tz

    def plans(self) -> list[tuple[str, str]]:
        """(code, name) of every plan, in category order."""
        return [(plan.code, plan.name) for plan in sorted(self._policy.policy().plans, key=lambda p: p.rank)]

    def _sla(self, status: TicketStatus, due_at: datetime | None, response_hours: float, now: datetime) -> SlaStatus:
        return sla_status(
            self._policy.calendar(),
            due_at=due_at if status.is_open else None,
            response_time=timedelta(hours=response_hours),
            now=now,
            paused=status is TicketStatus.WAITING_CUSTOMER,
            at_risk_fraction=self._policy.policy().at_risk_fraction,
        )

    def _rows(self, entries: Iterable[QueueEntry], now: datetime) -> tuple[QueueRow, ...]:
        return tuple(QueueRow(e, self._sla(e.status, e.due_at, e.response_hours, now)) for e in entries)

    def list_queue(self, flt: QueueFilter, offset: int = 0, limit: int = QUEUE_PAGE_SIZE) -> QueuePage:
        """One page of the queue in policy order (R8), with the total for the filter."""
        with self._uow_factory() as uow:
            entries = uow.tickets.queue_page(flt, offset, limit)
            total = uow.tickets.queue_count(flt) if offset == 0 else None
        return QueuePage(self._rows(entries, self.now()), total, offset)

    def needing_attention(self, user_id: UserId, limit: int = 500) -> tuple[QueueRow, ...]:
        """The user's open tickets that are about to breach or already overdue, most urgent first
        (the window warns the person responsible before the promise is missed)."""
        with self._uow_factory() as uow:  # the page only: this runs every minute and needs no total
            entries = uow.tickets.queue_page(QueueFilter(agent_id=user_id), 0, limit)
        rows = self._rows(entries, self.now())
        urgent = [row for row in rows if row.sla.state in (SlaState.AT_RISK, SlaState.BREACHED)]
        return tuple(sorted(urgent, key=lambda row: row.entry.due_at or row.entry.received_at))

    def refresh_sla(self, rows: Iterable[QueueRow]) -> tuple[QueueRow, ...]:
        """The same rows with their SLA state recomputed for now (the live countdown)."""
        return self._rows((row.entry for row in rows), self.now())

    def counts(self) -> QueueCounts:
        with self._uow_factory() as uow:
            return uow.tickets.counts(self.now())

    def get_ticket(self, ticket_id: TicketId) -> TicketDetail:
        with self._uow_factory() as uow:
            detail = uow.tickets.detail(ticket_id, self._attachments)
            if detail is None:
                raise NotFoundError(_("Ticket {id} does not exist (it may have been deleted).").format(id=ticket_id))
            max_hours = self._policy.policy().max_maintenance_hours
            visits = tuple(visit_info(visit, name, max_hours) for visit, name in uow.tickets.visits(ticket_id))
        sla = self._sla(detail.status, detail.due_at, detail.response_hours, self.now())
        return replace(detail, sla=sla, visits=visits)

    def find_ticket_id(self, number: str) -> TicketId:
        page = self.list_queue(QueueFilter(text=number.strip(), open_only=False), 0, 5)
        for row in page.rows:
            if row.entry.number.upper() == number.strip().upper():
                return row.entry.id
        raise NotFoundError(_("There is no ticket {number}.").format(number=number.strip()))

    def agents(self) -> list[AgentInfo]:
        with self._uow_factory() as uow:
            return uow.catalog.agents()

    def cities(self) -> list[str]:
        with self._uow_factory() as uow:
            return uow.catalog.cities()

    def sla_report(self, ticket_id: TicketId) -> SlaReport:
        """The ticket's SLA and "why this due time" (R7, R9)."""
        now = self.now()
        with self._uow_factory() as uow:
            ticket = self._load(uow, ticket_id)
            sla, response = self._ticket_sla(uow, ticket, now)
        explanation = None
        calendar = self._policy.calendar()
        if sla.due_at is not None:
            explanation = explain_due(calendar, sla.target_started_at, sla.due_at, response, sla.pauses, now=now)
        names: dict[str, str] = {}
        for step in explanation.steps if explanation else ():
            if step.kind.value == "holiday":
                names[step.day.isoformat()] = self._policy.holiday_name(step.day) or _("Closure day")
        return SlaReport(ticket.number, sla, response, explanation, names, ticket.policy_version)

    # -- eligibility and intake (R1, R2, R3, R5) ---------------------------------------------------

    def eligibility(self, machine_id: MachineId) -> Eligibility:
        with self._uow_factory() as uow:
            return self._eligibility(uow, machine_id, self.now())

    def _eligibility(self, uow: UnitOfWork, machine_id: MachineId, now: datetime) -> Eligibility:
        today = now.astimezone(self.timezone()).date()
        return machine_eligibility(uow, machine_id, self._policy.policy(), today)

    def create_ticket(self, request: IntakeRequest, *, actor: Actor) -> TicketDetail:
        """Open a ticket (R1) after checking the request (R2) and the customer's entitlement (R3, R5).

        Raises:
            UserFacingError: missing description, oversized attachment.
            PolicyRefusal: not entitled; the message names the failing condition and what to do.
        """
        description = _detailed_description(request.description)
        for attachment in request.attachments:
            _check_attachment(attachment)
        # R1: every ticket has one responsible agent; by default whoever takes the request.
        agent_id = request.assigned_agent_id or actor.user_id
        if agent_id is None:
            raise UserFacingError(_("Choose the agent responsible for this ticket."))
        request = replace(request, assigned_agent_id=agent_id)
        now = self.now()
        policy = self._policy.policy()
        with self._uow_factory() as uow:
            self._authorize(uow, actor, Permission.CREATE_TICKET)
            if agent_id != actor.user_id:
                self._authorize(uow, actor, Permission.ASSIGN_ANY)
            machine_for_scope = uow.catalog.get_machine(request.machine_id)
            owner = uow.catalog.get_customer(machine_for_scope.customer_id) if machine_for_scope else None
            if owner is not None and not may_work_on(actor, agent_id, owner.city):
                raise PermissionDeniedError(_("This customer is outside your city; ask a coordinator."))
            eligibility = self._eligibility(uow, request.machine_id, now)
            if not eligibility.allowed:
                raise PolicyRefusal(eligibility_refusal_text(eligibility))
            if request.channel not in eligibility.channels:
                raise PolicyRefusal(
                    _("This customer's coverage does not include the channel {channel}.").format(
                        channel=channel_label(request.channel)
                    )
                )
            assert eligibility.plan_code is not None
            machine = uow.catalog.get_machine(request.machine_id)
            assert machine is not None
            number = uow.tickets.next_number(now.astimezone(self.timezone()).year)
            ticket = Ticket(
                number=number,
                machine_id=request.machine_id,
                customer_id=machine.customer_id,
                plan_code=eligibility.plan_code,
                severity=request.severity,
                channel=request.channel,
                description=description,
                status=TicketStatus.NEW,
                received_at=now,
                assigned_agent_id=request.assigned_agent_id,
                clock_started_at=now,
                policy_version=self._policy.version(),
            )
            response = policy.response_time(ticket.plan_code, ticket.severity)
            due = ticket_sla(self._policy.calendar(), SlaFacts(now, response, TicketStatus.NEW), now).due_at
            ticket = uow.tickets.add(replace(ticket, first_response_due_at=due, due_at=due))
            assert ticket.id is not None
            ticket_id = ticket.id
            created = {name: ("", as_text(getattr(ticket, name))) for name in AUDITED_TICKET_FIELDS}
            uow.audit.record(AuditEntry(now, actor.user_id, "ticket", str(ticket_id), "create", created))
            events = [
                TicketEvent(
                    ticket.id, EventKind.CREATED, now, actor.user_id, "", (("channel", request.channel.value),)
                ),
            ]
            events.append(
                TicketEvent(ticket_id, EventKind.ASSIGNMENT, now, actor.user_id, "", (("agent_id", str(agent_id)),))
            )
            images = [a for a in request.attachments if _media_type(a).startswith("image/")]
            if not images:
                # R2: a request needs images or examples; ask for them and stop the clock meanwhile.
                ticket = replace(ticket, status=TicketStatus.WAITING_CUSTOMER)
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
            for attachment in request.attachments:
                sha = self._attachments.put(attachment.content)
                uow.tickets.add_attachment(
                    Attachment(
                        ticket_id,
                        sha,
                        attachment.filename,
                        _media_type(attachment),
                        len(attachment.content),
                        now,
                    )
                )
            uow.tickets.save(self._planned(uow, ticket, now))
            uow.commit()
        return self.get_ticket(ticket_id)

    # -- changes to one ticket ---------------------------------------------------------------------

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
        if not body.strip():
            raise UserFacingError(_("The comment is empty."))
        changes = TicketChanges(comment=body, to_customer=to_customer)
        return self.update_ticket(ticket_id, changes, actor=actor, expected_version=expected_version)

    def update_ticket(
        self, ticket_id: TicketId, changes: TicketChanges, *, actor: Actor, expected_version: int | None = None
    ) -> TicketDetail:
        """Save what a person edited in the ticket view, all or nothing, in one transaction.

        Raises:
            ConflictError: someone saved the ticket after `expected_version`; nothing was written,
                so the view can show both versions and let the person decide.
        """
        now = self.now()
        policy = self._policy.policy()
        with self._uow_factory() as uow:
            ticket = self._load(uow, ticket_id, expected_version, actor=actor)
            events: list[TicketEvent] = []
            if changes.description is not None and changes.description.strip() != ticket.description:
                ticket = replace(ticket, description=_detailed_description(changes.description))
            if changes.channel is not None and changes.channel is not ticket.channel:
                if changes.channel not in self._eligibility(uow, ticket.machine_id, now).channels:
                    raise PolicyRefusal(
                        _("This customer's coverage does not include the channel {channel}.").format(
                            channel=channel_label(changes.channel)
                        )
                    )
                ticket = replace(ticket, channel=changes.channel)
            if changes.agent_id is not None and changes.agent_id != ticket.assigned_agent_id:
                if changes.agent_id != actor.user_id:
                    self._authorize(uow, actor, Permission.ASSIGN_ANY)
                events.append(
                    TicketEvent(
                        ticket_id, EventKind.ASSIGNMENT, now, actor.user_id, "", (("agent_id", str(changes.agent_id)),)
                    )
                )
                ticket = replace(ticket, assigned_agent_id=changes.agent_id)
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
                    decision = next_level(
                        policy.escalation_levels, ticket.escalation_level, EscalationReason.PRIORITY_CHANGE
                    )
                    if decision is not None:
                        ticket = self._apply_escalation(uow, ticket, decision, now, actor.user_id, events)
            if not 0 <= changes.minutes_spent <= MAX_MINUTES_PER_COMMENT:
                raise UserFacingError(
                    _("Time spent: between 0 and {n} minutes per comment.").format(n=MAX_MINUTES_PER_COMMENT)
                )
            if changes.minutes_spent and not changes.comment.strip():
                raise UserFacingError(_("Time spent: say in a comment what the time was spent on."))
            if changes.comment.strip():
                data: tuple[tuple[str, str], ...] = (("to_customer", "yes" if changes.to_customer else "no"),)
                if changes.minutes_spent:
                    data += (("minutes", str(changes.minutes_spent)),)
                events.append(
                    TicketEvent(ticket_id, EventKind.COMMENT, now, actor.user_id, changes.comment.strip(), data)
                )
                if changes.to_customer:
                    responded = ticket.first_responded_at
                    if responded is None or responded < ticket.clock_start:
                        responded = now
                    ticket = replace(ticket, first_responded_at=responded, last_agent_update_at=now)
                    if ticket.status is TicketStatus.NEW:
                        events.append(self._status_event(ticket, TicketStatus.IN_PROGRESS, now, actor.user_id))
                        ticket = replace(ticket, status=TicketStatus.IN_PROGRESS)
            return self._commit(uow, ticket, events, now, actor)

    def edit_ticket(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        description: str | None = None,
        channel: Channel | None = None,
        expected_version: int | None = None,
    ) -> TicketDetail:
        """Edit the ticket's own fields. Refused with ConflictError when someone saved it meanwhile."""
        changes = TicketChanges(description=description, channel=channel)
        return self.update_ticket(ticket_id, changes, actor=actor, expected_version=expected_version)

    def set_waiting(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        reason: str,
        expected_version: int | None = None,
    ) -> TicketDetail:
        """Wait for the customer (R9): the clock stops until the customer answers."""
        return self._change_status(ticket_id, TicketStatus.WAITING_CUSTOMER, actor, reason, expected_version)

    def resume(self, ticket_id: TicketId, *, actor: Actor, expected_version: int | None = None) -> TicketDetail:
        """The customer answered: the clock runs again."""
        return self._change_status(ticket_id, TicketStatus.IN_PROGRESS, actor, "", expected_version)

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
        """R12: one of three attempts, on distinct working days, stating the wait before closing."""
        if method not in ("phone", "email"):
            raise UserFacingError(_("A contact attempt is made by phone or by e-mail."))
        now = self.now()
        wait = self._policy.policy().wait_after_third_attempt_days if wait_days is None else wait_days
        with self._uow_factory() as uow:
            ticket = self._load(uow, ticket_id, expected_version, actor=actor)
            attempts = uow.tickets.contact_attempts(ticket_id, self._waiting_since(uow, ticket))
            with _as_policy_refusal(self.timezone()):
                number = lifecycle.next_attempt_number(self._policy.calendar(), ticket.status, attempts, now)
            event = TicketEvent(
                ticket_id,
                EventKind.CONTACT_ATTEMPT,
                now,
                actor.user_id,
                note.strip(),
                (("attempt", str(number)), ("method", method), ("wait_days", str(wait))),
            )
            return self._commit(uow, ticket, [event], now, actor)

    def close_solved(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        solution: str,
        expected_version: int | None = None,
    ) -> TicketDetail:
        """R13: closed with the solution given; the closing e-mail goes to the customer."""
        if not solution.strip():
            raise UserFacingError(_("Write the solution given to the customer before closing."))
        return self._close(ticket_id, TicketStatus.CLOSED, actor, solution.strip(), expected_version)

    def close_no_response(
        self, ticket_id: TicketId, *, actor: Actor, expected_version: int | None = None
    ) -> TicketDetail:
        """R12: only after the third attempt and the wait stated in it."""

        def attempts_done(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            attempts = uow.tickets.contact_attempts(ticket_id, self._waiting_since(uow, ticket))
            lifecycle.check_close_no_response(self._policy.calendar(), ticket.status, attempts, now)

        return self._close(ticket_id, TicketStatus.CLOSED_NO_RESPONSE, actor, "", expected_version, attempts_done)

    def mark_out_of_scope(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        reason: str,
        expected_version: int | None = None,
    ) -> TicketDetail:
        """R4: not a problem of the use and operation of makeR products; closes with the reason."""
        if not reason.strip():
            raise UserFacingError(_("Say why the request is out of scope."))
        return self._close(ticket_id, TicketStatus.OUT_OF_SCOPE, actor, reason.strip(), expected_version)

    def reopen(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        note: str = "",
        expected_version: int | None = None,
    ) -> TicketDetail:
        """R14: the history stays; a new response clock starts now, at level 1."""
        now = self.now()
        with self._uow_factory() as uow:
            ticket = self._load(uow, ticket_id, expected_version, actor=actor)
            with _as_policy_refusal(self.timezone()):
                lifecycle.check_reopen(ticket.status)
            events = []
            if note.strip():
                events.append(TicketEvent(ticket_id, EventKind.EMAIL_RECEIVED, now, None, note.strip()))
            events.append(self._status_event(ticket, TicketStatus.IN_PROGRESS, now, actor.user_id, reason="reopened"))
            ticket = replace(
                ticket,
                status=TicketStatus.IN_PROGRESS,
                reopen_count=ticket.reopen_count + 1,
                clock_started_at=now,
                closed_at=None,
                escalation_level=1,
            )
            return self._commit(uow, ticket, events, now, actor)

    def change_severity(
        self, ticket_id: TicketId, severity: Severity, *, actor: Actor, expected_version: int | None = None
    ) -> TicketDetail:
        """Re-plan the due times; a raised priority is itself an escalation trigger (R11)."""
        changes = TicketChanges(severity=severity)
        return self.update_ticket(ticket_id, changes, actor=actor, expected_version=expected_version)

    def escalate(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        note: str = "",
        expected_version: int | None = None,
    ) -> TicketDetail:
        """An agent escalates by hand to the next level (R11)."""
        now = self.now()
        with self._uow_factory() as uow:
            ticket = self._load(uow, ticket_id, expected_version, actor=actor, permission=Permission.ESCALATE)
            decision = next_level(
                self._policy.policy().escalation_levels, ticket.escalation_level, EscalationReason.MANUAL
            )
            if decision is None:
                raise PolicyRefusal(_("The ticket is already at the highest escalation level."))
            events: list[TicketEvent] = []
            ticket = self._apply_escalation(uow, ticket, decision, now, actor.user_id, events, note)
            return self._commit(uow, ticket, events, now, actor)

    def assign(
        self, ticket_id: TicketId, agent_id: UserId, *, actor: Actor, expected_version: int | None = None
    ) -> TicketDetail:
        changes = TicketChanges(agent_id=agent_id)
        return self.update_ticket(ticket_id, changes, actor=actor, expected_version=expected_version)

    def add_attachments(
        self, ticket_id: TicketId, attachments: Sequence[NewAttachment], *, actor: Actor
    ) -> TicketDetail:
        """Files that arrive after intake (the images asked for under R2, a log, a video link…).
        All or nothing: one refused file keeps the others out too, so nothing half-arrives."""
        if not attachments:
            raise UserFacingError(_("Choose at least one file."))
        for attachment in attachments:
            _check_attachment(attachment)
        now = self.now()
        with self._uow_factory() as uow:
            ticket = self._load(uow, ticket_id, actor=actor)
            assert ticket.id is not None
            names = []
            for attachment in attachments:
                sha = self._attachments.put(attachment.content)
                media_type = _media_type(attachment)
                uow.tickets.add_attachment(
                    Attachment(ticket.id, sha, attachment.filename, media_type, len(attachment.content), now)
                )
                names.append(attachment.filename)
            event = TicketEvent(
                ticket.id, EventKind.ATTACHMENT, now, actor.user_id, "\n".join(names), (("count", str(len(names))),)
            )
            uow.audit.record(
                AuditEntry(
                    now, actor.user_id, "ticket", str(ticket.id), "attach", {"attachments": ("", ", ".join(names))}
                )
            )
            return self._commit(uow, ticket, [event], now, actor)

    # -- on-site visits (R16) ---------------------------------------------------------------------

    def record_visit(self, ticket_id: TicketId, request: VisitRequest, *, actor: Actor) -> TicketDetail:
        """Record an on-site visit on the ticket's machine. A maintenance visit also dates the
        machine's last preventive maintenance (R3); one longer than the policy's maximum is
        flagged on the timeline and the coordinators are told.

        Raises:
            UserFacingError: every problem of the form, named at once; a visit that overlaps
                another of the same technician.
        """
        now = self.now()
        try:
            check_visit(
                city=request.city,
                started_at=request.started_at,
                ended_at=request.ended_at,
                work_done=request.work_done,
                travel_expenses=request.travel_expenses,
                now=now,
            )
        except VisitError as exc:
            raise UserFacingError(visit_problems_text(exc.problems)) from exc
        max_hours = self._policy.policy().max_maintenance_hours
        long_maintenance = is_long_maintenance(request.maintenance, request.started_at, request.ended_at, max_hours)
        with self._uow_factory() as uow:
            ticket = self._load(uow, ticket_id, actor=actor, permission=Permission.RECORD_VISITS)
            assert ticket.id is not None
            if request.technician_id != actor.user_id:
                self._authorize(uow, actor, Permission.ASSIGN_ANY)
            if uow.tickets.visit_overlaps(request.technician_id, request.started_at, request.ended_at):
                raise UserFacingError(_("This technician already has a visit recorded during that time."))
            visit = uow.tickets.add_visit(
                Visit(
                    ticket.id,
                    ticket.machine_id,
                    request.technician_id,
                    request.city,
                    request.started_at,
                    request.ended_at,
                    request.work_done.strip(),
                    request.parts.strip(),
                    request.travel_expenses,
                    request.maintenance,
                )
            )
            minutes = int((request.ended_at - request.started_at).total_seconds() // 60)
            data = (
                ("visit_id", str(visit.id)),
                ("city", request.city),
                ("minutes", str(minutes)),
                ("maintenance", "1" if request.maintenance else "0"),
                ("long_maintenance", "1" if long_maintenance else "0"),
            )
            events = [TicketEvent(ticket.id, EventKind.VISIT, now, actor.user_id, request.work_done.strip(), data)]
            recorded = {
                "ticket_id": ("", str(ticket.id)),
                "technician_id": ("", str(request.technician_id)),
                "city": ("", request.city),
                "started_at": ("", as_text(request.started_at)),
                "ended_at": ("", as_text(request.ended_at)),
                "travel_expenses": ("", str(request.travel_expenses)),
                "maintenance": ("", as_text(request.maintenance)),
            }
            uow.audit.record(AuditEntry(now, actor.user_id, "visit", str(visit.id), "create", recorded))
            if request.maintenance:
                uow.catalog.record_maintenance(ticket.machine_id, request.ended_at.astimezone(self.timezone()).date())
            if long_maintenance:
                body = _("Ticket {number}: a maintenance visit lasted more than {hours} hours.").format(
                    number=ticket.number, hours=max_hours
                )
                for coordinator in uow.catalog.users_with_role(Role.COORDINATOR):
                    assert coordinator.id is not None
                    uow.tickets.add_notification(Notification(coordinator.id, ticket.id, "long_visit", body, now))
            return self._commit(uow, ticket, events, now, actor)

    # -- escalation check (R11) --------------------------------------------------------------------

    def check_escalations(self, *, actor: Actor = SYSTEM, dry_run: bool = False) -> list[EscalationNotice]:
        """Every open ticket whose elapsed working time passed a level's threshold, escalated now
        (or only listed, with dry_run). The app runs this every minute as the desk itself."""
        if not allows(actor, Permission.ESCALATE):
            raise PermissionDeniedError(_("Your role does not allow this action."))
        now = self.now()
        levels = self._policy.policy().escalation_levels
        top = max((level.level for level in levels), default=1)
        # A level reached at a threshold of 1 or more is only reached once the promise is missed:
        # then only overdue tickets need the (costly) SLA replay, not every open ticket.
        early = any(0 < level.threshold < 1 for level in levels)
        with self._uow_factory() as uow:
            candidates = uow.tickets.escalation_candidates(now, top, overdue_only=not early)
        notices: list[EscalationNotice] = []
        for ticket_id in candidates:
            # One transaction per ticket: when another workstation escalated the same ticket a
            # moment ago, only that ticket is skipped (its version moved), not the whole round.
            try:
                notices += self._escalate_if_due(ticket_id, now, dry_run=dry_run)
            except ConflictError:
                continue
        return notices

    def _escalate_if_due(self, ticket_id: TicketId, now: datetime, *, dry_run: bool) -> list[EscalationNotice]:
        policy = self._policy.policy()
        with self._uow_factory() as uow:
            ticket = self._load(uow, ticket_id)
            if ticket.status is TicketStatus.WAITING_CUSTOMER:
                return []
            sla, response = self._ticket_sla(uow, ticket, now)
            decisions = due_escalations(policy.escalation_levels, ticket.escalation_level, sla.elapsed, response)
            from_level = ticket.escalation_level
            notices = [EscalationNotice(ticket_id, ticket.number, from_level, d) for d in decisions]
            if not decisions or dry_run:
                return notices
            events: list[TicketEvent] = []
            for decision in decisions:
                ticket = self._apply_escalation(uow, ticket, decision, now, None, events)
            uow.tickets.add_events(events)
            changes = {"escalation_level": (str(from_level), str(ticket.escalation_level))}
            uow.audit.record(AuditEntry(now, None, "ticket", str(ticket_id), "escalate", changes))
            uow.tickets.save(ticket)
            uow.commit()
        return notices

    def notifications(self, user_id: UserId) -> list[Notification]:
        with self._uow_factory() as uow:
            return uow.tickets.notifications_for(user_id)

    # -- internals ---------------------------------------------------------------------------------

    def _load(
        self,
        uow: UnitOfWork,
        ticket_id: TicketId,
        expected_version: int | None = None,
        *,
        actor: Actor | None = None,
        permission: Permission = Permission.WORK_TICKET,
    ) -> Ticket:
        """The ticket, checked: it exists, the actor may act on it, and nobody changed it since
        the version the actor saw."""
        ticket = uow.tickets.get(ticket_id)
        if ticket is None:
            raise NotFoundError(_("Ticket {id} does not exist (it may have been deleted).").format(id=ticket_id))
        if actor is not None:
            self._authorize(uow, actor, permission, ticket)
        if expected_version is not None and ticket.version != expected_version:
            raise ConflictError(
                _("Someone else changed ticket {number} meanwhile. Nothing was saved.").format(number=ticket.number)
            )
        return ticket

    def _authorize(self, uow: UnitOfWork, actor: Actor, permission: Permission, ticket: Ticket | None = None) -> None:
        if not allows(actor, permission):
            raise PermissionDeniedError(_("Your role does not allow this action."))
        if ticket is not None:
            customer = uow.catalog.get_customer(ticket.customer_id)
            if not may_work_on(actor, ticket.assigned_agent_id, customer.city if customer else ""):
                raise PermissionDeniedError(
                    _("Ticket {number} belongs to another agent or city; ask a coordinator.").format(
                        number=ticket.number
                    )
                )

    def _ticket_sla(self, uow: UnitOfWork, ticket: Ticket, now: datetime) -> tuple[TicketSla, timedelta]:
        assert ticket.id is not None
        policy = self._policy.policy()
        response = policy.response_time(ticket.plan_code, ticket.severity)
        facts = SlaFacts(
            ticket.clock_start,
            response,
            ticket.status,
            tuple(uow.tickets.status_changes(ticket.id)),
            ticket.first_responded_at,
            ticket.last_agent_update_at,
        )
        return ticket_sla(self._policy.calendar(), facts, now, at_risk_fraction=policy.at_risk_fraction), response

    def _planned(self, uow: UnitOfWork, ticket: Ticket, now: datetime) -> Ticket:
        """The ticket with the due time of its current promise, derived from its state and the
        history already written in this unit of work (so the row is written once)."""
        sla, _response = self._ticket_sla(uow, ticket, now)
        return replace(ticket, due_at=sla.due_at, policy_version=self._policy.version())

    def _commit(
        self, uow: UnitOfWork, ticket: Ticket, events: Sequence[TicketEvent], now: datetime, actor: Actor
    ) -> TicketDetail:
        assert ticket.id is not None
        before = uow.tickets.get(ticket.id)
        uow.tickets.add_events(events)
        if before is not None:
            changes = diff(before, ticket, AUDITED_TICKET_FIELDS)
            if changes:
                uow.audit.record(AuditEntry(now, actor.user_id, "ticket", str(ticket.id), "update", changes))
        uow.tickets.save(self._planned(uow, ticket, now))
        uow.commit()
        return self.get_ticket(ticket.id)

    def _status_event(
        self,
        ticket: Ticket,
        target: TicketStatus,
        now: datetime,
        author_id: UserId | None,
        *,
        reason: str = "",
    ) -> TicketEvent:
        assert ticket.id is not None
        data = [("from", ticket.status.value), ("to", target.value)]
        if reason:
            data.append(("reason", reason))
        return TicketEvent(ticket.id, EventKind.STATUS_CHANGE, now, author_id, "", tuple(sorted(data)))

    def _change_status(
        self,
        ticket_id: TicketId,
        target: TicketStatus,
        actor: Actor,
        note: str,
        expected_version: int | None,
    ) -> TicketDetail:
        now = self.now()
        with self._uow_factory() as uow:
            ticket = self._load(uow, ticket_id, expected_version, actor=actor)
            with _as_policy_refusal(self.timezone()):
                lifecycle.check_transition(ticket.status, target)
            event = self._status_event(ticket, target, now, actor.user_id)
            events = [replace(event, body=note.strip())]
            return self._commit(uow, replace(ticket, status=target), events, now, actor)

    def _close(
        self,
        ticket_id: TicketId,
        target: TicketStatus,
        actor: Actor,
        text: str,
        expected_version: int | None,
        precondition: Callable[[UnitOfWork, Ticket, datetime], None] | None = None,
    ) -> TicketDetail:
        """Close in one unit of work; precondition (a lifecycle check) runs on the ticket as loaded
        there, so nothing can change between the check and the close."""
        now = self.now()
        with self._uow_factory() as uow:
            ticket = self._load(uow, ticket_id, expected_version, actor=actor)
            with _as_policy_refusal(self.timezone()):
                if precondition is not None:
                    precondition(uow, ticket, now)
                lifecycle.check_transition(ticket.status, target)
            events = []
            if text:
                events.append(TicketEvent(ticket_id, EventKind.COMMENT, now, actor.user_id, text))
            events.append(self._status_event(ticket, target, now, actor.user_id))
            events.append(
                TicketEvent(
                    ticket_id,
                    EventKind.EMAIL_SENT,
                    now,
                    actor.user_id,
                    "",
                    (("template", f"closing_{target.value}"),),
                )
            )
            return self._commit(uow, replace(ticket, status=target, closed_at=now), events, now, actor)

    def _waiting_since(self, uow: UnitOfWork, ticket: Ticket) -> datetime:
        """Contact attempts count from the latest time the ticket started waiting on the customer."""
        assert ticket.id is not None
        since = ticket.clock_start
        for change in uow.tickets.status_changes(ticket.id):
            if change.to is TicketStatus.WAITING_CUSTOMER and change.at >= since:
                since = change.at
        return since

    def _apply_escalation(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        decision: EscalationDecision,
        now: datetime,
        author_id: UserId | None,
        events: list[TicketEvent],
        note: str = "",
    ) -> Ticket:
        assert ticket.id is not None
        events.append(
            TicketEvent(
                ticket.id,
                EventKind.ESCALATION,
                now,
                author_id,
                note.strip(),
                (
                    ("from", str(ticket.escalation_level)),
                    ("level", str(decision.to_level)),
                    ("reason", decision.reason.value),
                    ("to", decision.notify_username or decision.title),
                ),
            )
        )
        recipients = []
        if decision.notify_username:
            user = uow.catalog.user_by_username(decision.notify_username)
            if user is not None:
                recipients.append(user)
        if not recipients:
            recipients = uow.catalog.users_with_role(Role.COORDINATOR)
        body = _("Ticket {number} escalated to level {level} ({title}).").format(
            number=ticket.number, level=decision.to_level, title=decision.title
        )
        for user in recipients:
            assert user.id is not None
            uow.tickets.add_notification(Notification(user.id, ticket.id, "escalation", body, now))
        return replace(ticket, escalation_level=decision.to_level)


def _detailed_description(text: str) -> str:
    """R2: a request needs a detailed description; returns it without surrounding blanks."""
    text = text.strip()
    if len(text) < MIN_DESCRIPTION_LENGTH:
        raise UserFacingError(
            _(
                "Describe the problem in detail (at least {n} characters): what happened, when, and what the "
                "machine shows."
            ).format(n=MIN_DESCRIPTION_LENGTH)
        )
    return text


@contextmanager
def _as_policy_refusal(tz: ZoneInfo) -> Iterator[None]:
    """The lifecycle's refusals (R4, R12–R14) become messages that name the rule's reason."""
    try:
        yield
    except lifecycle.LifecycleError as exc:
        raise PolicyRefusal(lifecycle_refusal_text(exc, tz)) from exc


def _media_type(attachment: NewAttachment) -> str:
    return attachment.media_type or mimetypes.guess_type(attachment.filename)[0] or "application/octet-stream"


def _check_attachment(attachment: NewAttachment) -> None:
    if not attachment.content:
        raise UserFacingError(_("The file {name} is empty.").format(name=attachment.filename))
    if len(attachment.content) > MAX_ATTACHMENT_BYTES:
        raise UserFacingError(
            _("The file {name} is larger than {limit} MB; send a smaller one or a link.").format(
                name=attachment.filename, limit=MAX_ATTACHMENT_BYTES // (1024 * 1024)
            )
        )
