"""The one place a machine's entitlement is read from the database and judged (R3, R5), and a
visit is shown with its R16 flag: the ticket, intake and the machine page must never disagree."""

from __future__ import annotations

from datetime import date

from desktop_app.domain.eligibility import Eligibility, check_eligibility
from desktop_app.domain.ids import MachineId
from desktop_app.domain.model import Visit
from desktop_app.domain.policy import PolicySettings
from desktop_app.domain.visits import is_long_maintenance
from desktop_app.errors import NotFoundError
from desktop_app.i18n import _
from desktop_app.services.dto import VisitInfo
from desktop_app.services.ports import UnitOfWork


def machine_eligibility(uow: UnitOfWork, machine_id: MachineId, policy: PolicySettings, today: date) -> Eligibility:
    machine = uow.catalog.get_machine(machine_id)
    if machine is None:
        raise NotFoundError(_("Machine {id} does not exist.").format(id=machine_id))
    customer = uow.catalog.get_customer(machine.customer_id)
    model = uow.catalog.get_model(machine.model_code)
    assert customer is not None and model is not None, "foreign keys guarantee both"
    return check_eligibility(customer, machine, model, uow.contracts.covering(machine_id), policy, today)


def visit_info(visit: Visit, technician_name: str, max_maintenance_hours: int) -> VisitInfo:
    assert visit.id is not None, "a stored visit"
    return VisitInfo(
        visit.id,
        technician_name,
        visit.city,
        visit.started_at,
        visit.ended_at,
        visit.work_done,
        visit.parts,
        visit.travel_expenses,
        visit.maintenance,
        is_long_maintenance(visit.maintenance, visit.started_at, visit.ended_at, max_maintenance_hours),
    )
