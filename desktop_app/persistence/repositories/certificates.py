"""Issued certificates (R15): numbered, added, read back for verification and revoked; never deleted."""

from __future__ import annotations

import base64
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.domain.ids import ContractId, UserId
from desktop_app.errors import NotFoundError
from desktop_app.i18n import _
from desktop_app.persistence._common import next_in_year
from desktop_app.persistence.tables import CertificateCounterRecord, CertificateRecord
from desktop_app.services.dto import StoredCertificate


def _stored_certificate(r: CertificateRecord) -> StoredCertificate:
    return StoredCertificate(
        r.number,
        ContractId(r.contract_id),
        r.issued_at,
        r.key_id,
        base64.b64decode(r.payload),
        r.revoked_at,
        r.revoked_reason,
    )


class SqlCertificateRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def next_number(self, year: int) -> str:
        return f"CERT-{year}-{next_in_year(self._session, CertificateCounterRecord, year):05d}"

    def add(self, certificate: StoredCertificate, issued_by: UserId | None) -> None:
        self._session.add(
            CertificateRecord(
                number=certificate.number,
                contract_id=certificate.contract_id,
                issued_at=certificate.issued_at,
                issued_by=issued_by,
                key_id=certificate.key_id,
                # The exact signed bytes (deflated), kept as base64 text.
                payload=base64.b64encode(certificate.payload).decode("ascii"),
                revoked_at=None,
                revoked_reason="",
            )
        )
        self._session.flush()

    def get(self, number: str) -> StoredCertificate | None:
        record = self._session.scalar(select(CertificateRecord).where(CertificateRecord.number == number))
        return None if record is None else _stored_certificate(record)

    def for_contract(self, contract_id: ContractId) -> list[StoredCertificate]:
        rows = self._session.scalars(
            select(CertificateRecord)
            .where(CertificateRecord.contract_id == contract_id)
            .order_by(CertificateRecord.issued_at.desc(), CertificateRecord.id.desc())
        )
        return [_stored_certificate(r) for r in rows]

    def revoked(self) -> list[StoredCertificate]:
        """Every revoked certificate, by number (the list the web verifier publishes)."""
        rows = self._session.scalars(
            select(CertificateRecord)
            .where(CertificateRecord.revoked_at.is_not(None))
            .order_by(CertificateRecord.number)
        )
        return [_stored_certificate(r) for r in rows]

    def revoke(self, number: str, at: datetime, reason: str) -> None:
        record = self._session.scalar(select(CertificateRecord).where(CertificateRecord.number == number))
        if record is None:
            raise NotFoundError(_("There is no certificate {number}.").format(number=number))
        record.revoked_at = at
        record.revoked_reason = reason
        self._session.flush()
