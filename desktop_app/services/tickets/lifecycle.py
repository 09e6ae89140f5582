"""A ticket's way through its states: waiting on the customer and back (R9), the three contact
attempts (R12), closing with a solution (R13) or without response (R12), out of scope (R4), and
reopening with a new clock (R14). The domain's lifecycle decides; this module writes the outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from desktop_app.domain import lifecycle
from desktop_app.domain.assignment import may_take
from desktop_app.domain.ids import TicketId, UserId
from desktop_app.domain.mail_templates import TemplateCode
from desktop_app.domain.model import EventKind, Ticket, TicketEvent, TicketStatus
from desktop_app.domain.permissions import Actor, Permission, allows, may_work_on
from desktop_app.errors import PolicyRefusal, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.dto import TicketDetail
from desktop_app.services.mail_dto import MailRequest
from desktop_app.services.mail_ports import MailFile
from desktop_app.services.ports import UnitOfWork
from desktop_app.services.text_input import clean_text
from desktop_app.services.tickets._core import TicketCore, as_policy_refusal
from desktop_app.wording import closing_for_refusal_text


@dataclass(frozen=True)
class OfferedActions:
    """What the ticket page offers from the ticket's status: the lifecycle's own rules, asked of
    the service, so a button is enabled exactly when its action would be accepted."""

    wait: bool
    resume: bool
    contact_attempt: bool
    escalate: bool
    close_solved: bool
    close_no_response: bool
    out_of_scope: bool
    reopen: bool
    visit: bool
    attach: bool
    # R1: whether the person may make themselves responsible (an unassigned ticket in their scope,
    # or any ticket for a coordinator) and whether they may give it to someone else.
    take: bool
    assign_others: bool


def offered_actions(detail: TicketDetail, actor: Actor) -> OfferedActions:
    """What the lifecycle allows from the ticket's status, for a person allowed to act on this
    ticket (their role, and their own tickets or their city's: the check every change makes)."""
    status = detail.status

    def may(permission: Permission) -> bool:
        return allows(actor, permission) and may_work_on(actor, detail.agent_id, detail.customer_city)

    work = may(Permission.WORK_TICKET)
    return OfferedActions(
        wait=work and lifecycle.can_transition(status, TicketStatus.WAITING_CUSTOMER),
        resume=work and status is TicketStatus.WAITING_CUSTOMER,
        contact_attempt=work and lifecycle.accepts_contact_attempts(status),
        escalate=may(Permission.ESCALATE) and status.is_open,
        close_solved=work and lifecycle.can_transition(status, TicketStatus.CLOSED),
        close_no_response=work and lifecycle.can_transition(status, TicketStatus.CLOSED_NO_RESPONSE),
        out_of_scope=work and lifecycle.can_transition(status, TicketStatus.OUT_OF_SCOPE),
        reopen=work and status in lifecycle.CLOSED_STATUSES,
        visit=may(Permission.RECORD_VISITS) and status is not TicketStatus.OUT_OF_SCOPE,
        attach=work and status.is_open,
        take=work and detail.agent_id != actor.user_id and may_take(actor, detail.agent_id),
        assign_others=work and may(Permission.ASSIGN_ANY),
    )


def reopened(core: TicketCore, ticket: Ticket, now: datetime, author_id: UserId | None) -> tuple[Ticket, TicketEvent]:
    """R14: the closed ticket reopened at `now` (history kept, a new response clock, level 1) and
    the status event saying so; refused with a PolicyRefusal when the ticket is not closed. Shared
    by the reopen button and a customer's reply by mail (services/mail/inbound.py)."""
    with as_policy_refusal(core.timezone()):
        lifecycle.check_reopen(ticket.status)
    event = core.status_event(ticket, TicketStatus.IN_PROGRESS, now, author_id, reason="reopened")
    ticket = replace(
        ticket,
        status=TicketStatus.IN_PROGRESS,
        reopen_count=ticket.reopen_count + 1,
        clock_started_at=now,
        closed_at=None,
        escalation_level=1,
    )
    return ticket, event


# R13: which mail each way of closing sends, and the fact its text fills ("" none).
CLOSING_TEMPLATES: dict[TicketStatus, tuple[TemplateCode, str]] = {
    TicketStatus.CLOSED: (TemplateCode.CLOSING_SOLVED, "solution"),
    TicketStatus.CLOSED_NO_RESPONSE: (TemplateCode.CLOSING_NO_RESPONSE, ""),
    TicketStatus.OUT_OF_SCOPE: (TemplateCode.CLOSING_OUT_OF_SCOPE, "reason"),
}


class TicketLifecycle:
    def __init__(self, core: TicketCore) -> None:
        self._core = core

    def request_information(
        self,
        ticket_id: TicketId,
        body: str,
        *,
        actor: Actor,
        attachments: tuple[MailFile, ...] = (),
        expected_version: int | None = None,
    ) -> TicketDetail:
        """R9: ask the customer for what is missing (TeamViewer access, files, images…) by mail; the
        ticket waits on the customer, its clock stopped, until they answer. The request is the
        agent's response (R7) or update (R10), like any word to the customer."""
        body = clean_text(body).strip()
        if not body:
            raise UserFacingError(_("Write what the customer should send."))
        core = self._core
        now = core.now()
        with core.uow_factory() as uow:
            ticket = core.load(uow, ticket_id, expected_version, actor=actor)
            if not ticket.status.is_open:
                raise PolicyRefusal(_("Reopen the ticket before writing to the customer about it."))
            events = [TicketEvent(ticket_id, EventKind.COMMENT, now, actor.user_id, body, (("to_customer", "yes"),))]
            ticket = core.answered(ticket, now)
            if ticket.status is not TicketStatus.WAITING_CUSTOMER:
                with as_policy_refusal(core.timezone()):
                    lifecycle.check_transition(ticket.status, TicketStatus.WAITING_CUSTOMER)
                events.append(
                    core.status_event(
                        ticket, TicketStatus.WAITING_CUSTOMER, now, actor.user_id, reason="info_requested"
                    )
                )
                ticket = replace(ticket, status=TicketStatus.WAITING_CUSTOMER)
            mail = MailRequest(TemplateCode.INFO_REQUEST, {"message": body}, attachments)
            return core.commit(uow, ticket, events, now, actor, mails=[mail])

    def set_waiting(
        self, ticket_id: TicketId, *, actor: Actor, reason: str, expected_version: int | None = None
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
        note = clean_text(note)
        core = self._core
        now = core.now()
        wait = core.policy.policy().wait_after_third_attempt_days if wait_days is None else wait_days
        with as_policy_refusal(core.timezone()):
            lifecycle.check_stated_wait(wait)
        with core.uow_factory() as uow:
            ticket = core.load(uow, ticket_id, expected_version, actor=actor)
            attempts = uow.tickets.contact_attempts(ticket_id, self._waiting_since(uow, ticket))
            with as_policy_refusal(core.timezone()):
                number = lifecycle.next_attempt_number(core.policy.calendar(), ticket.status, attempts, now)
            event = TicketEvent(
                ticket_id,
                EventKind.CONTACT_ATTEMPT,
                now,
                actor.user_id,
                note.strip(),
                (("attempt", str(number)), ("method", method), ("wait_days", str(wait))),
            )
            mails = []
            if method == "email":
                # R12: the attempt is the mail itself, and it states the wait before closing.
                facts = {"message": note.strip(), "attempt": str(number), "wait_days": str(wait)}
                mails.append(MailRequest(TemplateCode.CONTACT_ATTEMPT, facts))
            return core.commit(uow, ticket, [event], now, actor, mails=mails)

    def close_solved(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        solution: str,
        closing_for_reason: str = "",
        expected_version: int | None = None,
    ) -> TicketDetail:
        """R13: the assigned agent closes with the solution given; the closing e-mail goes to the
        customer. Anyone else closes for them with `closing_for_reason`."""
        solution = clean_text(solution)
        if not solution.strip():
            raise UserFacingError(_("Write the solution given to the customer before closing."))
        return self._close(
            ticket_id, TicketStatus.CLOSED, actor, solution.strip(), closing_for_reason, expected_version
        )

    def close_no_response(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        closing_for_reason: str = "",
        expected_version: int | None = None,
    ) -> TicketDetail:
        """R12: only after the third attempt and the wait stated in it (R13: by the assigned agent,
        or for them with `closing_for_reason`)."""

        def attempts_done(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
            attempts = uow.tickets.contact_attempts(ticket_id, self._waiting_since(uow, ticket))
            lifecycle.check_close_no_response(self._core.policy.calendar(), ticket.status, attempts, now)

        return self._close(
            ticket_id,
            TicketStatus.CLOSED_NO_RESPONSE,
            actor,
            "",
            closing_for_reason,
            expected_version,
            attempts_done,
        )

    def mark_out_of_scope(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        reason: str,
        closing_for_reason: str = "",
        expected_version: int | None = None,
    ) -> TicketDetail:
        """R4: not a problem of the use and operation of makeR products; closes with the reason
        (R13: by the assigned agent, or for them with `closing_for_reason`)."""
        reason = clean_text(reason)
        if not reason.strip():
            raise UserFacingError(_("Say why the request is out of scope."))
        return self._close(
            ticket_id, TicketStatus.OUT_OF_SCOPE, actor, reason.strip(), closing_for_reason, expected_version
        )

    def reopen(
        self, ticket_id: TicketId, *, actor: Actor, note: str = "", expected_version: int | None = None
    ) -> TicketDetail:
        """R14: the history stays; a new response clock starts now, at level 1."""
        note = clean_text(note)
        core = self._core
        now = core.now()
        with core.uow_factory() as uow:
            ticket = core.load(uow, ticket_id, expected_version, actor=actor)
            events = []
            if note.strip():
                events.append(TicketEvent(ticket_id, EventKind.EMAIL_RECEIVED, now, None, note.strip()))
            ticket, reopening = reopened(core, ticket, now, actor.user_id)
            return core.commit(uow, ticket, [*events, reopening], now, actor)

    # -- internals ---------------------------------------------------------------------------------

    def _change_status(
        self, ticket_id: TicketId, target: TicketStatus, actor: Actor, note: str, expected_version: int | None
    ) -> TicketDetail:
        note = clean_text(note)
        core = self._core
        now = core.now()
        with core.uow_factory() as uow:
            ticket = core.load(uow, ticket_id, expected_version, actor=actor)
            with as_policy_refusal(core.timezone()):
                lifecycle.check_transition(ticket.status, target)
            event = core.status_event(ticket, target, now, actor.user_id)
            events = [replace(event, body=note.strip())]
            return core.commit(uow, replace(ticket, status=target), events, now, actor)

    def _close(
        self,
        ticket_id: TicketId,
        target: TicketStatus,
        actor: Actor,
        text: str,
        closing_for_reason: str,
        expected_version: int | None,
        precondition: Callable[[UnitOfWork, Ticket, datetime], None] | None = None,
    ) -> TicketDetail:
        """Close in one unit of work; precondition (a lifecycle check) runs on the ticket as loaded
        there, so nothing can change between the check and the close. Someone other than the
        assigned agent closes for them, with a reason on the timeline and in the audit (R13)."""
        closing_for_reason = clean_text(closing_for_reason)
        core = self._core
        now = core.now()
        with core.uow_factory() as uow:
            ticket = core.load(uow, ticket_id, expected_version, actor=actor)
            with as_policy_refusal(core.timezone()):
                if precondition is not None:
                    precondition(uow, ticket, now)
                lifecycle.check_transition(ticket.status, target)
            closing = core.status_event(ticket, target, now, actor.user_id)
            also_audited: dict[str, tuple[str, str]] = {}
            if lifecycle.closes_for_someone_else(actor.user_id, ticket.assigned_agent_id):
                agent = next((a for a in uow.queries.directory.agents() if a.id == ticket.assigned_agent_id), None)
                agent_name = agent.full_name if agent else str(ticket.assigned_agent_id)
                if not closing_for_reason.strip():
                    raise PolicyRefusal(closing_for_refusal_text(agent_name))
                named = (("closing_for", str(ticket.assigned_agent_id)), ("closing_for_name", agent_name))
                closing = replace(closing, body=closing_for_reason.strip(), data=tuple(sorted(closing.data + named)))
                also_audited = {"closing_for": ("", agent_name), "closing_reason": ("", closing_for_reason.strip())}
            events = []
            if text:
                events.append(TicketEvent(ticket_id, EventKind.COMMENT, now, actor.user_id, text))
            events.append(closing)
            closed = replace(ticket, status=target, closed_at=now)
            # R13: the customer receives the closing mail (R14: replying to it reopens).
            template, fact = CLOSING_TEMPLATES[target]
            mail = MailRequest(template, {fact: text} if fact else {})
            return core.commit(uow, closed, events, now, actor, also_audited=also_audited, mails=[mail])

    @staticmethod
    def closing_for(detail: TicketDetail, actor: Actor) -> str:
        """R13: the assigned agent's name when `actor` would close somebody else's ticket (and so
        must say why), else empty: the close dialogs ask for the reason only then."""
        return detail.agent_name if lifecycle.closes_for_someone_else(actor.user_id, detail.agent_id) else ""

    def _waiting_since(self, uow: UnitOfWork, ticket: Ticket) -> datetime:
        """Contact attempts count from the latest time the ticket started waiting on the customer."""
        assert ticket.id is not None
        return lifecycle.waiting_since(uow.tickets.status_changes(ticket.id), ticket.clock_start)
