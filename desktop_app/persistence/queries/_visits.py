"""Visits with their technician's name, as the ticket and machine pages list them."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from desktop_app.domain.ids import MachineId, TicketId, UserId, VisitId
from desktop_app.domain.model import Visit
from desktop_app.persistence.tables import UserRecord, VisitRecord


def visits_where(session: Session, condition: ColumnElement[bool], *, newest_first: bool) -> list[tuple[Visit, str]]:
    """The visits meeting `condition`, each with its technician's name."""
    order = (
        [VisitRecord.started_at.desc(), VisitRecord.id.desc()]
        if newest_first
        else [VisitRecord.started_at, VisitRecord.id]
    )
    rows = session.execute(
        select(VisitRecord, UserRecord.full_name)
        .join(UserRecord, VisitRecord.technician_id == UserRecord.id)
        .where(condition)
        .order_by(*order)
    )
    return [
        (
            Visit(
                TicketId(r.ticket_id) if r.ticket_id is not None else None,
                MachineId(r.machine_id),
                UserId(r.technician_id),
                r.city,
                r.started_at,
                r.ended_at,
                r.work_done,
                r.parts,
                r.travel_expenses,
                r.maintenance,
                VisitId(r.id),
            ),
            name,
        )
        for r, name in rows
    ]
