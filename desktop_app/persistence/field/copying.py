"""Copying rows from the office database to a field copy: the whole scope when the copy is
prepared, then what changed at the office at each sync.

A field copy holds the office's rows with the office's ids, so a ticket is the same ticket on both
sides. Rows made on the laptop (a provisional ticket, a comment, a visit) live only until the sync
that replayed them: the pull then replaces every ticket the laptop touched by the office's version,
with the office's ids, and removes the provisional ones (their real numbers arrive with the pull).
Because every row the laptop made belongs to a ticket that pull replaces, a laptop id can never
collide with an office row it receives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Select, Table, delete, or_, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desktop_app.domain.model import OPEN_STATUSES
from desktop_app.persistence.field.change_log import last_seq
from desktop_app.persistence.field.local_ids import is_local
from desktop_app.persistence.tables import (
    AttachmentRecord,
    CompanyRecord,
    ContactRecord,
    ContractRecord,
    CustomerRecord,
    FieldCopyRecord,
    MachineRecord,
    PlaceRecord,
    PlanRecord,
    PolicyVersionRecord,
    ProductModelRecord,
    ResponseTargetRecord,
    SeverityRecord,
    TicketEventRecord,
    TicketRecord,
    TrainingRecordRecord,
    UserRecord,
    VisitRecord,
    contract_machines,
)

HISTORY_DAYS = 90  # closed tickets kept for a machine's history on the laptop

_OPEN = [status.value for status in OPEN_STATUSES]


def _table(record: Any) -> Table:
    """The table of a record class (or the association table itself)."""
    return record if isinstance(record, Table) else record.__table__


@dataclass(frozen=True)
class FieldScope:
    """What a technician takes: the customers of their city and of their open tickets, with their
    machines, contracts and tickets (open, or closed within HISTORY_DAYS)."""

    user_id: int
    city: str
    now: datetime

    @property
    def history_from(self) -> datetime:
        return self.now - timedelta(days=HISTORY_DAYS)


@dataclass
class CopyReport:
    """How many rows of each kind were written (prepare) or replaced and removed (a pull)."""

    written: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    attachments: set[str] = field(default_factory=set)  # SHA-256 of the files the copy refers to
    watermark: int = 0

    def add(self, name: str, count: int) -> None:
        if count:
            self.written[name] = self.written.get(name, 0) + count

    def gone(self, name: str, count: int) -> None:
        if count:
            self.removed[name] = self.removed.get(name, 0) + count


def _upsert(target: Session, table: Table, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    statement = sqlite_insert(table)
    keys = [column.name for column in table.primary_key.columns]
    others = {column.name: statement.excluded[column.name] for column in table.columns if column.name not in keys}
    if others:
        statement = statement.on_conflict_do_update(index_elements=keys, set_=others)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    for start in range(0, len(rows), 500):
        target.execute(statement, rows[start : start + 500])
    return len(rows)


def _rows(source: Session, query: Select[Any]) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in source.execute(query)]


def _copy(source: Session, target: Session, record: Any, where: Any = None) -> list[dict[str, Any]]:
    table = _table(record)
    query = select(table)
    if where is not None:
        query = query.where(where)
    rows = _rows(source, query)
    _upsert(target, table, rows)
    return rows


def _users(source: Session, target: Session, scope_user: int, where: Any = None) -> int:
    """Every user (timelines name them), without password hashes but the technician's own, so
    the laptop signs in offline and holds nobody else's hash."""
    rows = _rows(source, select(_table(UserRecord)).where(where) if where is not None else select(_table(UserRecord)))
    for row in rows:
        if row["id"] != scope_user:
            row["password_hash"] = None
        row["failed_sign_ins"] = 0
        row["last_failed_sign_in_at"] = None
    return _upsert(target, _table(UserRecord), rows)


def _reference_data(source: Session, target: Session, report: CopyReport) -> None:
    """The policy with its projections, the catalogue of models, the company, added places."""
    for name, record in (
        ("policy_versions", PolicyVersionRecord),
        ("plans", PlanRecord),
        ("severities", SeverityRecord),
        ("response_targets", ResponseTargetRecord),
        ("product_models", ProductModelRecord),
        ("company", CompanyRecord),
        ("places", PlaceRecord),
    ):
        report.add(name, len(_copy(source, target, record)))


