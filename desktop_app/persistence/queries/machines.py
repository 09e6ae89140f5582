"""Machines as the machine page, the search box, the contract form and the label sheet show them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.domain.ids import CustomerId, MachineId, TicketId
from desktop_app.domain.model import Severity, TicketStatus, Visit
from desktop_app.domain.search import fold
from desktop_app.persistence._common import OPEN_CODES, like_pattern
from desktop_app.persistence.queries._visits import visits_where
from desktop_app.persistence.tables import CustomerRecord, MachineRecord, TicketRecord, VisitRecord
from desktop_app.services.dto import MachineDetail, MachineLabel, MachineSummary, MachineTicketLine


def _summary(m: MachineRecord, c: CustomerRecord) -> MachineSummary:
    return MachineSummary(
        MachineId(m.id),
        m.serial,
        m.model.name,
        CustomerId(c.id),
        c.name,
        c.city,
        c.tax_id,
        m.warranty_end,
        m.model.discontinued_from,
    )


class SqlMachineQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def search(self, text: str, limit: int) -> list[MachineSummary]:
        """Machines whose serial, model, customer, tax id or city contain every word typed."""
        stmt = (
            select(MachineRecord, CustomerRecord)
            .join(CustomerRecord, MachineRecord.customer_id == CustomerRecord.id)
            .order_by(CustomerRecord.name, MachineRecord.serial)
            .limit(limit)
        )
        for term in fold(text).split():
            stmt = stmt.where(MachineRecord.search_text.like(like_pattern(term), escape="\\"))
        return [_summary(m, c) for m, c in self._session.execute(stmt)]

    def of_customer(self, customer_id: CustomerId) -> list[MachineSummary]:
        """The customer's machines by serial."""
        stmt = (
            select(MachineRecord, CustomerRecord)
            .join(CustomerRecord, MachineRecord.customer_id == CustomerRecord.id)
            .where(MachineRecord.customer_id == customer_id)
            .order_by(MachineRecord.serial)
        )
        return [_summary(m, c) for m, c in self._session.execute(stmt)]

    def summary(self, machine_id: MachineId) -> MachineSummary | None:
        record = self._session.get(MachineRecord, machine_id)
        return None if record is None else _summary(record, record.customer)

    def detail(self, machine_id: MachineId) -> MachineDetail | None:
        m = self._session.get(MachineRecord, machine_id)
        if m is None:
            return None
        c = m.customer
        return MachineDetail(
            MachineId(m.id),
            m.version,
            m.serial,
            m.qr_payload,
            m.model_code,
            m.model.name,
            CustomerId(c.id),
            c.name,
            c.city,
            m.purchase_date,
            m.warranty_end,
            m.unauthorized_intervention,
            m.last_preventive_maintenance,
            m.model.discontinued_from,
        )

    def labels(self, customer_id: CustomerId | None, serials: Sequence[str]) -> list[MachineLabel]:
        """The labels of a customer's machines, or of the given serials (those that exist)."""
        stmt = select(MachineRecord, CustomerRecord.name).join(
            CustomerRecord, MachineRecord.customer_id == CustomerRecord.id
        )
        if customer_id is not None:
            stmt = stmt.where(MachineRecord.customer_id == customer_id)
        if serials:
            stmt = stmt.where(MachineRecord.serial.in_(list(serials)))
        rows = self._session.execute(stmt.order_by(MachineRecord.serial))
        return [MachineLabel(m.serial, m.model.name, name, m.qr_payload) for m, name in rows]

    def tickets(self, machine_id: MachineId) -> list[MachineTicketLine]:
        """Every ticket of the machine, newest first: its history."""
        rows = self._session.execute(
            select(
                TicketRecord.id,
                TicketRecord.number,
                TicketRecord.status,
                TicketRecord.severity,
                TicketRecord.received_at,
                TicketRecord.description,
            )
            .where(TicketRecord.machine_id == machine_id)
            .order_by(TicketRecord.received_at.desc(), TicketRecord.id.desc())
        )
        return [
            MachineTicketLine(
                TicketId(i), number, TicketStatus(status), Severity(sev), at, (text.splitlines() or [""])[0]
            )
            for i, number, status, sev, at, text in rows
        ]

    def open_tickets(self, machine_id: MachineId) -> list[tuple[TicketId, str, TicketStatus]]:
        """The machine's open tickets, oldest first: id, number and status."""
        rows = self._session.execute(
            select(TicketRecord.id, TicketRecord.number, TicketRecord.status)
            .where(TicketRecord.machine_id == machine_id, TicketRecord.status.in_(OPEN_CODES))
            .order_by(TicketRecord.received_at)
        )
        return [(TicketId(i), number, TicketStatus(status)) for i, number, status in rows]

    def visits(self, machine_id: MachineId) -> list[tuple[Visit, str]]:
        """The machine's visits, newest first, with the technician's name (its maintenance history)."""
        return visits_where(self._session, VisitRecord.machine_id == machine_id, newest_first=True)
