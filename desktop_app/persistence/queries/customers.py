"""The customers list and what a customer's page shows besides the records themselves."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.ids import ContractId, CustomerId, MachineId, TicketId, UserId
from desktop_app.domain.model import Severity, TicketStatus
from desktop_app.domain.search import fold
from desktop_app.persistence._common import OPEN_CODES, like_pattern
from desktop_app.persistence.tables import (
    AuditRecord,
    ContactRecord,
    ContractRecord,
    CustomerRecord,
    MachineRecord,
    TicketEventRecord,
    TicketRecord,
    UserRecord,
)
from desktop_app.services.customer_ports import CustomerRow, CustomerTicketLine, MentioningTicket

# Spanish letters with accents, and what domain.search.fold makes of them. SQLite's lower() folds
# ASCII letters only, so upper-case accented letters are listed too; PostgreSQL has no portable
# unaccent without an extension. Folding these in SQL lets a plain LIKE find "Medellín" by "medellin".
_ACCENTS = (
    ("Á", "a"),
    ("É", "e"),
    ("Í", "i"),
    ("Ó", "o"),
    ("Ú", "u"),
    ("Ü", "u"),
    ("Ñ", "n"),
    ("á", "a"),
    ("é", "e"),
    ("í", "i"),
    ("ó", "o"),
    ("ú", "u"),
    ("ü", "u"),
    ("ñ", "n"),
)


def _folded(column: ColumnElement[str]) -> ColumnElement[str]:
    expression: ColumnElement[str] = column
    for accented, plain in _ACCENTS:
        expression = func.replace(expression, accented, plain)
    return func.lower(expression)


def _matches(term: str) -> ColumnElement[bool]:
    pattern = like_pattern(term)
    digits = term.replace(".", "").replace(" ", "")
    contact_named = exists().where(
        ContactRecord.customer_id == CustomerRecord.id, _folded(ContactRecord.name).like(pattern, escape="\\")
    )
    return or_(
        _folded(CustomerRecord.name).like(pattern, escape="\\"),
        func.replace(CustomerRecord.tax_id, ".", "").like(like_pattern(digits), escape="\\"),
        _folded(CustomerRecord.city).like(pattern, escape="\\"),
        _folded(CustomerRecord.department).like(pattern, escape="\\"),
        contact_named,
    )


class SqlCustomerQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def page(self, text: str, offset: int, limit: int) -> tuple[list[CustomerRow], int]:
        where = [_matches(term) for term in fold(text).split()]
        total = self._session.scalar(select(func.count(CustomerRecord.id)).where(*where)) or 0
        contacts = (
            select(func.count(ContactRecord.id))
            .where(ContactRecord.customer_id == CustomerRecord.id, ContactRecord.anonymised_at.is_(None))
            .scalar_subquery()
        )
        machines = select(func.count(MachineRecord.id)).where(MachineRecord.customer_id == CustomerRecord.id)
        open_tickets = select(func.count(TicketRecord.id)).where(
            TicketRecord.customer_id == CustomerRecord.id, TicketRecord.status.in_(OPEN_CODES)
        )
        stmt = (
            select(
                CustomerRecord,
                contacts,
                machines.scalar_subquery(),
                open_tickets.scalar_subquery(),
            )
            .where(*where)
            .order_by(func.lower(CustomerRecord.name), CustomerRecord.id)
            .offset(offset)
            .limit(limit)
        )
        rows = [
            CustomerRow(
                CustomerId(c.id),
                c.name,
                c.tax_id,
                c.city,
                c.department,
                c.kind,
                c.paid_up,
                c.trained,
                n_contacts or 0,
                n_machines or 0,
                n_open or 0,
            )
            for c, n_contacts, n_machines, n_open in self._session.execute(stmt)
        ]
        return rows, total

    def tickets(self, customer_id: CustomerId) -> list[CustomerTicketLine]:
        rows = self._session.execute(
            select(
                TicketRecord.id,
                TicketRecord.number,
                TicketRecord.status,
                TicketRecord.severity,
                TicketRecord.received_at,
                MachineRecord.serial,
                TicketRecord.description,
            )
            .join(MachineRecord, TicketRecord.machine_id == MachineRecord.id)
            .where(TicketRecord.customer_id == customer_id)
            .order_by(TicketRecord.received_at.desc(), TicketRecord.id.desc())
        )
        return [
            CustomerTicketLine(
                TicketId(i), number, TicketStatus(status), Severity(sev), at, serial, (text.splitlines() or [""])[0]
            )
            for i, number, status, sev, at, serial, text in rows
        ]

    def machine_ids(self, customer_id: CustomerId) -> list[MachineId]:
        stmt = select(MachineRecord.id).where(MachineRecord.customer_id == customer_id).order_by(MachineRecord.serial)
        return [MachineId(i) for i in self._session.scalars(stmt)]

    def contract_ids(self, customer_id: CustomerId) -> list[ContractId]:
        stmt = (
            select(ContractRecord.id)
            .where(ContractRecord.customer_id == customer_id)
            .order_by(ContractRecord.valid_to.desc(), ContractRecord.id.desc())
        )
        return [ContractId(i) for i in self._session.scalars(stmt)]

    def user_name(self, user_id: UserId | None) -> str:
        if user_id is None:
            return ""
        return self._session.scalar(select(UserRecord.full_name).where(UserRecord.id == user_id)) or ""

    def mentioning_tickets(self, customer_id: CustomerId, terms: Sequence[str]) -> list[MentioningTicket]:
        wanted = [t.casefold() for t in terms if t.strip()]
        if not wanted:
            return []

        def names(column: ColumnElement[str]) -> ColumnElement[bool]:
            return or_(*(func.lower(column).like(like_pattern(t), escape="\\") for t in wanted))

        in_events = exists().where(TicketEventRecord.ticket_id == TicketRecord.id, names(TicketEventRecord.body))
        tickets = self._session.execute(
            select(TicketRecord.id, TicketRecord.number, TicketRecord.received_at, TicketRecord.status)
            .add_columns(MachineRecord.serial, TicketRecord.description)
            .join(MachineRecord, TicketRecord.machine_id == MachineRecord.id)
            .where(TicketRecord.customer_id == customer_id, or_(names(TicketRecord.description), in_events))
            .order_by(TicketRecord.received_at, TicketRecord.id)
        ).all()
        found = []
        for ticket_id, number, received_at, status, serial, description in tickets:
            bodies = self._session.scalars(
                select(TicketEventRecord.body)
                .where(TicketEventRecord.ticket_id == ticket_id, names(TicketEventRecord.body))
                .order_by(TicketEventRecord.at, TicketEventRecord.id)
            ).all()
            texts = ([description] if any(t in description.casefold() for t in wanted) else []) + list(bodies)
            found.append(MentioningTicket(number, received_at, TicketStatus(status), serial, tuple(texts)))
        return found

    def audit_of(self, entity: str, entity_id: str) -> list[AuditEntry]:
        stmt = (
            select(AuditRecord)
            .where(AuditRecord.entity == entity, AuditRecord.entity_id == entity_id)
            .order_by(AuditRecord.at, AuditRecord.id)
        )
        return [
            AuditEntry(
                r.at,
                UserId(r.actor_id) if r.actor_id is not None else None,
                r.entity,
                r.entity_id,
                r.action,
                {k: (v[0], v[1]) for k, v in json.loads(r.changes or "{}").items()},
            )
            for r in self._session.scalars(stmt)
        ]