def _customer_ids(scope: FieldScope) -> Select[Any]:
    own_tickets = select(TicketRecord.customer_id).where(
        TicketRecord.assigned_agent_id == scope.user_id, TicketRecord.status.in_(_OPEN)
    )
    return select(CustomerRecord.id).where(or_(CustomerRecord.city == scope.city, CustomerRecord.id.in_(own_tickets)))


def _ticket_in_scope(scope: FieldScope) -> Any:
    return or_(TicketRecord.status.in_(_OPEN), TicketRecord.closed_at >= scope.history_from)


def _copy_tickets(source: Session, target: Session, where: Any, report: CopyReport) -> set[int]:
    """The tickets matching `where` with their timelines, files and visits; returns their ids."""
    rows = _copy(source, target, TicketRecord, where)
    ids = {row["id"] for row in rows}
    report.add("tickets", len(rows))
    if not ids:
        return ids
    wanted = select(TicketRecord.id).where(where)
    report.add("ticket_events", len(_copy(source, target, TicketEventRecord, TicketEventRecord.ticket_id.in_(wanted))))
    files = _copy(source, target, AttachmentRecord, AttachmentRecord.ticket_id.in_(wanted))
    report.add("attachments", len(files))
    report.attachments.update(row["sha256"] for row in files)
    report.add("visits", len(_copy(source, target, VisitRecord, VisitRecord.ticket_id.in_(wanted))))
    return ids


def prepare(
    source: Session, target: Session, scope: FieldScope, *, device_id: str, office_url: str, now: datetime
) -> CopyReport:
    """Fill an empty, migrated field copy (`target`) from the office (`source`) and remember
    where it came from. `source` should see one snapshot (REPEATABLE READ on PostgreSQL): the
    watermark is read first, so anything committed later is pulled again at the first sync."""
    report = CopyReport(watermark=last_seq(source))
    report.add("users", _users(source, target, scope.user_id))
    _reference_data(source, target, report)
    customers = _customer_ids(scope)
    report.add("customers", len(_copy(source, target, CustomerRecord, CustomerRecord.id.in_(customers))))
    report.add("contacts", len(_copy(source, target, ContactRecord, ContactRecord.customer_id.in_(customers))))
    report.add(
        "trainings", len(_copy(source, target, TrainingRecordRecord, TrainingRecordRecord.customer_id.in_(customers)))
    )
    report.add("machines", len(_copy(source, target, MachineRecord, MachineRecord.customer_id.in_(customers))))
    contracts = select(ContractRecord.id).where(ContractRecord.customer_id.in_(customers))
    report.add("contracts", len(_copy(source, target, ContractRecord, ContractRecord.customer_id.in_(customers))))
    _copy(source, target, contract_machines, contract_machines.c.contract_id.in_(contracts))
    machineless_visits = VisitRecord.ticket_id.is_(None) & VisitRecord.machine_id.in_(
        select(MachineRecord.id).where(MachineRecord.customer_id.in_(customers))
    )
    _copy_tickets(source, target, TicketRecord.customer_id.in_(customers) & _ticket_in_scope(scope), report)
    report.add("visits", len(_copy(source, target, VisitRecord, machineless_visits)))
    target.add(
        FieldCopyRecord(
            id=1,
            device_id=device_id,
            office_url=office_url,
            user_id=scope.user_id,
            city=scope.city,
            prepared_at=now,
            watermark=report.watermark,
            last_error="",
            next_provisional=1,
        )
    )
    return report


# -- a pull ------------------------------------------------------------------------------------------


def _drop_tickets(target: Session, ids: Iterable[int], report: CopyReport) -> None:
    """Remove these tickets and what hangs on them from the field copy (events, files and
    notices go with the ticket, by their foreign keys' ON DELETE CASCADE; visits do not)."""
    wanted = list(ids)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        target.execute(delete(VisitRecord).where(VisitRecord.ticket_id.in_(chunk)))
        report.gone("tickets", _deleted(target, delete(TicketRecord).where(TicketRecord.id.in_(chunk))))


def _deleted(target: Session, statement: Any) -> int:
    result: CursorResult[Any] = target.execute(statement)  # type: ignore[assignment]
    return result.rowcount


