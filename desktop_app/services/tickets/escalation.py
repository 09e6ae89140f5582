"""Escalation (R11): by hand to the next level, and the round that escalates every open ticket
whose working time passed a level's threshold. Each escalation is on the timeline with who, why
and when, is audited, and notifies the people of the level it reached."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.escalation import EscalationDecision, EscalationReason, due_escalations, next_level
from desktop_app.domain.ids import TicketId, UserId
from desktop_app.domain.mail_templates import TemplateCode
from desktop_app.domain.model import EventKind, NoticeKind, Notification, Role, Ticket, TicketEvent, TicketStatus, User
from desktop_app.domain.permissions import SYSTEM, Actor, Permission, allows
from desktop_app.errors import ConflictError, PermissionDeniedError, PolicyRefusal
from desktop_app.i18n import _
from desktop_app.services.dto import TicketDetail
from desktop_app.services.mail_dto import MailRequest
from desktop_app.services.mail_facts import escalation_reason_text
from desktop_app.services.ports import UnitOfWork
from desktop_app.services.text_input import clean_text
from desktop_app.services.tickets._core import TicketCore


@dataclass(frozen=True)
class EscalationNotice:
    ticket_id: TicketId
    number: str
    from_level: int
    decision: EscalationDecision


class Escalation:
    def __init__(self, core: TicketCore) -> None:
        self._core = core

    def escalate(
        self,
        ticket_id: TicketId,
        *,
        actor: Actor,
        note: str = "",
        expected_version: int | None = None,
    ) -> TicketDetail:
        """An agent escalates by hand to the next level (R11)."""
        note = clean_text(note)  # services/text_input.py: cleaned before the blanks at the ends go
        core = self._core
        now = core.now()
        with core.uow_factory() as uow:
            ticket = core.load(uow, ticket_id, expected_version, actor=actor, permission=Permission.ESCALATE)
            decision = next_level(
                core.policy.policy().escalation_levels, ticket.escalation_level, EscalationReason.MANUAL
            )
            if decision is None:
                raise PolicyRefusal(_("The ticket is already at the highest escalation level."))
            events: list[TicketEvent] = []
            mails: list[MailRequest] = []
            ticket = apply_escalation(uow, ticket, decision, now, actor.user_id, events, note, mails=mails)
            return core.commit(uow, ticket, events, now, actor, mails=mails)

    def levels_of(self, actor: Actor) -> frozenset[int]:
        """The escalation levels above the first whose people include this person (those a
        level's notices go to): a ticket at one of them was escalated to them. Empty for most
        agents, and for the desk itself."""
        if actor.user_id is None:
            return frozenset()
        core = self._core
        levels = core.policy.policy().escalation_levels
        with core.uow_factory() as uow:
            return frozenset(
                level.level
                for level in levels
                if level.level > 1
                and any(user.id == actor.user_id for user in level_people(uow, level.notify_username))
            )

    def level_title(self, level: int) -> str:
        """What the policy calls an escalation level ("Coordinador de soporte"); "" for a level it
        no longer has."""
        for rung in self._core.policy.policy().escalation_levels:
            if rung.level == level:
                return rung.title
        return ""

    def check_escalations(self, *, actor: Actor = SYSTEM, dry_run: bool = False) -> list[EscalationNotice]:
        """Every open ticket whose elapsed working time passed a level's threshold, escalated now
        (or only listed, with dry_run). The worker and open windows run this every minute."""
        if not allows(actor, Permission.ESCALATE):
            raise PermissionDeniedError(_("Your role does not allow this action."))
        core = self._core
        now = core.now()
        levels = core.policy.policy().escalation_levels
        top = max((level.level for level in levels), default=1)
        # A level reached at a threshold of 1 or more is only reached once the promise is missed:
        # then only overdue tickets need the (costly) SLA replay, not every open ticket.
        early = any(0 < level.threshold < 1 for level in levels)
        with core.uow_factory() as uow:
            candidates = uow.tickets.escalation_candidates(now, top, overdue_only=not early)
        notices: list[EscalationNotice] = []
        for ticket_id in candidates:
            # One transaction per ticket: when another workstation escalated the same ticket a
            # moment ago, only that ticket is skipped (its version moved), not the whole round.
            try:
                notices += self._escalate_if_due(ticket_id, now, actor, dry_run=dry_run)
            except ConflictError:
                continue
        return notices

    def _escalate_if_due(
        self, ticket_id: TicketId, now: datetime, actor: Actor, *, dry_run: bool
    ) -> list[EscalationNotice]:
        core = self._core
        policy = core.policy.policy()
        with core.uow_factory() as uow:
            ticket = core.load(uow, ticket_id)
            if ticket.status is TicketStatus.WAITING_CUSTOMER:
                return []
            sla, response = core.ticket_sla(uow, ticket, now)
            decisions = due_escalations(policy.escalation_levels, ticket.escalation_level, sla.elapsed, response)
            from_level = ticket.escalation_level
            notices = [EscalationNotice(ticket_id, ticket.number, from_level, d) for d in decisions]
            if not decisions or dry_run:
                return notices
            events: list[TicketEvent] = []
            mails: list[MailRequest] = []
            for decision in decisions:
                # The person who ran the round (`makersupport escalate --user …`); None for the desk's own round.
                ticket = apply_escalation(uow, ticket, decision, now, actor.user_id, events, mails=mails)
            uow.tickets.add_events(events)
            changes = {"escalation_level": (str(from_level), str(ticket.escalation_level))}
            uow.audit.record(AuditEntry(now, None, "ticket", str(ticket_id), "escalate", changes))
            saved = uow.tickets.save(ticket)
            core.send_in(uow, saved, mails, actor, now)  # R11: the next level is told by mail too
            uow.commit()
        return notices


def level_people(uow: UnitOfWork, username: str) -> list[User]:
    """Who a level's notices go to: its named person, else (none named, or an installation
    without that user) the support coordinators."""
    if username:
        user = uow.catalog.user_by_username(username)
        if user is not None:
            return [user]
    return uow.catalog.users_with_role(Role.COORDINATOR)


def apply_escalation(
    uow: UnitOfWork,
    ticket: Ticket,
    decision: EscalationDecision,
    now: datetime,
    author_id: UserId | None,
    events: list[TicketEvent],
    note: str = "",
    *,
    mails: list[MailRequest] | None = None,
) -> Ticket:
    """The ticket at its new level, with the timeline event appended to `events` and the people
    of that level notified (the named user of the level, else the coordinators): in their inbox,
    and by mail (the escalation notice appended to `mails`, to those active with an address)."""
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
    data = (
        ("from", str(ticket.escalation_level)),
        ("level", str(decision.to_level)),
        ("reason", decision.reason.value),
        ("title", decision.title),
    )
    people = level_people(uow, decision.notify_username)
    for user in people:
        assert user.id is not None
        uow.notices.add(Notification(user.id, ticket.id, NoticeKind.ESCALATION, now, data))
    if mails is not None:
        addresses = tuple(user.email for user in people if user.active and user.email.strip())
        level = f"{decision.to_level} ({decision.title})" if decision.title else str(decision.to_level)
        facts = {"level": level, "reason": escalation_reason_text(decision.reason.value)}
        mails.append(MailRequest(TemplateCode.ESCALATION, facts, automatic=True, to=addresses))
    return replace(ticket, escalation_level=decision.to_level)
