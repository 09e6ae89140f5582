"""R18: the audit log, per record for everyone who may see the record, searchable by an administrator.

Entries are stored with internal ids and field codes ("ticket 285", "escalation_level"); people read
them by their references ("SOP-2026-00285", "Nivel de escalamiento: 1 → 3"). This service words each
page of entries: the records they name are looked up in one batch (one query per kind of record,
never one per row), fields get their labels and values their words in the interface language.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from desktop_app.domain.ids import UserId
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.domain.policy import DEFAULT_TIMEZONE
from desktop_app.errors import PermissionDeniedError
from desktop_app.formatting import format_date, format_datetime, format_money
from desktop_app.i18n import _
from desktop_app.services.dto import AuditFieldChange, AuditView, RecordRef
from desktop_app.services.ports import UnitOfWork, UnitOfWorkFactory
from desktop_app.services.text_input import clean_search
from desktop_app.wording import audit_code_label, audit_field_label

# Recorded fields whose values are ids of other records, and the kind of record (the audited
# fields of tickets, contracts, machines, visits and certificates).
_REFERENCE_FIELDS = {
    "assigned_agent_id": "user",
    "technician_id": "user",
    "customer_id": "customer",
    "machine_ids": "machine",
    "contract_id": "contract",
    "renews_id": "contract",
    "ticket_id": "ticket",
}
# Entries about these kinds of record are named by the record's reference (entity_id is its id,
# or a certificate's number); a policy entry by its version.
_NAMED_ENTITIES = frozenset({"ticket", "contract", "machine", "user", "visit", "certificate"})
_DATETIME_FIELDS = frozenset({"closed_at", "started_at", "ended_at"})
_DATE_FIELDS = frozenset(
    {"valid_from", "valid_to", "purchase_date", "warranty_end", "last_preventive_maintenance", "discontinued_from"}
)
_MONEY_FIELDS = frozenset({"price_before_iva", "travel_expenses", "out_of_plan_hour_rate"})
_DIGITS = re.compile(r"\d+")


class AuditService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def history_of(self, actor: Actor, entity: str, entity_id: int | str) -> list[AuditView]:
        """The record's changes, newest first, worded (see `search`)."""
        if not allows(actor, Permission.VIEW):
            raise PermissionDeniedError(_("Your role does not allow this action."))
        with self._uow_factory() as uow:
            return _worded(uow, uow.queries.audit.search(entity=entity, entity_id=str(entity_id)))

    def search(
        self, actor: Actor, *, entity: str = "", actor_id: UserId | None = None, text: str = "", limit: int = 500
    ) -> list[AuditView]:
        """Entries newest first. Each carries `record` (the record by its human reference and the page
        that opens it) and `fields` (label, before, after in words); `changes` keeps the stored codes.
        The text matches the stored changes or a record's reference (ticket number, invoice, serial)."""
        if not allows(actor, Permission.VIEW_AUDIT):
            raise PermissionDeniedError(_("Only an administrator can search the audit log."))
        with self._uow_factory() as uow:
            return _worded(
                uow, uow.queries.audit.search(entity=entity, actor_id=actor_id, text=clean_search(text), limit=limit)
            )


def _worded(uow: UnitOfWork, entries: Sequence[AuditView]) -> list[AuditView]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.entity in _NAMED_ENTITIES:
            wanted[entry.entity].add(entry.entity_id)
        for name, values in entry.changes.items():
            kind = _REFERENCE_FIELDS.get(name)
            if kind is not None:
                for value in values:
                    wanted[kind].update(_DIGITS.findall(value))
    refs = uow.queries.audit.references(wanted) if wanted else {}
    policy = uow.policy.load()
    tz = ZoneInfo(policy.timezone if policy else DEFAULT_TIMEZONE)
    plan_names = {str(plan.code): plan.name for plan in policy.plans} if policy else {}
    worded = []
    for entry in entries:
        fields = tuple(
            AuditFieldChange(
                name,
                audit_field_label(name),
                _value_text(name, before, refs, tz, plan_names),
                _value_text(name, after, refs, tz, plan_names),
            )
            for name, (before, after) in sorted(entry.changes.items(), key=lambda item: audit_field_label(item[0]))
        )
        worded.append(replace(entry, record=_record(entry, refs), fields=fields))
    return worded


def _record(entry: AuditView, refs: dict[tuple[str, str], RecordRef]) -> RecordRef:
    if entry.entity == "policy":
        return RecordRef(_("version {number}").format(number=entry.entity_id))
    # A record deleted since (or an entity nobody named yet) keeps its stored id.
    return refs.get((entry.entity, entry.entity_id), RecordRef(entry.entity_id))


def _value_text(
    name: str, value: str, refs: dict[tuple[str, str], RecordRef], tz: tzinfo, plan_names: dict[str, str]
) -> str:
    """A stored value as people read it; the stored text when it cannot be read as expected."""
    if not value:
        return ""
    kind = _REFERENCE_FIELDS.get(name)
    if kind is not None:
        return ", ".join(
            refs[(kind, number)].label if (kind, number) in refs else number for number in _DIGITS.findall(value)
        )
    coded = audit_code_label(name, value)
    if coded is not None:
        return coded
    try:
        if name == "plan_code":
            return plan_names.get(value, value)
        if name in _DATETIME_FIELDS:
            return format_datetime(datetime.fromisoformat(value), tz)
        if name in _DATE_FIELDS:
            return format_date(date.fromisoformat(value))
        if name in _MONEY_FIELDS:
            return format_money(int(value))
    except ValueError:
        pass
    return value
