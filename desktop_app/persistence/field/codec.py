"""A field command as an outbox row and back (JSON in text columns: SQLite has no JSON type)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from desktop_app.domain.field_sync import (
    CommandKind,
    CommandState,
    Decision,
    FieldClash,
    FieldCommand,
    TicketRef,
    Verdict,
)


def _ref_json(ref: TicketRef) -> str:
    return json.dumps({key: value for key, value in vars(ref).items() if value is not None})


def _decision_json(decision: Decision | None) -> str:
    if decision is None:
        return ""
    return json.dumps(
        {
            "verdict": decision.verdict.value,
            "refused": decision.refused,
            "clashes": [vars(clash) for clash in decision.clashes],
        },
        ensure_ascii=False,
    )


def _decision(text: str) -> Decision | None:
    if not text:
        return None
    data = json.loads(text)
    clashes = tuple(FieldClash(**clash) for clash in data.get("clashes", ()))
    return Decision(Verdict(data["verdict"]), clashes, data.get("refused", ""))


def command_row(command: FieldCommand, *, result: Mapping[str, object] | None = None) -> dict[str, Any]:
    """The outbox row's columns (but its seq, which the database numbers)."""
    return {
        "command_id": command.command_id,
        "kind": command.kind.value,
        "method": command.method,
        "ticket_ref": _ref_json(command.ticket),
        "payload": json.dumps(command.payload, ensure_ascii=False),
        "base": json.dumps(dict(command.base), ensure_ascii=False),
        "mine": json.dumps(dict(command.mine), ensure_ascii=False),
        "happened_at": command.happened_at,
        "copied_at": command.copied_at,
        "state": command.state.value,
        "conflict": _decision_json(command.decision),
        "result": json.dumps(dict(result if result is not None else command.result)),
        "settled_at": None,
        "settled_how": command.settled_how,
    }


def state_columns(command: FieldCommand) -> dict[str, Any]:
    """The columns a sync or a settlement changes."""
    return {
        "state": command.state.value,
        "conflict": _decision_json(command.decision),
        "result": json.dumps(dict(command.result)),
        "settled_how": command.settled_how,
        "mine": json.dumps(dict(command.mine), ensure_ascii=False),
        "payload": json.dumps(command.payload, ensure_ascii=False),
    }


def command_of(row: Any) -> FieldCommand:
    return FieldCommand(
        command_id=row.command_id,
        kind=CommandKind(row.kind),
        method=row.method,
        ticket=TicketRef(**json.loads(row.ticket_ref)),
        payload=json.loads(row.payload),
        happened_at=row.happened_at,
        copied_at=row.copied_at,
        base=json.loads(row.base),
        mine=json.loads(row.mine),
        seq=row.seq,
        state=CommandState(row.state),
        decision=_decision(row.conflict),
        result=json.loads(row.result or "{}"),
        settled_how=row.settled_how,
    )
