"""The audit log as people read it (R18): newest first, filtered by record, person or text; and
the records it names, by the references people use (ticket number, invoice, serial, name)."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, or_, select
from sqlalchemy.orm import Session, selectinload

from desktop_app.domain.ids import UserId
from desktop_app.persistence._common import like_pattern
from desktop_app.persistence.tables import (
    AuditRecord,
    CertificateRecord,
    ContractRecord,
    CustomerRecord,
    MachineRecord,
    TicketRecord,
    UserRecord,
    VisitRecord,
)
from desktop_app.services.dto import AuditView, RecordRef


def _ids(values: Collection[str]) -> list[int]:
    return sorted({int(value) for value in values if value.isdigit()})


def _names_record(term: str) -> ColumnElement[bool]:
    """The entry is about a record whose human reference contains `term` (a ticket number, an
    invoice, a serial, a certificate number): people search by those, not by internal ids."""
    pattern = like_pattern(term)

    def about(entity: str, id_column: ColumnElement[int], reference: ColumnElement[str]) -> ColumnElement[bool]:
        ids = select(cast(id_column, String)).where(reference.ilike(pattern, escape="\\"))
        return and_(AuditRecord.entity == entity, AuditRecord.entity_id.in_(ids))

    return or_(
        about("ticket", TicketRecord.id, TicketRecord.number),
        about("contract", ContractRecord.id, ContractRecord.invoice_number),
        about("machine", MachineRecord.id, MachineRecord.serial),
        and_(AuditRecord.entity == "certificate", AuditRecord.entity_id.ilike(pattern, escape="\\")),
    )


class SqlAuditQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def search(
        self,
        *,
        entity: str = "",
        entity_id: str = "",
        actor_id: UserId | None = None,
        text: str = "",
        limit: int = 500,
    ) -> list[AuditView]:
        stmt = select(AuditRecord).options(selectinload(AuditRecord.actor))
        if entity:
            stmt = stmt.where(AuditRecord.entity == entity)
        if entity_id:
            stmt = stmt.where(AuditRecord.entity_id == entity_id)
        if actor_id is not None:
            stmt = stmt.where(AuditRecord.actor_id == actor_id)
        for term in text.split():
            stmt = stmt.where(or_(AuditRecord.changes.ilike(like_pattern(term), escape="\\"), _names_record(term)))
        rows = self._session.scalars(stmt.order_by(AuditRecord.at.desc(), AuditRecord.id.desc()).limit(limit))
        return [
            AuditView(
                r.at,
                r.actor.full_name if r.actor else "",
                r.entity,
                r.entity_id,
                r.action,
                {k: _pair(v) for k, v in json.loads(r.changes or "{}").items()},
            )
            for r in rows
        ]

    def references(self, wanted: Mapping[str, Collection[str]]) -> dict[tuple[str, str], RecordRef]:
        """The human reference of each wanted record, one query per kind (never one per row)."""
        found: dict[tuple[str, str], RecordRef] = {}
        session = self._session
        if ids := _ids(wanted.get("ticket", ())):
            for id_, number in session.execute(
                select(TicketRecord.id, TicketRecord.number).where(TicketRecord.id.in_(ids))
            ):
                found[("ticket", str(id_))] = RecordRef(number, "ticket", id_)
        if ids := _ids(wanted.get("contract", ())):
            for id_, invoice in session.execute(
                select(ContractRecord.id, ContractRecord.invoice_number).where(ContractRecord.id.in_(ids))
            ):
                found[("contract", str(id_))] = RecordRef(invoice, "contract", id_)
        if ids := _ids(wanted.get("machine", ())):
            for id_, serial in session.execute(
                select(MachineRecord.id, MachineRecord.serial).where(MachineRecord.id.in_(ids))
            ):
                found[("machine", str(id_))] = RecordRef(serial, "machine", id_)
        if ids := _ids(wanted.get("user", ())):
            for id_, name in session.execute(select(UserRecord.id, UserRecord.full_name).where(UserRecord.id.in_(ids))):
                found[("user", str(id_))] = RecordRef(name)
        if ids := _ids(wanted.get("customer", ())):
            for id_, name in session.execute(
                select(CustomerRecord.id, CustomerRecord.name).where(CustomerRecord.id.in_(ids))
            ):
                found[("customer", str(id_))] = RecordRef(name)
        if ids := _ids(wanted.get("visit", ())):
            # A visit is named and opened by its ticket; one recorded without a ticket, by its machine.
            rows = session.execute(
                select(
                    VisitRecord.id,
                    VisitRecord.ticket_id,
                    TicketRecord.number,
                    VisitRecord.machine_id,
                    MachineRecord.serial,
                )
                .join(MachineRecord, VisitRecord.machine_id == MachineRecord.id)
                .outerjoin(TicketRecord, VisitRecord.ticket_id == TicketRecord.id)
                .where(VisitRecord.id.in_(ids))
            )
            for id_, ticket_id, number, machine_id, serial in rows:
                found[("visit", str(id_))] = (
                    RecordRef(f"{number} · {serial}", "ticket", ticket_id)
                    if ticket_id is not None
                    else RecordRef(serial, "machine", machine_id)
                )
        if numbers := sorted(set(wanted.get("certificate", ()))):
            for number, contract_id in session.execute(
                select(CertificateRecord.number, CertificateRecord.contract_id).where(
                    CertificateRecord.number.in_(numbers)
                )
            ):
                found[("certificate", number)] = RecordRef(number, "contract", contract_id)
        return found


def _pair(value: Any) -> tuple[Any, Any]:
    """A stored change is [before, after]. An entry that keeps something else (a field conflict's
    settlement: its resolution, the command, the fields) shows it as the value after."""
    if isinstance(value, list) and len(value) == 2:
        return value[0], value[1]
    return "", value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
