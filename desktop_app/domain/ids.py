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
PlanCode = NewType("PlanCode", str)
ModelCode = NewType("ModelCode", str)
