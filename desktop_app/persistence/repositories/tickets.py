"""Tickets: the row, its timeline events, attachments and visits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop_app.domain.ids import AttachmentId, CustomerId, MachineId, PlanCode, TicketId, UserId, VisitId
from desktop_app.domain.lifecycle import ContactAttempt
from desktop_app.domain.model import (
    Attachment,
    Channel,
    EventKind,
    Severity,
    Ticket,
    TicketEvent,
    TicketStatus,
    Visit,
)
from desktop_app.domain.search import search_document
from desktop_app.domain.sla import StatusChange
from desktop_app.errors import ConflictError, NotFoundError
from desktop_app.i18n import _
from desktop_app.persistence._common import OPEN_CODES, next_in_year
from desktop_app.persistence.field.store import next_provisional_number
from desktop_app.persistence.tables import (
    AttachmentRecord,
    CustomerRecord,
    MachineRecord,
    PlanRecord,
    SeverityRecord,
    TicketCounterRecord,
    TicketEventRecord,
    TicketRecord,
    VisitRecord,
)


def _ticket(r: TicketRecord) -> Ticket:
    return Ticket(
        number=r.number,
        machine_id=MachineId(r.machine_id),
        customer_id=CustomerId(r.customer_id),
        plan_code=PlanCode(r.plan_code),
        severity=Severity(r.severity),
        channel=Channel(r.channel),
        description=r.description,
        status=TicketStatus(r.status),
        received_at=r.received_at,
        assigned_agent_id=UserId(r.assigned_agent_id) if r.assigned_agent_id else None,
        first_response_due_at=r.first_response_due_at,
        first_responded_at=r.first_responded_at,
        closed_at=r.closed_at,
        reopen_count=r.reopen_count,
        escalation_level=r.escalation_level,
        clock_started_at=r.clock_started_at,
        last_agent_update_at=r.last_agent_update_at,
        due_at=r.due_at,
        policy_version=r.policy_version_id,
        contact_email=r.contact_email,
        version=r.version,
        id=TicketId(r.id),
    )


class SqlTicketRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # -- the ticket row --------------------------------------------------------------------------

    def next_number(self, year: int) -> str:
        # A field copy numbers provisionally: only the office hands out real numbers (issue 16).
        provisional = next_provisional_number(self._session)
        if provisional is not None:
            return provisional
        return f"SOP-{year}-{next_in_year(self._session, TicketCounterRecord, year):05d}"

    def _ranks(self, plan_code: str, severity: str) -> tuple[int, int]:
        plan_rank = self._session.scalar(select(PlanRecord.rank).where(PlanRecord.code == plan_code))
        severity_rank = self._session.scalar(select(SeverityRecord.rank).where(SeverityRecord.code == severity))
        if plan_rank is None or severity_rank is None:
            raise ValueError(f"unknown plan {plan_code!r} or severity {severity!r}")
        return plan_rank, severity_rank

    def _search_text(self, ticket: Ticket) -> str:
        customer = self._session.get(CustomerRecord, ticket.customer_id)
        machine = self._session.get(MachineRecord, ticket.machine_id)
        return search_document(
            ticket.number,
            customer.name if customer else "",
            machine.serial if machine else "",
            ticket.description,
        )

    def add(self, ticket: Ticket) -> Ticket:
        """Insert the ticket; returns it with its id and row version, without reading it back."""
        plan_rank, severity_rank = self._ranks(ticket.plan_code, ticket.severity.value)
        record = TicketRecord(
            number=ticket.number,
            machine_id=ticket.machine_id,
            customer_id=ticket.customer_id,
            plan_code=ticket.plan_code,
            severity=ticket.severity.value,
            channel=ticket.channel.value,
            description=ticket.description,
            status=ticket.status.value,
            assigned_agent_id=ticket.assigned_agent_id,
            received_at=ticket.received_at,
            first_response_due_at=ticket.first_response_due_at,
            first_responded_at=ticket.first_responded_at,
            closed_at=ticket.closed_at,
            reopen_count=ticket.reopen_count,
            escalation_level=ticket.escalation_level,
            plan_rank=plan_rank,
            severity_rank=severity_rank,
            search_text=self._search_text(ticket),
            clock_started_at=ticket.clock_start,
            last_agent_update_at=ticket.last_agent_update_at,
            due_at=ticket.due_at,
            policy_version_id=ticket.policy_version,
            contact_email=ticket.contact_email,
        )
        self._session.add(record)
        self._session.flush()
        return Ticket(**{**ticket.__dict__, "id": TicketId(record.id), "version": record.version})

    def get(self, ticket_id: TicketId) -> Ticket | None:
        r = self._session.get(TicketRecord, ticket_id)
        return None if r is None else _ticket(r)

    def save(self, ticket: Ticket) -> Ticket:
        """Write a changed ticket. Refused when the row moved on since `ticket` was read."""
        assert ticket.id is not None
        r = self._session.get(TicketRecord, ticket.id)
        if r is None:
            raise NotFoundError(_("Ticket {id} does not exist (it may have been deleted).").format(id=ticket.id))
        if r.version != ticket.version:
            raise ConflictError(
                _("Someone else changed ticket {number} meanwhile. Nothing was saved.").format(number=r.number)
            )
        # The ranks and the search text are derived: recomputed only when what they derive from changed.
        if (r.plan_code, r.severity) != (ticket.plan_code, ticket.severity.value):
            r.plan_rank, r.severity_rank = self._ranks(ticket.plan_code, ticket.severity.value)
        if r.description != ticket.description:
            r.search_text = self._search_text(ticket)
        r.plan_code, r.severity, r.channel = ticket.plan_code, ticket.severity.value, ticket.channel.value
        r.description, r.status = ticket.description, ticket.status.value
        r.assigned_agent_id = ticket.assigned_agent_id
        r.first_response_due_at, r.first_responded_at = ticket.first_response_due_at, ticket.first_responded_at
        r.closed_at, r.reopen_count, r.escalation_level = ticket.closed_at, ticket.reopen_count, ticket.escalation_level
        r.clock_started_at, r.last_agent_update_at = ticket.clock_start, ticket.last_agent_update_at
        r.due_at, r.policy_version_id = ticket.due_at, ticket.policy_version
        r.contact_email = ticket.contact_email
        self._session.flush()
        return _ticket(r)

    def escalation_candidates(self, now: datetime, below_level: int, *, overdue_only: bool) -> list[TicketId]:
        """Running tickets (not waiting on the customer) below the top level; with overdue_only,
        only those whose current promise is already past due."""
        running = [s for s in OPEN_CODES if s != TicketStatus.WAITING_CUSTOMER.value]
        stmt = select(TicketRecord.id).where(
            TicketRecord.status.in_(running), TicketRecord.escalation_level < below_level
        )
        if overdue_only:
            stmt = stmt.where(TicketRecord.due_at <= now)
        return [TicketId(i) for i in self._session.scalars(stmt.order_by(TicketRecord.id))]

    # -- the timeline ----------------------------------------------------------------------------

    def add_events(self, events: Sequence[TicketEvent]) -> None:
        self._session.add_all(
            TicketEventRecord(
                ticket_id=e.ticket_id,
                kind=e.kind.value,
                at=e.at,
                author_id=e.author_id,
                body=e.body,
                data=json.dumps(dict(e.data), ensure_ascii=False, sort_keys=True),
            )
            for e in events
        )
        self._session.flush()

    def status_changes(self, ticket_id: TicketId) -> list[StatusChange]:
        rows = self._session.scalars(
            select(TicketEventRecord)
            .where(
                TicketEventRecord.ticket_id == ticket_id,
                TicketEventRecord.kind == EventKind.STATUS_CHANGE.value,
            )
            .order_by(TicketEventRecord.at, TicketEventRecord.id)
        )
        changes = []
        for row in rows:
            data = json.loads(row.data or "{}")
            target = data.get("to")
            if target in TicketStatus._value2member_map_:
                changes.append(StatusChange(row.at, TicketStatus(target), data.get("reason", "")))
        return changes

    def contact_attempts(self, ticket_id: TicketId, since: datetime) -> list[ContactAttempt]:
        rows = self._session.scalars(
            select(TicketEventRecord)
            .where(
                TicketEventRecord.ticket_id == ticket_id,
                TicketEventRecord.kind == EventKind.CONTACT_ATTEMPT.value,
                TicketEventRecord.at >= since,
            )
            .order_by(TicketEventRecord.at, TicketEventRecord.id)
        )
        attempts = []
        for row in rows:
            data = json.loads(row.data or "{}")
            attempts.append(ContactAttempt(row.at, int(data.get("attempt", 0)), int(data.get("wait_days", 0))))
        return attempts

    # -- attachments and visits ------------------------------------------------------------------

    def add_attachment(self, attachment: Attachment) -> Attachment:
        record = AttachmentRecord(
            ticket_id=attachment.ticket_id,
            sha256=attachment.sha256,
            filename=attachment.filename,
            media_type=attachment.media_type,
            size=attachment.size,
            added_at=attachment.added_at,
        )
        self._session.add(record)
        self._session.flush()
        return Attachment(**{**attachment.__dict__, "id": AttachmentId(record.id)})

    def add_visit(self, visit: Visit) -> Visit:
        record = VisitRecord(
            ticket_id=visit.ticket_id,
            machine_id=visit.machine_id,
            technician_id=visit.technician_id,
            city=visit.city,
            started_at=visit.started_at,
            ended_at=visit.ended_at,
            work_done=visit.work_done,
            parts=visit.parts,
            travel_expenses=visit.travel_expenses,
            maintenance=visit.maintenance,
        )
        self._session.add(record)
        self._session.flush()
        return Visit(**{**visit.__dict__, "id": VisitId(record.id)})

    def visit_overlaps(self, technician_id: UserId, started_at: datetime, ended_at: datetime) -> bool:
        """Whether the technician already has a visit during that time (one person, one place)."""
        stmt = select(func.count(VisitRecord.id)).where(
            VisitRecord.technician_id == technician_id,
            VisitRecord.started_at < ended_at,
            VisitRecord.ended_at > started_at,
        )
        return (self._session.scalar(stmt) or 0) > 0
