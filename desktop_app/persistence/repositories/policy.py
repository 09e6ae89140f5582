"""The policy: append-only versions, projected into the plan, severity and response-target tables."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop_app.domain.ids import UserId
from desktop_app.domain.policy import PolicySettings, from_document, to_document
from desktop_app.persistence.tables import (
    PlanRecord,
    PolicyVersionRecord,
    ResponseTargetRecord,
    SeverityRecord,
    TicketRecord,
)


class SqlPolicyRepository:
    """Policy versions (append-only JSON documents) and their projection into plans, severities and
    response_targets, which the queue joins."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _latest(self) -> PolicyVersionRecord | None:
        return self._session.scalars(
            select(PolicyVersionRecord).order_by(PolicyVersionRecord.id.desc()).limit(1)
        ).first()

    def load(self) -> PolicySettings | None:
        latest = self._latest()
        return None if latest is None else from_document(json.loads(latest.document))

    def current_version(self) -> int | None:
        latest = self._latest()
        return None if latest is None else latest.id

    def save(self, policy: PolicySettings, *, at: datetime, author_id: UserId | None = None, note: str = "") -> int:
        session = self._session
        record = PolicyVersionRecord(
            created_at=at,
            author_id=author_id,
            note=note,
            document=json.dumps(to_document(policy), ensure_ascii=False, sort_keys=True),
        )
        session.add(record)
        self._project(policy)
        session.flush()
        return record.id

    def _project(self, policy: PolicySettings) -> None:
        session = self._session
        for plan in policy.plans:
            plan_record = session.get(PlanRecord, plan.code) or PlanRecord(code=plan.code)
            plan_record.name = plan.name
            plan_record.rank = plan.rank
            plan_record.onsite = plan.onsite
            plan_record.included_advisory_hours = plan.included_advisory_hours
            plan_record.included_maintenances = plan.included_maintenances
            plan_record.price_before_iva = plan.price_before_iva
            session.add(plan_record)
        severity_records = {
            severity: session.get(SeverityRecord, severity.value) or SeverityRecord(code=severity.value)
            for severity in policy.severities
        }
        # A severity's rank is unique: when the order changes, park the moving ranks out of the way
        # first, or swapping two of them would collide in the middle of the flush.
        moving = [
            record
            for severity, record in severity_records.items()
            if record.rank is not None and record.rank != policy.severity_rank(severity)
        ]
        for parked, record in enumerate(moving, start=1):
            record.rank = -parked
        session.flush()
        for severity, record in severity_records.items():
            record.rank = policy.severity_rank(severity)
            session.add(record)
        session.flush()
        # The queue reads ranks off the tickets (see TicketRecord.plan_rank): keep them in step.
        for plan in policy.plans:
            session.execute(update(TicketRecord).where(TicketRecord.plan_code == plan.code).values(plan_rank=plan.rank))
        for severity in policy.severities:
            session.execute(
                update(TicketRecord)
                .where(TicketRecord.severity == severity.value)
                .values(severity_rank=policy.severity_rank(severity))
            )
        for (plan_code, severity), hours in policy.response_hours.items():
            target = session.get(ResponseTargetRecord, (plan_code, severity.value)) or ResponseTargetRecord(
                plan_code=plan_code, severity_code=severity.value
            )
            target.hours = hours
            session.add(target)
