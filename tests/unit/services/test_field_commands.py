"""A field command's arguments survive JSON: what the laptop recorded is what the office replays."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from desktop_app.domain.field_sync import CommandKind
from desktop_app.domain.ids import MachineId, UserId
from desktop_app.domain.model import Channel, Severity
from desktop_app.services.field.commands import RECORDED, decode, encode, file_hashes
from desktop_app.services.tickets import IntakeRequest, NewAttachment, TicketChanges, TicketService, VisitRequest


class FolderStore:
    """The AttachmentStore port over a folder, as the laptop's store is."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, content: bytes) -> str:
        sha = hashlib.sha256(content).hexdigest()
        self.path_for(sha).write_bytes(content)
        return sha

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256


def _through_json(method: str, arguments: dict[str, object], store: FolderStore) -> dict[str, object]:
    payload = json.loads(json.dumps(encode(method, arguments, store)))
    return decode(method, payload, store)


def test_a_new_ticket_with_its_photos_round_trips(tmp_path: Path) -> None:
    store = FolderStore(tmp_path)
    request = IntakeRequest(
        machine_id=MachineId(7),
        description="No extruye; ruido en el motor.",
        severity=Severity.CRITICAL,
        channel=Channel.ONSITE,
        assigned_agent_id=UserId(8),
        attachments=(NewAttachment("motor.jpg", b"\xff\xd8 foto", "image/jpeg"),),
        contact_email="jefe@cliente.co",
    )
    payload = encode("create_ticket", {"request": request, "actor": object()}, store)
    assert file_hashes(payload) == [hashlib.sha256(b"\xff\xd8 foto").hexdigest()]
    assert "actor" not in payload and b"foto" not in json.dumps(payload).encode()  # files travel by hash
    assert _through_json("create_ticket", {"request": request}, store) == {"request": request}


def test_a_visit_and_a_ticket_edit_round_trip(tmp_path: Path) -> None:
    store = FolderStore(tmp_path)
    visit = VisitRequest(
        technician_id=UserId(8),
        city="Bogotá",
        started_at=datetime(2026, 11, 26, 13, 40, tzinfo=UTC),
        ended_at=datetime(2026, 11, 26, 15, 50, tzinfo=UTC),
        work_done="Correa tensada.",
        parts="Correa GT2",
        travel_expenses=35_000,
        maintenance=True,
    )
    assert _through_json("record_visit", {"ticket_id": 3, "request": visit}, store) == {"request": visit}
    changes = TicketChanges(severity=Severity.LOW, agent_id=UserId(4), comment="Ajustado.", minutes_spent=25)
    assert _through_json("update_ticket", {"ticket_id": 3, "changes": changes, "expected_version": 2}, store) == {
        "changes": changes
    }


def test_every_recorded_method_is_a_ticket_service_method_and_the_edits_name_their_fields() -> None:
    assert all(callable(getattr(TicketService, name, None)) for name in RECORDED)
    edit = RECORDED["update_ticket"]
    assert edit.kind is CommandKind.EDIT
    payload = {"changes": {"description": None, "severity": "alta", "agent_id": 4, "channel": None}}
    assert edit.fields(payload) == ("severity", "agent_id")
    assert RECORDED["close_solved"].fields({}) == ("status", "escalation_level")
    assert RECORDED["add_comment"].kind is CommandKind.COMMENT
