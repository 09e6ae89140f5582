"""What a billing statement counts (R17): advisory minutes and visits on a contract's machines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.domain.billing import TimeEntry, VisitEntry
from desktop_app.domain.ids import MachineId, PlanCode
from desktop_app.domain.model import EventKind
from desktop_app.persistence.tables import MachineRecord, TicketEventRecord, TicketRecord, VisitRecord


class SqlBillingQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def advisory_time(self, machine_ids: Sequence[MachineId], start: datetime, end: datetime) -> list[TimeEntry]:
        """The minutes recorded with comments on these machines' tickets in [start, end)."""
        if not machine_ids:
            return []
        rows = self._session.execute(
            select(
                TicketEventRecord.at,
                TicketRecord.number,
                TicketEventRecord.data,
                TicketRecord.machine_id,
                TicketRecord.plan_code,
            )
            .join(TicketRecord, TicketEventRecord.ticket_id == TicketRecord.id)
            .where(
                TicketRecord.machine_id.in_(list(machine_ids)),
                TicketEventRecord.kind == EventKind.COMMENT.value,
                TicketEventRecord.at >= start,
                TicketEventRecord.at < end,
                TicketEventRecord.data.like('%"minutes"%'),
            )
            .order_by(TicketEventRecord.at)
        )
        entries = []
        for at, number, data, machine_id, plan_code in rows:
            minutes = int(json.loads(data or "{}").get("minutes", 0))
            if minutes:
                entries.append(TimeEntry(at, number, minutes, MachineId(machine_id), PlanCode(plan_code)))
        return entries

    def visits(self, machine_ids: Sequence[MachineId], start: datetime, end: datetime) -> list[VisitEntry]:
        """The visits to these machines that started in [start, end), oldest first."""
        if not machine_ids:
            return []
        rows = self._session.execute(
            select(VisitRecord, TicketRecord.number, MachineRecord.serial)
            .join(MachineRecord, VisitRecord.machine_id == MachineRecord.id)
            .outerjoin(TicketRecord, VisitRecord.ticket_id == TicketRecord.id)
            .where(
                VisitRecord.machine_id.in_(list(machine_ids)),
                VisitRecord.started_at >= start,
                VisitRecord.started_at < end,
            )
            .order_by(VisitRecord.started_at, VisitRecord.id)
        )
        return [
            VisitEntry(
                v.started_at,
                v.ended_at,
                number or "",
                serial,
                v.maintenance,
                v.travel_expenses,
                MachineId(v.machine_id),
            )
            for v, number, serial in rows
        ]
