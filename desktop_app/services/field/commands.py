"""Which ticket changes a field laptop records, and how each call becomes JSON and back.

A command is the call a technician's change made on the field copy (`TicketService.<method>` and
its arguments), so the office replays it through its own services and rules. Files travel as their
SHA-256: their bytes go up first (services/field/sync.py) and are read from the store on replay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop_app.domain.field_sync import EDIT_FIELDS, CommandKind
from desktop_app.domain.ids import MachineId, UserId
from desktop_app.domain.mail_templates import TemplateCode
from desktop_app.domain.model import Channel, Severity
from desktop_app.services.dto import TicketDetail
from desktop_app.services.ports import AttachmentStore
from desktop_app.services.tickets import IntakeRequest, NewAttachment, TicketChanges, VisitRequest

# The ticket's fields a field edit or a status change is judged on (domain.field_sync.decide).
TICKET_FIELDS = ("status", "escalation_level", "severity", "agent_id", "description", "channel")
STATUS_FIELDS = ("status", "escalation_level")  # what a status change was decided on


def ticket_values(detail: TicketDetail, fields: Sequence[str] = TICKET_FIELDS) -> dict[str, str | None]:
    """The ticket's fields as the text decide() compares."""
    values: dict[str, str | None] = {}
    for name in fields:
        value = getattr(detail, name)
        values[name] = None if value is None else str(getattr(value, "value", value))
    return values


def files_out(files: Sequence[NewAttachment], store: AttachmentStore) -> list[dict[str, str]]:
    return [{"filename": f.filename, "media_type": f.media_type, "sha256": store.put(f.content)} for f in files]


def files_in(files: Sequence[Mapping[str, str]], store: AttachmentStore) -> tuple[NewAttachment, ...]:
    return tuple(
        NewAttachment(f["filename"], store.path_for(f["sha256"]).read_bytes(), f.get("media_type", "")) for f in files
    )


@dataclass(frozen=True)
class Recorded:
    """A TicketService method the field copy records: its kind, and the fields it sets (EDIT) or
    was decided on (STATUS), as the office must still hold them for it to apply unseen."""

    kind: CommandKind
    fields: Callable[[Mapping[str, Any]], tuple[str, ...]] = lambda _payload: ()


def _edit_fields(payload: Mapping[str, Any]) -> tuple[str, ...]:
    source = payload.get("changes", payload)
    return tuple(field for field in EDIT_FIELDS if source.get(field) is not None)


RECORDED: dict[str, Recorded] = {
    "create_ticket": Recorded(CommandKind.NEW_TICKET),
    "update_ticket": Recorded(CommandKind.EDIT, _edit_fields),  # its comment goes as a COMMENT
    "edit_ticket": Recorded(CommandKind.EDIT, _edit_fields),
    "change_severity": Recorded(CommandKind.EDIT, _edit_fields),
    "assign": Recorded(CommandKind.EDIT, _edit_fields),
    "add_comment": Recorded(CommandKind.COMMENT),
    "reply_to_customer": Recorded(CommandKind.COMMENT),
    "add_attachments": Recorded(CommandKind.ATTACHMENT),
    "log_contact_attempt": Recorded(CommandKind.CONTACT_ATTEMPT),
    "record_visit": Recorded(CommandKind.VISIT),
    "request_information": Recorded(CommandKind.STATUS, lambda _p: STATUS_FIELDS),
    "set_waiting": Recorded(CommandKind.STATUS, lambda _p: STATUS_FIELDS),
    "resume": Recorded(CommandKind.STATUS, lambda _p: STATUS_FIELDS),
    "close_solved": Recorded(CommandKind.STATUS, lambda _p: STATUS_FIELDS),
    "close_no_response": Recorded(CommandKind.STATUS, lambda _p: STATUS_FIELDS),
    "mark_out_of_scope": Recorded(CommandKind.STATUS, lambda _p: STATUS_FIELDS),
    "reopen": Recorded(CommandKind.STATUS, lambda _p: STATUS_FIELDS),
    "escalate": Recorded(CommandKind.STATUS, lambda _p: STATUS_FIELDS),
}


