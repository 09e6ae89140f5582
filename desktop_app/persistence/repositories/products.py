"""The product catalogue (models, R5's end of life) and the company's own data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop_app.domain.company import COMPANY_FIELDS, CompanyProfile
from desktop_app.domain.ids import ModelCode, UserId
from desktop_app.domain.model import ProductModel, Technology
from desktop_app.errors import ConflictError, NotFoundError
from desktop_app.i18n import _
from desktop_app.persistence.tables import CompanyRecord, MachineRecord, ProductModelRecord, UserRecord
from desktop_app.services.dto import StoredCompany

_COMPANY_ROW = 1  # the only row of the company table


def model_from_record(r: ProductModelRecord) -> ProductModel:
    return ProductModel(
        ModelCode(r.code),
        r.name,
        Technology(r.technology),
        r.discontinued_from,
        r.warranty_months,
        r.maintenance_interval_days,
        r.notes,
    )


def _write(record: ProductModelRecord, model: ProductModel) -> None:
    record.name = model.name
    record.technology = model.technology.value
    record.discontinued_from = model.discontinued_from
    record.warranty_months = model.warranty_months
    record.maintenance_interval_days = model.maintenance_interval_days
    record.notes = model.notes


class SqlProductRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def models(self) -> list[tuple[ProductModel, int, int]]:
        """Every model by name, with its row version and how many machines are registered of it."""
        counts = select(MachineRecord.model_code, func.count().label("n")).group_by(MachineRecord.model_code).subquery()
        rows = self._session.execute(
            select(ProductModelRecord, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.model_code == ProductModelRecord.code)
            .order_by(ProductModelRecord.name, ProductModelRecord.code)
        )
        return [(model_from_record(r), r.version, int(n)) for r, n in rows]

    def get(self, code: str) -> tuple[ProductModel, int] | None:
        """The model and its row version."""
        r = self._session.get(ProductModelRecord, code)
        return None if r is None else (model_from_record(r), r.version)

    def exists_like(self, code: str) -> bool:
        """Whether a model has this code, whatever its letters' case (codes are compared upper case)."""
        found = self._session.scalar(
            select(ProductModelRecord.code).where(func.upper(ProductModelRecord.code) == code.upper()).limit(1)
        )
        return found is not None

    def add(self, model: ProductModel) -> None:
        record = ProductModelRecord(code=model.code)
        _write(record, model)
        self._session.add(record)
        self._session.flush()

    def update(self, model: ProductModel, expected_version: int) -> None:
        """Raises ConflictError when the record changed since expected_version."""
        record = self._session.get(ProductModelRecord, model.code)
        if record is None:
            raise NotFoundError(_("Model {code} does not exist.").format(code=model.code))
        if record.version != expected_version:
            raise ConflictError(_("Someone else changed this model meanwhile. Nothing was saved."))
        _write(record, model)
        self._session.flush()


class SqlCompanyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self) -> StoredCompany | None:
        """The saved company data, or None when nobody saved it yet (a new installation)."""
        r = self._session.get(CompanyRecord, _COMPANY_ROW)
        if r is None:
            return None
        author = self._session.get(UserRecord, r.updated_by) if r.updated_by is not None else None
        profile = CompanyProfile(**{name: getattr(r, name) for name in COMPANY_FIELDS})
        return StoredCompany(profile, r.version, r.updated_at, author.full_name if author else "")

    def save(self, profile: CompanyProfile, *, at: datetime, by: UserId | None, expected_version: int | None) -> None:
        """Write the company data; expected_version None: the first save (no row yet).

        Raises:
            ConflictError: someone saved meanwhile (the row appeared, or its version moved).
        """
        record = self._session.get(CompanyRecord, _COMPANY_ROW)
        if (record is None) != (expected_version is None) or (
            record is not None and record.version != expected_version
        ):
            raise ConflictError(_("Someone else changed the company data meanwhile. Nothing was saved."))
        if record is None:
            record = CompanyRecord(id=_COMPANY_ROW)
            self._session.add(record)
        for name in COMPANY_FIELDS:
            setattr(record, name, getattr(profile, name))
        record.updated_at = at
        record.updated_by = by
        self._session.flush()
