"""One ticket as its page shows it: header, customer, machine, timeline, attachments and visits."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from desktop_app.domain.ids import AttachmentId, CustomerId, MachineId, TicketId, UserId
from desktop_app.domain.model import Channel, EventKind, Severity, TicketStatus, Visit
from desktop_app.domain.sla import SlaState, SlaStatus
from desktop_app.persistence.queries._visits import visits_where
from desktop_app.persistence.tables import (
    AttachmentRecord,
    ResponseTargetRecord,
    TicketEventRecord,
    TicketRecord,
    VisitRecord,
)
from desktop_app.services.dto import AttachmentInfo, TicketDetail, TimelineEntry
from desktop_app.services.ports import AttachmentStore


class SqlTicketDetailQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def detail(self, ticket_id: TicketId, attachment_store: AttachmentStore) -> TicketDetail | None:
        """The ticket's page, timeline newest first; its SLA is left for the service to compute."""
        record = self._session.get(TicketRecord, ticket_id)
        if record is None:
            return None
        events = self._session.scalars(
            select(TicketEventRecord)
            .where(TicketEventRecord.ticket_id == ticket_id)
            .options(selectinload(TicketEventRecord.author))
            .order_by(TicketEventRecord.at.desc(), TicketEventRecord.id.desc())
        )
        attachments = self._session.scalars(
            select(AttachmentRecord).where(AttachmentRecord.ticket_id == ticket_id).order_by(AttachmentRecord.id)
        )
        hours = self._session.scalar(
            select(ResponseTargetRecord.hours).where(
                ResponseTargetRecord.plan_code == record.plan_code,
                ResponseTargetRecord.severity_code == record.severity,
            )
        )
        machine, customer = record.machine, record.customer
        return TicketDetail(
            id=TicketId(record.id),
            number=record.number,
            version=record.version,
            status=TicketStatus(record.status),
            severity=Severity(record.severity),
            channel=Channel(record.channel),
            description=record.description,
            received_at=record.received_at,
            due_at=record.due_at,
            first_responded_at=record.first_responded_at,
            closed_at=record.closed_at,
            reopen_count=record.reopen_count,
            escalation_level=record.escalation_level,
            plan_code=record.plan_code,
            plan_name=record.plan.name,
            response_hours=hours or 0,
            sla=SlaStatus(SlaState.MET, None),  # the service computes it against the calendar
            agent_id=UserId(record.assigned_agent_id) if record.assigned_agent_id else None,
            agent_name=record.agent.full_name if record.agent else "",
            customer_id=CustomerId(customer.id),
            customer_name=customer.name,
            customer_city=customer.city,
            customer_email=customer.email,
            customer_phone=customer.phone,
            customer_paid_up=customer.paid_up,
            customer_trained=customer.trained,
            machine_id=MachineId(machine.id),
            machine_serial=machine.serial,
            model_name=machine.model.name,
            technology=machine.model.technology,
            purchase_date=machine.purchase_date,
            warranty_end=machine.warranty_end,
            unauthorized_intervention=machine.unauthorized_intervention,
            last_preventive_maintenance=machine.last_preventive_maintenance,
            model_end_of_life=machine.model.discontinued_from,
            timeline=tuple(
                TimelineEntry(
                    kind=EventKind(e.kind),
                    at=e.at,
                    author_name=e.author.full_name if e.author else "",
                    body=e.body,
                    data=json.loads(e.data or "{}"),
                )
                for e in events
            ),
            attachments=tuple(
                AttachmentInfo(
                    id=AttachmentId(a.id),
                    filename=a.filename,
                    media_type=a.media_type,
                    size=a.size,
                    added_at=a.added_at,
                    path=attachment_store.path_for(a.sha256),
                )
                for a in attachments
            ),
        )

    def visits(self, ticket_id: TicketId) -> list[tuple[Visit, str]]:
        """The ticket's visits, oldest first, each with its technician's name."""
        return visits_where(self._session, VisitRecord.ticket_id == ticket_id, newest_first=False)