# -- arguments to JSON and back --------------------------------------------------------------------


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def encode(method: str, arguments: Mapping[str, Any], store: AttachmentStore) -> dict[str, Any]:
    """The call's arguments (but the ticket and the actor) as JSON values."""
    payload: dict[str, Any] = {}
    for name, value in arguments.items():
        if name in ("ticket_id", "actor", "expected_version"):
            continue
        if isinstance(value, TicketChanges):
            payload[name] = {
                "description": value.description,
                "severity": _value(value.severity),
                "agent_id": value.agent_id,
                "comment": value.comment,
                "to_customer": value.to_customer,
                "channel": _value(value.channel),
                "minutes_spent": value.minutes_spent,
            }
        elif isinstance(value, IntakeRequest):
            payload[name] = {
                "machine_id": value.machine_id,
                "description": value.description,
                "severity": value.severity.value,
                "channel": value.channel.value,
                "assigned_agent_id": value.assigned_agent_id,
                "attachments": files_out(value.attachments, store),
                "contact_email": value.contact_email,
            }
        elif isinstance(value, VisitRequest):
            payload[name] = {
                "technician_id": value.technician_id,
                "city": value.city,
                "started_at": value.started_at.isoformat(),
                "ended_at": value.ended_at.isoformat(),
                "work_done": value.work_done,
                "parts": value.parts,
                "travel_expenses": value.travel_expenses,
                "maintenance": value.maintenance,
            }
        elif name == "attachments":
            payload[name] = files_out(value, store)
        else:
            payload[name] = _value(value)
    return payload


def decode(method: str, payload: Mapping[str, Any], store: AttachmentStore) -> dict[str, Any]:
    """The keyword arguments that replay the call (but the ticket and the actor)."""
    arguments: dict[str, Any] = {}
    for name, value in payload.items():
        if name == "changes":
            arguments[name] = TicketChanges(
                description=value["description"],
                severity=Severity(value["severity"]) if value["severity"] else None,
                agent_id=UserId(value["agent_id"]) if value["agent_id"] is not None else None,
                comment=value["comment"],
                to_customer=value["to_customer"],
                channel=Channel(value["channel"]) if value["channel"] else None,
                minutes_spent=value["minutes_spent"],
            )
        elif name == "request" and method == "create_ticket":
            arguments[name] = IntakeRequest(
                machine_id=MachineId(value["machine_id"]),
                description=value["description"],
                severity=Severity(value["severity"]),
                channel=Channel(value["channel"]),
                assigned_agent_id=value["assigned_agent_id"],
                attachments=files_in(value["attachments"], store),
                contact_email=value["contact_email"],
            )
        elif name == "request" and method == "record_visit":
            arguments[name] = VisitRequest(
                technician_id=UserId(value["technician_id"]),
                city=value["city"],
                started_at=datetime.fromisoformat(value["started_at"]),
                ended_at=datetime.fromisoformat(value["ended_at"]),
                work_done=value["work_done"],
                parts=value["parts"],
                travel_expenses=value["travel_expenses"],
                maintenance=value["maintenance"],
            )
        elif name == "attachments":
            arguments[name] = files_in(value, store)
        elif name == "severity":
            arguments[name] = Severity(value)
        elif name == "channel":
            arguments[name] = Channel(value) if value else None
        elif name == "template":
            arguments[name] = TemplateCode(value) if value else None
        else:
            arguments[name] = value
    return arguments


def file_hashes(payload: Mapping[str, Any]) -> list[str]:
    """The SHA-256 of every file a command carries (they go up before it is replayed)."""
    files = list(payload.get("attachments", ()))
    request = payload.get("request")
    if isinstance(request, Mapping):
        files.extend(request.get("attachments", ()))
    return [f["sha256"] for f in files]