def _local_ids(target: Session, column: Any) -> set[int]:
    return set(target.scalars(select(column)))


def refresh(
    source: Session,
    target: Session,
    scope: FieldScope,
    changed: Mapping[str, set[str]],
    *,
    touched_tickets: Iterable[int],
    provisional_tickets: Iterable[int],
    watermark: int,
) -> CopyReport:
    """Bring the office's changes (`changed`, from the change log) into the field copy, with the
    tickets the laptop touched since its last sync (replaced by the office's version) and without
    its provisional tickets (the office numbered them: they arrive among the changes)."""
    report = CopyReport(watermark=watermark)
    if "user" in changed:
        report.add("users", _users(source, target, scope.user_id, UserRecord.id.in_(_ints(changed["user"]))))
    if changed.keys() & {"policy", "product", "company"}:
        _reference_data(source, target, report)

    local_customers = _local_ids(target, CustomerRecord.id)
    customers = _ints(changed.get("customer", ()))
    if customers:
        office_customers = _rows(source, select(_table(CustomerRecord)).where(CustomerRecord.id.in_(customers)))
        kept = [row for row in office_customers if row["city"] == scope.city or row["id"] in local_customers]
        report.add("customers", _upsert(target, _table(CustomerRecord), kept))
        kept_ids = [row["id"] for row in kept]
        target.execute(delete(ContactRecord).where(ContactRecord.customer_id.in_(kept_ids)))
        target.execute(delete(TrainingRecordRecord).where(TrainingRecordRecord.customer_id.in_(kept_ids)))
        _copy(source, target, ContactRecord, ContactRecord.customer_id.in_(kept_ids))
        _copy(source, target, TrainingRecordRecord, TrainingRecordRecord.customer_id.in_(kept_ids))
        local_customers.update(kept_ids)

    machines = _ints(changed.get("machine", ()))
    if machines:
        rows = _rows(source, select(_table(MachineRecord)).where(MachineRecord.id.in_(machines)))
        report.add(
            "machines", _upsert(target, _table(MachineRecord), [r for r in rows if r["customer_id"] in local_customers])
        )
        gone = set(machines) - {row["id"] for row in rows}
        _drop_machines(target, gone, report)

    contracts = _ints(changed.get("contract", ()))
    if contracts:
        rows = _rows(source, select(_table(ContractRecord)).where(ContractRecord.id.in_(contracts)))
        kept_ids = [row["id"] for row in rows if row["customer_id"] in local_customers]
        report.add("contracts", _upsert(target, _table(ContractRecord), [r for r in rows if r["id"] in kept_ids]))
        target.execute(delete(contract_machines).where(contract_machines.c.contract_id.in_(kept_ids)))
        _copy(source, target, contract_machines, contract_machines.c.contract_id.in_(kept_ids))

    tickets = set(_ints(changed.get("ticket", ()))) | {i for i in touched_tickets if not is_local(i)}
    local_tickets = {i for i in _local_ids(target, TicketRecord.id) if not is_local(i)}  # the office's ids only
    _drop_tickets(target, [*set(provisional_tickets), *(tickets & local_tickets)], report)
    if tickets:
        in_scope = (
            TicketRecord.id.in_(sorted(tickets))
            & TicketRecord.customer_id.in_(sorted(local_customers))
            & (_ticket_in_scope(scope) | TicketRecord.id.in_(sorted(local_tickets)))
        )
        _copy_tickets(source, target, in_scope, report)
    return report


def _drop_machines(target: Session, ids: set[int], report: CopyReport) -> None:
    """Machines deleted at the office go from the copy with their contracts' links; tickets of
    theirs that the office no longer has went with the ticket refresh."""
    if not ids:
        return
    target.execute(delete(contract_machines).where(contract_machines.c.machine_id.in_(ids)))
    tickets = target.scalars(select(TicketRecord.id).where(TicketRecord.machine_id.in_(ids))).all()
    _drop_tickets(target, tickets, report)
    target.execute(delete(VisitRecord).where(VisitRecord.machine_id.in_(ids)))
    report.gone("machines", _deleted(target, delete(MachineRecord).where(MachineRecord.id.in_(ids))))


def _ints(keys: Iterable[str]) -> list[int]:
    return sorted(int(key) for key in keys if key.lstrip("-").isdigit())
