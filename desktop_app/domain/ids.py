"""Typed ids, so a customer id can never be passed where a ticket id is expected."""

from typing import NewType

CustomerId = NewType("CustomerId", int)
ContactId = NewType("ContactId", int)
MachineId = NewType("MachineId", int)
ContractId = NewType("ContractId", int)
TicketId = NewType("TicketId", int)
UserId = NewType("UserId", int)
AttachmentId = NewType("AttachmentId", int)
VisitId = NewType("VisitId", int)
TrainingId = NewType("TrainingId", int)
PlanCode = NewType("PlanCode", str)
ModelCode = NewType("ModelCode", str)

MAX_ID = 2**63 - 1  # the largest id a database column holds (SQLite INTEGER, PostgreSQL BIGINT)


def parse_id(text: str) -> int | None:
    """The id a person typed, or None when the text cannot be one (not plain digits, 0, or too
    large for the database, which would otherwise fail instead of finding nothing)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):  # "²".isdigit() is True, yet int() refuses it
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
