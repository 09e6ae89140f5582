"""What every ticket use case shares: loading a ticket with its permission and version checks,
its SLA replayed from history, and the one way a change is written (events, audit, re-planned
due time, commit) so the rules R7, R9 and R18 hold for every change alike."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from desktop_app.domain import lifecycle
from desktop_app.domain.audit import AuditEntry, diff
from desktop_app.domain.eligibility import Eligibility
from desktop_app.domain.ids import MachineId, TicketId, UserId
from desktop_app.domain.model import EventKind, Ticket, TicketEvent, TicketStatus
from desktop_app.domain.permissions import Actor, Permission, allows, may_work_on
from desktop_app.domain.sla import SlaFacts, SlaStatus, TicketSla, sla_status, ticket_sla
from desktop_app.errors import ConflictError, NotFoundError, PermissionDeniedError, PolicyRefusal, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.dto import TicketDetail
from desktop_app.services.entitlement import machine_eligibility, visit_info
from desktop_app.services.mail_dto import MailRequest
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import AttachmentStore, Clock, UnitOfWork, UnitOfWorkFactory
from desktop_app.services.text_input import clean_text
from desktop_app.wording import lifecycle_refusal_text

if TYPE_CHECKING:  # services/mail imports the ticket use cases (a received mail opens a ticket)
    from desktop_app.services.mail.outbox import MailOutbox

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


class TicketCore:
    """The services and checks the use cases share; one per TicketService.

    `mail`: the outbox a change's mail is queued in, in the change's own transaction (issue 14);
    None only where no mail is wanted (the in-memory unit tests).
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        policy: PolicyService,
        clock: Clock,
        attachments: AttachmentStore,
        mail: MailOutbox | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.policy = policy
        self.clock = clock
        self.attachments = attachments
        self.mail = mail

    def now(self) -> datetime:
        return self.clock.now()

    def timezone(self) -> ZoneInfo:
        """Where times are shown and days are counted: the policy's time zone (America/Bogota)."""
        return self.policy.calendar().tz

    # -- reading -----------------------------------------------------------------------------------

    def sla(self, status: TicketStatus, due_at: datetime | None, response_hours: float, now: datetime) -> SlaStatus:
        """The countdown a row or a header shows (R7, R9: paused while waiting on the customer)."""
        return sla_status(
            self.policy.calendar(),
            due_at=due_at if status.is_open else None,
            response_time=timedelta(hours=response_hours),
            now=now,
            paused=status is TicketStatus.WAITING_CUSTOMER,
            at_risk_fraction=self.policy.policy().at_risk_fraction,
        )

    def detail(self, ticket_id: TicketId) -> TicketDetail:
        with self.uow_factory() as uow:
            return self.detail_in(uow, ticket_id)

    def detail_in(self, uow: UnitOfWork, ticket_id: TicketId) -> TicketDetail:
        """The ticket in full as this unit of work sees it (after a change: what was just written)."""
        detail = uow.queries.ticket.detail(ticket_id, self.attachments)
        if detail is None:
            raise NotFoundError(_("Ticket {id} does not exist (it may have been deleted).").format(id=ticket_id))
        max_hours = self.policy.policy().max_maintenance_hours
        visits = tuple(visit_info(visit, name, max_hours) for visit, name in uow.queries.ticket.visits(ticket_id))
        sla = self.sla(detail.status, detail.due_at, detail.response_hours, self.now())
        return replace(detail, sla=sla, visits=visits)

    def eligibility(self, uow: UnitOfWork, machine_id: MachineId, now: datetime) -> Eligibility:
        today = now.astimezone(self.timezone()).date()
        return machine_eligibility(uow, machine_id, self.policy.policy(), today)

    def ticket_sla(self, uow: UnitOfWork, ticket: Ticket, now: datetime) -> tuple[TicketSla, timedelta]:
        """The ticket's promise replayed from its status history (R7, R9, R10)."""
        assert ticket.id is not None
        policy = self.policy.policy()
        response = policy.response_time(ticket.plan_code, ticket.severity)
        facts = SlaFacts(
            ticket.clock_start,
            response,
            ticket.status,
            tuple(uow.tickets.status_changes(ticket.id)),
            ticket.first_responded_at,
            ticket.last_agent_update_at,
        )
        return ticket_sla(self.policy.calendar(), facts, now, at_risk_fraction=policy.at_risk_fraction), response

    # -- checks ------------------------------------------------------------------------------------

    def load(
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
            self.authorize(uow, actor, permission, ticket)
        if expected_version is not None and ticket.version != expected_version:
            raise ConflictError(
                _("Someone else changed ticket {number} meanwhile. Nothing was saved.").format(number=ticket.number)
            )
        return ticket

    def authorize(self, uow: UnitOfWork, actor: Actor, permission: Permission, ticket: Ticket | None = None) -> None:
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

    # -- writing -----------------------------------------------------------------------------------

    def planned(self, uow: UnitOfWork, ticket: Ticket, now: datetime) -> Ticket:
        """The ticket with the due time of its current promise, derived from its state and the
        history already written in this unit of work (so the row is written once)."""
        sla, _response = self.ticket_sla(uow, ticket, now)
        return replace(ticket, due_at=sla.due_at, policy_version=self.policy.version())

    def commit(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        events: Sequence[TicketEvent],
        now: datetime,
        actor: Actor,
        *,
        also_audited: Mapping[str, tuple[str, str]] | None = None,
        mails: Sequence[MailRequest] = (),
    ) -> TicketDetail:
        """Write the change: its timeline events, its audit entry (before/after, R18, with
        `also_audited`: what the change recorded beside the ticket's fields), the ticket with its
        re-planned due time, and the `mails` it causes, queued in the same transaction (each with
        its timeline event after the change's); returns the ticket as written."""
        assert ticket.id is not None
        before = uow.tickets.get(ticket.id)
        # Every timeline text cleaned once more here (services/text_input.py), whichever use case wrote it.
        uow.tickets.add_events([replace(event, body=clean_text(event.body)) for event in events])
        if before is not None:
            changes = diff(before, ticket, AUDITED_TICKET_FIELDS) | dict(also_audited or {})
            if changes:
                uow.audit.record(AuditEntry(now, actor.user_id, "ticket", str(ticket.id), "update", changes))
        saved = uow.tickets.save(self.planned(uow, ticket, now))
        self.send_in(uow, saved, mails, actor, now)
        detail = self.detail_in(uow, ticket.id)
        uow.commit()
        return detail

    def send_in(
        self, uow: UnitOfWork, ticket: Ticket, mails: Sequence[MailRequest], actor: Actor, now: datetime
    ) -> None:
        """Queue the mails of a change in its unit of work (nothing without an outbox)."""
        if self.mail is None:
            return
        for request in mails:
            self.mail.enqueue_in(uow, request, ticket=ticket, actor=actor, now=now)

    @staticmethod
    def answered(ticket: Ticket, now: datetime) -> Ticket:
        """The ticket after an agent's word to the customer: the first response of this clock
        (R7), and the latest update (R10)."""
        responded = ticket.first_responded_at
        if responded is None or responded < ticket.clock_start:
            responded = now
        return replace(ticket, first_responded_at=responded, last_agent_update_at=now)

    @staticmethod
    def status_event(
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


def detailed_description(text: str) -> str:
    """R2: a request needs a detailed description; returns it cleaned (see `clean_text`: a lone
    surrogate becomes U+FFFD, NUL and other control characters go) and without surrounding blanks."""
    text = clean_text(text).strip()
    if len(text) < MIN_DESCRIPTION_LENGTH:
        raise UserFacingError(
            _(
                "Describe the problem in detail (at least {n} characters): what happened, when, and what the "
                "machine shows."
            ).format(n=MIN_DESCRIPTION_LENGTH)
        )
    return text


@contextmanager
def as_policy_refusal(tz: ZoneInfo) -> Iterator[None]:
    """The lifecycle's refusals (R4, R12–R14) become messages that name the rule's reason."""
    try:
        yield
    except lifecycle.LifecycleError as exc:
        raise PolicyRefusal(lifecycle_refusal_text(exc, tz)) from exc
