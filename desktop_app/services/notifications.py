"""Each person's inbox ("Avisos"): the notices the ticket use cases write (escalated to my level,
assigned to me, a long maintenance for the coordinators…) and the ones the reminder round finds
(a contact attempt due today, a ticket that may close without response, a breach coming), read
and marked read only by their own person."""

from __future__ import annotations

from datetime import datetime

from desktop_app.domain import lifecycle
from desktop_app.domain.ids import PlanCode
from desktop_app.domain.model import NoticeKind, Notification, Severity, TicketStatus
from desktop_app.domain.permissions import Actor
from desktop_app.domain.sla import SlaState, sla_status
from desktop_app.services.dto import NoticeView, ReminderCandidate
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from desktop_app.wording import notice_text

INBOX_SIZE = 200


class NotificationService:
    def __init__(self, uow_factory: UnitOfWorkFactory, policy: PolicyService, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._policy = policy
        self._clock = clock

    # -- the inbox ---------------------------------------------------------------------------------

    def inbox(self, actor: Actor, limit: int = INBOX_SIZE) -> list[NoticeView]:
        """The signed-in person's notices, newest first, worded in the interface language."""
        if actor.user_id is None:
            return []
        tz = self._policy.calendar().tz
        with self._uow_factory() as uow:
            rows = uow.queries.notices.inbox(actor.user_id, limit=limit)
        views = []
        for notice, number in rows:
            assert notice.id is not None, "a stored notice"
            text = notice_text(notice.kind, number, dict(notice.data), tz)
            views.append(
                NoticeView(
                    notice.id,
                    notice.kind,
                    notice.ticket_id,
                    number,
                    text,
                    notice.created_at,
                    notice.read_at is not None,
                )
            )
        return views

    def unread_count(self, actor: Actor) -> int:
        if actor.user_id is None:
            return 0
        with self._uow_factory() as uow:
            return uow.queries.notices.unread_count(actor.user_id)

    def mark_read(self, actor: Actor, notice_id: int) -> None:
        """Only the person's own notice: someone else's id changes nothing."""
        if actor.user_id is None:
            return
        with self._uow_factory() as uow:
            uow.notices.mark_read(actor.user_id, [notice_id], self._clock.now())
            uow.commit()

    def mark_all_read(self, actor: Actor) -> int:
        if actor.user_id is None:
            return 0
        with self._uow_factory() as uow:
            changed = uow.notices.mark_read(actor.user_id, None, self._clock.now())
            uow.commit()
        return changed

    # -- the reminder round (a periodic job) ---------------------------------------------------------

    def remind(self) -> int:
        """Tell each agent what their open tickets need now: a contact attempt due today and a
        ticket that may close without response (R12), a response about to be due (R7, R10).
        Each reminder is given once (per day, per due time), so the round may run as often as
        wanted, in several places. Returns how many notices were written."""
        now = self._clock.now()
        written = 0
        with self._uow_factory() as uow:
            for candidate in uow.queries.notices.reminder_candidates():
                notice = self._reminder(uow, candidate, now)
                if notice is not None and uow.notices.add(notice):
                    written += 1
            uow.commit()
        return written

    def _reminder(self, uow: UnitOfWork, c: ReminderCandidate, now: datetime) -> Notification | None:
        calendar = self._policy.calendar()
        if c.status is TicketStatus.WAITING_CUSTOMER:
            since = lifecycle.waiting_since(uow.tickets.status_changes(c.ticket_id), c.clock_start)
            attempts = uow.tickets.contact_attempts(c.ticket_id, since)
            allowed = lifecycle.may_close_without_response(calendar, c.status, attempts, now)
            if allowed is not None:
                return Notification(c.agent_id, c.ticket_id, NoticeKind.MAY_CLOSE, now, key=allowed.isoformat())
            number = lifecycle.attempt_due(calendar, c.status, attempts, now)
            if number is None:
                return None
            today = now.astimezone(calendar.tz).date().isoformat()
            data = (("attempt", str(number)),)
            return Notification(c.agent_id, c.ticket_id, NoticeKind.ATTEMPT_DUE, now, data, key=today)
        if c.due_at is None:
            return None
        policy = self._policy.policy()
        response = policy.response_time(PlanCode(c.plan_code), Severity(c.severity))
        state = sla_status(
            calendar,
            due_at=c.due_at,
            response_time=response,
            now=now,
            at_risk_fraction=policy.at_risk_fraction,
        ).state
        if state is not SlaState.AT_RISK:
            return None
        due = c.due_at.isoformat()
        return Notification(c.agent_id, c.ticket_id, NoticeKind.BREACH_COMING, now, (("due", due),), key=due)
