"""Imports and exports: whole-table look-ups and bulk writes (ImportRepository in
services/import_ports.py).

Tens of thousands of rows are written with one executemany per kind of statement (Core insert and
update on the tables), never one ORM object and flush per row; the version counter of an updated
row moves on like an ORM update's would, so a window holding the old version gets a conflict.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.search import search_document
from desktop_app.persistence.tables import (
    AuditRecord,
    ContactRecord,
    ContractRecord,
    CustomerRecord,
    MachineRecord,
    PlaceRecord,
    PlanRecord,
    ProductModelRecord,
    contract_machines,
)
from desktop_app.services.import_ports import (
    ContactValues,
    ContractKey,
    ContractValues,
    CustomerKey,
    CustomerValues,
    MachineKey,
    MachineValues,
    ModelKey,
    WriteCounts,
)

_CHUNK = 5_000  # rows per executemany batch: bounded memory, few round trips


def _table(record: type) -> Table:
    table = record.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def _chunks(rows: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), _CHUNK):
        yield rows[start : start + _CHUNK]


class SqlImportRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # -- look-ups ----------------------------------------------------------------------------------

    def customers_by_tax_id(self) -> dict[str, CustomerKey]:
        t = _table(CustomerRecord)
        rows = self._session.execute(select(t.c.id, t.c.name, t.c.city, t.c.tax_id, t.c.paid_up))
        return {r.tax_id: CustomerKey(r.id, r.name, r.city, r.tax_id, bool(r.paid_up)) for r in rows}

    def machines_by_serial(self) -> dict[str, MachineKey]:
        t = _table(MachineRecord)
        return {
            r.serial: MachineKey(r.id, r.customer_id)
            for r in self._session.execute(select(t.c.id, t.c.serial, t.c.customer_id))
        }

    def contracts_by_invoice(self) -> dict[str, ContractKey]:
        t = _table(ContractRecord)
        rows = self._session.execute(select(t.c.id, t.c.invoice_number, t.c.customer_id))
        return {r.invoice_number: ContractKey(r.id, r.customer_id) for r in rows}

    def contact_keys(self) -> dict[tuple[int, str], int]:
        from desktop_app.domain.importing import contact_key

        t = _table(ContactRecord)
        rows = self._session.execute(select(t.c.id, t.c.customer_id, t.c.name, t.c.email).order_by(t.c.id))
        keys: dict[tuple[int, str], int] = {}
        for r in rows:
            keys.setdefault((r.customer_id, contact_key(r.name, r.email)), r.id)
        return keys

    def models(self) -> list[ModelKey]:
        t = _table(ProductModelRecord)
        warranty = t.c.get("warranty_months")  # the catalogue's column (migration 0010)
        columns = [t.c.code, t.c.name] + ([warranty] if warranty is not None else [])
        return [
            ModelKey(r.code, r.name, int(r.warranty_months) if warranty is not None else 12)
            for r in self._session.execute(select(*columns))
        ]

    def added_places(self) -> list[tuple[str, str]]:
        t = _table(PlaceRecord)
        return [(r.name, r.department) for r in self._session.execute(select(t.c.name, t.c.department))]

    # -- bulk writes -------------------------------------------------------------------------------

    def _insert(self, record: type, rows: Sequence[dict[str, Any]]) -> None:
        for chunk in _chunks(rows):
            self._session.execute(insert(_table(record)), list(chunk))

    def _update(self, record: type, rows: Sequence[dict[str, Any]]) -> None:
        """UPDATE … SET the given columns, version + 1 WHERE id = :_id, batched by the set of columns."""
        table = _table(record)
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            groups[tuple(sorted(k for k in row if k != "_id"))].append(row)
        for columns, group in groups.items():
            stmt = (
                update(table)
                .where(table.c.id == bindparam("_id"))
                .values({**{c: bindparam(c) for c in columns}, "version": table.c.version + 1})
            )
            for chunk in _chunks(group):
                self._session.connection().execute(stmt, list(chunk))

    def write_customers(self, rows: Sequence[CustomerValues], existing: Mapping[str, CustomerKey]) -> WriteCounts:
        new, changed = [], []
        for row in rows:
            values = {k: v for k, v in asdict(row).items() if v is not None}
            found = existing.get(row.tax_id)
            if found is None:
                defaults = {"email": "", "phone": "", "kind": "company", "paid_up": False, "trained": False}
                new.append({**defaults, **values, "version": 1})
            else:
                changed.append({**values, "_id": found.id})
        self._insert(CustomerRecord, new)
        self._update(CustomerRecord, changed)
        self._refresh_machine_search([row["_id"] for row in changed])
        ids = self.customers_by_tax_id()
        written = tuple((str(ids[r.tax_id].id), "update" if r.tax_id in existing else "create") for r in rows)
        return WriteCounts(len(new), len(changed), written)

    def _refresh_machine_search(self, customer_ids: Sequence[int]) -> None:
        """The search text of these customers' machines (domain.search), after their name, NIT or city
        changed, so the machines are found by what the customer is called now. Derived data: the
        machines' version does not move, so nobody editing one meanwhile gets a conflict."""
        m, p, c = _table(MachineRecord), _table(ProductModelRecord), _table(CustomerRecord)
        for chunk in _chunks(customer_ids):
            rows = self._session.execute(
                select(m.c.id, m.c.serial, m.c.search_text, p.c.name.label("model"), c.c.name, c.c.tax_id, c.c.city)
                .join(p, p.c.code == m.c.model_code)
                .join(c, c.c.id == m.c.customer_id)
                .where(m.c.customer_id.in_(chunk))
            )
            stale = []
            for r in rows:
                text = search_document(r.serial, r.model, r.name, r.tax_id, r.city)
                if text != r.search_text:
                    stale.append({"_id": r.id, "search_text": text})
            stmt = update(m).where(m.c.id == bindparam("_id")).values(search_text=bindparam("search_text"))
            for part in _chunks(stale):
                self._session.connection().execute(stmt, list(part))

    def write_contacts(self, rows: Sequence[ContactValues], existing: Mapping[tuple[int, str], int]) -> WriteCounts:
        new, changed = [], []
        for row in rows:
            values = {k: v for k, v in asdict(row).items() if v is not None and k != "key"}
            found = existing.get((row.customer_id, row.key))
            if found is None:
                new.append({"email": "", "phone": "", "role": "", **values, "version": 1})
            else:
                values.pop("customer_id")
                changed.append({**values, "_id": found})
        self._insert(ContactRecord, new)
        self._update(ContactRecord, changed)
        ids = self.contact_keys()
        written = tuple(
            (str(ids[(r.customer_id, r.key)]), "update" if (r.customer_id, r.key) in existing else "create")
            for r in rows
        )
        return WriteCounts(len(new), len(changed), written)

    def write_machines(self, rows: Sequence[MachineValues], existing: Mapping[str, MachineKey]) -> WriteCounts:
        new, changed = [], []
        for row in rows:
            values = asdict(row)
            found = existing.get(row.serial)
            if found is None:
                new.append({**values, "unauthorized_intervention": False, "version": 1})
            else:
                changed.append({**values, "_id": found.id})
        self._insert(MachineRecord, new)
        self._update(MachineRecord, changed)
        ids = self.machines_by_serial()
        written = tuple((str(ids[r.serial].id), "update" if r.serial in existing else "create") for r in rows)
        return WriteCounts(len(new), len(changed), written)

    def write_contracts(self, rows: Sequence[ContractValues], existing: Mapping[str, ContractKey]) -> WriteCounts:
        new, changed = [], []
        for row in rows:
            values = {k: v for k, v in asdict(row).items() if v is not None and k != "machine_ids"}
            if row.invoice_number in existing:
                changed.append({**values, "_id": existing[row.invoice_number].id})
            else:
                new.append({"price_before_iva": 0, "special": False, **values, "version": 1})
        self._insert(ContractRecord, new)
        self._update(ContractRecord, changed)
        ids = self.contracts_by_invoice()
        link = contract_machines
        replaced = [
            ids[r.invoice_number].id for r in rows if r.machine_ids is not None and r.invoice_number in existing
        ]
        for chunk in _chunks(replaced):
            self._session.execute(delete(link).where(link.c.contract_id.in_(chunk)))
        pairs = [
            {"contract_id": ids[r.invoice_number].id, "machine_id": machine_id}
            for r in rows
            if r.machine_ids is not None
            for machine_id in sorted(set(r.machine_ids))
        ]
        self._insert_link(pairs)
        written = tuple(
            (str(ids[r.invoice_number].id), "update" if r.invoice_number in existing else "create") for r in rows
        )
        return WriteCounts(len(new), len(changed), written)

    def _insert_link(self, pairs: Sequence[dict[str, int]]) -> None:
        for chunk in _chunks(pairs):
            self._session.execute(insert(contract_machines), list(chunk))

    def record_audit(self, entries: Sequence[AuditEntry]) -> None:
        rows = [
            {
                "at": e.at,
                "actor_id": e.actor_id,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "action": e.action,
                "changes": json.dumps({k: list(v) for k, v in e.changes.items()}, ensure_ascii=False, sort_keys=True),
            }
            for e in entries
        ]
        self._insert(AuditRecord, rows)

    # -- export ------------------------------------------------------------------------------------

    def export_rows(self, kind: str) -> Iterator[tuple[object, ...]]:
        customers = _table(CustomerRecord)
        if kind == "customers":
            stmt = select(
                customers.c.name,
                customers.c.tax_id,
                customers.c.city,
                customers.c.department,
                customers.c.address,
                customers.c.email,
                customers.c.phone,
                customers.c.kind,
                customers.c.paid_up,
                customers.c.trained,
                customers.c.notes,
            ).order_by(customers.c.name, customers.c.id)
        elif kind == "contacts":
            c = _table(ContactRecord)
            stmt = (
                select(
                    customers.c.tax_id, c.c.name, c.c.role, c.c.email, c.c.phone, c.c.preferred_channel, c.c.consent_at
                )
                .join(customers, customers.c.id == c.c.customer_id)
                .where(c.c.anonymised_at.is_(None))  # an anonymised contact holds nothing to export
                .order_by(customers.c.name, c.c.id)
            )
        elif kind == "machines":
            m, p = _table(MachineRecord), _table(ProductModelRecord)
            stmt = (
                select(
                    m.c.serial,
                    p.c.name,
                    customers.c.tax_id,
                    m.c.purchase_date,
                    m.c.warranty_end,
                    m.c.last_preventive_maintenance,
                )
                .join(customers, customers.c.id == m.c.customer_id)
                .join(p, p.c.code == m.c.model_code)
                .order_by(m.c.serial)
            )
        else:
            yield from self._export_contracts()
            return
        for row in self._session.execute(stmt):
            yield tuple(row)

    def _export_contracts(self) -> Iterator[tuple[object, ...]]:
        k, m, link, plans = _table(ContractRecord), _table(MachineRecord), contract_machines, _table(PlanRecord)
        customers = _table(CustomerRecord)
        serials: dict[int, list[str]] = defaultdict(list)
        for contract_id, serial in self._session.execute(
            select(link.c.contract_id, m.c.serial).join(m, m.c.id == link.c.machine_id).order_by(m.c.serial)
        ):
            serials[contract_id].append(serial)
        stmt = (
            select(
                k.c.id,
                k.c.invoice_number,
                customers.c.tax_id,
                plans.c.name,
                k.c.valid_from,
                k.c.valid_to,
                k.c.price_before_iva,
                k.c.special,
            )
            .join(customers, customers.c.id == k.c.customer_id)
            .join(plans, plans.c.code == k.c.plan_code)
            .order_by(k.c.valid_from, k.c.invoice_number)
        )
        for row in self._session.execute(stmt):
            contract_id, *rest = tuple(row)
            yield (*rest[:6], ", ".join(serials.get(contract_id, ())), rest[6])
