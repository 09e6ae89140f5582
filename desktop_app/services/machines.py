"""Finding a machine and what its owner is entitled to: where every new ticket starts (R1, R2)."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.domain.eligibility import Eligibility
from desktop_app.domain.ids import MachineId, TicketId
from desktop_app.domain.model import TicketStatus
from desktop_app.errors import NotFoundError
from desktop_app.i18n import _
from desktop_app.services.dto import MachineSummary
from desktop_app.services.entitlement import machine_eligibility
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import Clock, UnitOfWorkFactory

SEARCH_LIMIT = 50


@dataclass(frozen=True)
class MachineLookup:
    """What intake shows before anything is typed: the machine, its owner's coverage, and the
    tickets already open for it (so a second ticket for the same fault is not opened by mistake)."""

    machine: MachineSummary
    eligibility: Eligibility
    plan_name: str
    open_tickets: tuple[tuple[TicketId, str, TicketStatus], ...]


class MachineService:
    def __init__(self, uow_factory: UnitOfWorkFactory, policy: PolicyService, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._policy = policy
        self._clock = clock

    def search(self, text: str, limit: int = SEARCH_LIMIT) -> list[MachineSummary]:
        """Machines matching every word of text in serial, model, customer, tax id or city."""
        with self._uow_factory() as uow:
            return uow.catalog.search_machines(text, limit)

    def lookup(self, machine_id: MachineId) -> MachineLookup:
        today = self._clock.now().astimezone(self._policy.calendar().tz).date()
        policy = self._policy.policy()
        with self._uow_factory() as uow:
            machine = uow.catalog.machine_summary(machine_id)
            if machine is None:
                raise NotFoundError(_("Machine {id} does not exist.").format(id=machine_id))
            eligibility = machine_eligibility(uow, machine_id, policy, today)
            open_tickets = tuple(uow.tickets.open_tickets_for_machine(machine_id))
        plan_name = ""
        if eligibility.plan_code is not None:
            plan_name = next((p.name for p in policy.plans if p.code == eligibility.plan_code), eligibility.plan_code)
        return MachineLookup(machine, eligibility, plan_name, open_tickets)
