"""Contracts: which machines a customer's plan covers, and for how long (R3, R6)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from desktop_app.domain.ids import ContractId, CustomerId, MachineId, PlanCode
from desktop_app.domain.model import Contract
from desktop_app.errors import ConflictError, NotFoundError
from desktop_app.i18n import _
from desktop_app.persistence.tables import ContractRecord, MachineRecord, contract_machines


def _contract(r: ContractRecord) -> Contract:
    return Contract(
        CustomerId(r.customer_id),
        PlanCode(r.plan_code),
        r.invoice_number,
        r.valid_from,
        r.valid_to,
        r.price_before_iva,
        tuple(MachineId(m.id) for m in r.machines),
        r.special,
        ContractId(r.id),
        ContractId(r.renews_id) if r.renews_id is not None else None,
    )


class SqlContractRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _machines(self, machine_ids: Sequence[MachineId]) -> list[MachineRecord]:
        if not machine_ids:
            return []
        return list(self._session.scalars(select(MachineRecord).where(MachineRecord.id.in_(machine_ids))))

    def add(self, contract: Contract) -> Contract:
        record = ContractRecord(
            customer_id=contract.customer_id,
            plan_code=contract.plan_code,
            invoice_number=contract.invoice_number,
            valid_from=contract.valid_from,
            valid_to=contract.valid_to,
            price_before_iva=contract.price_before_iva,
            special=contract.special,
            machines=self._machines(contract.machine_ids),
            renews_id=contract.renews_id,
        )
        self._session.add(record)
        self._session.flush()
        return Contract(**{**contract.__dict__, "id": ContractId(record.id)})

    def get(self, contract_id: ContractId) -> Contract | None:
        record = self._session.get(ContractRecord, contract_id)
        return None if record is None else _contract(record)

    def update(self, contract: Contract, expected_version: int) -> None:
        """Raises ConflictError when the contract changed since expected_version."""
        assert contract.id is not None
        record = self._session.get(ContractRecord, contract.id)
        if record is None:
            raise NotFoundError(_("Contract {id} does not exist.").format(id=contract.id))
        if record.version != expected_version:
            raise ConflictError(_("Someone else changed this contract meanwhile. Nothing was saved."))
        record.customer_id = contract.customer_id
        record.plan_code = contract.plan_code
        record.invoice_number = contract.invoice_number
        record.valid_from = contract.valid_from
        record.valid_to = contract.valid_to
        record.price_before_iva = contract.price_before_iva
        record.special = contract.special
        record.machines = self._machines(contract.machine_ids)
        self._session.flush()

    def covering(self, machine_id: MachineId) -> list[Contract]:
        """Every contract (any validity) that lists this machine."""
        rows = self._session.scalars(
            select(ContractRecord)
            .join(contract_machines, contract_machines.c.contract_id == ContractRecord.id)
            .where(contract_machines.c.machine_id == machine_id)
            .options(selectinload(ContractRecord.machines))
        )
        return [_contract(r) for r in rows]

    def contracts_covering_any(self, machine_ids: Sequence[MachineId]) -> list[Contract]:
        found: dict[ContractId | None, Contract] = {}
        for machine_id in machine_ids:
            for contract in self.covering(machine_id):
                found[contract.id] = contract
        return list(found.values())

    def invoice_taken(self, invoice_number: str, except_id: ContractId | None) -> bool:
        stmt = select(func.count(ContractRecord.id)).where(
            func.upper(ContractRecord.invoice_number) == invoice_number.strip().upper()
        )
        if except_id is not None:
            stmt = stmt.where(ContractRecord.id != except_id)
        return (self._session.scalar(stmt) or 0) > 0
