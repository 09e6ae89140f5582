"""Reading tickets: the queue in policy order (R8) with live countdowns (R7, R9), one ticket in
full, why its due time is what it is, and the lists the ticket views choose from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from desktop_app.domain.explain import Explanation, explain_due
from desktop_app.domain.ids import TicketId, UserId
from desktop_app.domain.model import Notification
from desktop_app.domain.sla import SlaState, TicketSla
from desktop_app.errors import NotFoundError
from desktop_app.i18n import _
from desktop_app.services.dto import AgentInfo, QueueCounts, QueueEntry, QueueFilter, QueuePage, QueueRow, TicketDetail
from desktop_app.services.text_input import clean_search
from desktop_app.services.tickets._core import TicketCore

QUEUE_PAGE_SIZE = 200


@dataclass(frozen=True)
class SlaReport:
    number: str
    sla: TicketSla
    response_time: timedelta
    explanation: Explanation | None
    holiday_names: dict[str, str]  # ISO date -> name, for the days the explanation skips
    policy_version: int | None


class TicketQueries:
    def __init__(self, core: TicketCore) -> None:
        self._core = core

    def change_marker(self) -> int:
        """A number that grows whenever anyone changes anything (the audit log's last entry):
        the window polls it to refresh what others changed."""
        with self._core.uow_factory() as uow:
            return uow.audit.last_id()

    def plans(self) -> list[tuple[str, str]]:
        """(code, name) of every plan, in category order."""
        return [(plan.code, plan.name) for plan in sorted(self._core.policy.policy().plans, key=lambda p: p.rank)]

    def list_queue(self, flt: QueueFilter, offset: int = 0, limit: int = QUEUE_PAGE_SIZE) -> QueuePage:
        """One page of the queue in policy order (R8), with the total for the filter."""
        flt = replace(flt, text=clean_search(flt.text))
        with self._core.uow_factory() as uow:
            entries = uow.queries.queue.page(flt, offset, limit)
            total = uow.queries.queue.count(flt) if offset == 0 else None
        return QueuePage(self._rows(entries, self._core.now()), total, offset)

    def needing_attention(self, user_id: UserId, limit: int = 500) -> tuple[QueueRow, ...]:
        """The user's open tickets that are about to breach or already overdue, most urgent first
        (the window warns the person responsible before the promise is missed)."""
        with self._core.uow_factory() as uow:  # the page only: this runs every minute and needs no total
            entries = uow.queries.queue.page(QueueFilter(agent_id=user_id), 0, limit)
        rows = self._rows(entries, self._core.now())
        urgent = [row for row in rows if row.sla.state in (SlaState.AT_RISK, SlaState.BREACHED)]
        return tuple(sorted(urgent, key=lambda row: row.entry.due_at or row.entry.received_at))

    def refresh_sla(self, rows: Iterable[QueueRow]) -> tuple[QueueRow, ...]:
        """The same rows with their SLA state recomputed for now (the live countdown)."""
        return self._rows((row.entry for row in rows), self._core.now())

    def counts(self) -> QueueCounts:
        with self._core.uow_factory() as uow:
            return uow.queries.queue.counts(self._core.now())

    def get_ticket(self, ticket_id: TicketId) -> TicketDetail:
        return self._core.detail(ticket_id)

    def find_ticket_id(self, number: str) -> TicketId:
        page = self.list_queue(QueueFilter(text=number.strip(), open_only=False), 0, 5)
        for row in page.rows:
            if row.entry.number.upper() == number.strip().upper():
                return row.entry.id
        raise NotFoundError(_("There is no ticket {number}.").format(number=number.strip()))

    def agents(self) -> list[AgentInfo]:
        with self._core.uow_factory() as uow:
            return uow.queries.directory.agents()

    def cities(self) -> list[str]:
        with self._core.uow_factory() as uow:
            return uow.queries.directory.cities()

    def sla_report(self, ticket_id: TicketId) -> SlaReport:
        """The ticket's SLA and "why this due time" (R7, R9)."""
        core = self._core
        now = core.now()
        with core.uow_factory() as uow:
            ticket = core.load(uow, ticket_id)
            sla, response = core.ticket_sla(uow, ticket, now)
        explanation = None
        calendar = core.policy.calendar()
        if sla.due_at is not None:
            explanation = explain_due(calendar, sla.target_started_at, sla.due_at, response, sla.pauses, now=now)
        names: dict[str, str] = {}
        for step in explanation.steps if explanation else ():
            if step.kind.value == "holiday":
                names[step.day.isoformat()] = core.policy.holiday_name(step.day) or _("Closure day")
        return SlaReport(ticket.number, sla, response, explanation, names, ticket.policy_version)

    def notifications(self, user_id: UserId) -> list[Notification]:
        with self._core.uow_factory() as uow:
            return [notice for notice, _number in uow.queries.notices.inbox(user_id, unread_only=True)]

    def _rows(self, entries: Iterable[QueueEntry], now: datetime) -> tuple[QueueRow, ...]:
        return tuple(QueueRow(e, self._core.sla(e.status, e.due_at, e.response_hours, now)) for e in entries)
