"""Ticket use cases: the queue in policy order with SLA state, one ticket in full."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from desktop_app.domain.ids import TicketId
from desktop_app.domain.model import TicketStatus
from desktop_app.domain.sla import SlaStatus, sla_status
from desktop_app.errors import NotFoundError
from desktop_app.i18n import _
from desktop_app.services.dto import (
    AgentInfo,
    QueueCounts,
    QueueEntry,
    QueueFilter,
    QueuePage,
    QueueRow,
    TicketDetail,
)
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import AttachmentStore, Clock, UnitOfWorkFactory

QUEUE_PAGE_SIZE = 200


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

    def now(self) -> datetime:
        return self._clock.now()

    def timezone(self) -> ZoneInfo:
        """Where times are shown: the policy's time zone (America/Bogota)."""
        return self._policy.calendar().tz

    def plans(self) -> list[tuple[str, str]]:
        """(code, name) of every plan, in category order."""
        return [(plan.code, plan.name) for plan in sorted(self._policy.policy().plans, key=lambda p: p.rank)]

    def _sla(
        self, status: TicketStatus, due_at: datetime | None, response_hours: int, now: datetime
    ) -> SlaStatus:
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
            raise NotFoundError(
                _("Ticket {id} does not exist (it may have been deleted).").format(id=ticket_id)
            )
        return replace(detail, sla=self._sla(detail.status, detail.due_at, detail.response_hours, self.now()))

    def agents(self) -> list[AgentInfo]:
        with self._uow_factory() as uow:
            return uow.catalog.agents()

    def cities(self) -> list[str]:
        with self._uow_factory() as uow:
            return uow.catalog.cities()
