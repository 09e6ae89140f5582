"""The one place a machine's entitlement is read from the database and judged (R3, R5): intake and
the machine lookup must never disagree about it."""

from __future__ import annotations

from datetime import date

from desktop_app.domain.eligibility import Eligibility, check_eligibility
from desktop_app.domain.ids import MachineId
from desktop_app.domain.policy import PolicySettings
from desktop_app.errors import NotFoundError
from desktop_app.i18n import _
from desktop_app.services.ports import UnitOfWork


def machine_eligibility(uow: UnitOfWork, machine_id: MachineId, policy: PolicySettings, today: date) -> Eligibility:
    machine = uow.catalog.get_machine(machine_id)
    if machine is None:
        raise NotFoundError(_("Machine {id} does not exist.").format(id=machine_id))
    customer = uow.catalog.get_customer(machine.customer_id)
    model = uow.catalog.get_model(machine.model_code)
    assert customer is not None and model is not None, "foreign keys guarantee both"
    return check_eligibility(customer, machine, model, uow.contracts.covering(machine_id), policy, today)
