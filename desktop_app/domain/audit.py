"""R18: what an audit entry records, and the field-by-field difference between two versions."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from desktop_app.domain.ids import UserId


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor_id: UserId | None
    entity: str  # "ticket", "policy", "user", "contract"
    entity_id: str
    action: str  # "create", "update", "sign_in_locked"…
    changes: dict[str, tuple[str, str]]  # field -> (before, after), as text


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def diff(before: Any, after: Any, names: tuple[str, ...] | None = None) -> dict[str, tuple[str, str]]:
    """Fields of two dataclass instances that differ, as text (before, after)."""
    assert is_dataclass(before) and is_dataclass(after)
    wanted = names or tuple(f.name for f in fields(before))
    changes = {}
    for name in wanted:
        old, new = as_text(getattr(before, name)), as_text(getattr(after, name))
        if old != new:
            changes[name] = (old, new)
    return changes
