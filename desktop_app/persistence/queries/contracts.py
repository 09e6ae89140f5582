"""Contracts as the Contracts page, billing and certificates show them: customer, plan and machines."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from desktop_app.domain.ids import ContractId, CustomerId, MachineId
from desktop_app.persistence._common import like_pattern
from desktop_app.persistence.tables import ContractRecord, CustomerRecord, PlanRecord
from desktop_app.services.dto import ContractSummary, CoveredMachine


def _summary(record: ContractRecord) -> ContractSummary:
    return ContractSummary(
        id=ContractId(record.id),
        customer_id=CustomerId(record.customer_id),
        customer_name=record.customer.name,
        city=record.customer.city,
        plan_code=record.plan_code,
        plan_name=record.plan.name,
        plan_rank=record.plan.rank,
        invoice_number=record.invoice_number,
        valid_from=record.valid_from,
        valid_to=record.valid_to,
        price_before_iva=record.price_before_iva,
        special=record.special,
        machines=tuple(
            CoveredMachine(MachineId(m.id), m.serial, m.model.name, m.warranty_end, m.model.discontinued_from)
            for m in record.machines
        ),
        version=record.version,
        renews_id=ContractId(record.renews_id) if record.renews_id is not None else None,
    )


class SqlContractQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    @staticmethod
    def _select() -> Select[tuple[ContractRecord]]:
        return (
            select(ContractRecord)
            .join(ContractRecord.customer)
            .join(ContractRecord.plan)
            # The joined customer and plan fill the rows' relationships (no query per contract).
            .options(
                contains_eager(ContractRecord.customer),
                contains_eager(ContractRecord.plan),
                selectinload(ContractRecord.machines),
            )
        )

    def summaries(self, text: str = "") -> list[ContractSummary]:
        """Contracts whose customer, city, invoice or plan contain every word, latest ending first."""
        stmt = self._select()
        for term in text.split():
            pattern = like_pattern(term)
            stmt = stmt.where(
                or_(
                    CustomerRecord.name.ilike(pattern, escape="\\"),
                    CustomerRecord.city.ilike(pattern, escape="\\"),
                    ContractRecord.invoice_number.ilike(pattern, escape="\\"),
                    PlanRecord.name.ilike(pattern, escape="\\"),
                )
            )
        stmt = stmt.order_by(ContractRecord.valid_to.desc(), ContractRecord.invoice_number)
        return [_summary(r) for r in self._session.scalars(stmt)]

    def get_summary(self, contract_id: ContractId) -> ContractSummary | None:
        record = self._session.scalars(self._select().where(ContractRecord.id == contract_id)).one_or_none()
        return None if record is None else _summary(record)
