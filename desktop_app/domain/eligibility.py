"""Who gets support, and how (R3, R5, R6).

Three outcomes: a plan contract covers the machine; free support applies (all five conditions,
virtual by e-mail only); or support is refused, naming every condition that fails so the agent
can tell the customer what to do (contract a plan, pay the balance, book the training…).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from desktop_app.domain.ids import ContractId, PlanCode
from desktop_app.domain.model import ONSITE_CITIES, Channel, Contract, Customer, Machine, ProductModel
from desktop_app.domain.policy import WARRANTY_PLAN, PolicySettings


class Coverage(StrEnum):
    PLAN = "plan"
    SPECIAL_CONTRACT = "special_contract"  # a discontinued model kept under a special contract (R5)
    FREE_SUPPORT = "free_support"
    NONE = "none"


class Condition(StrEnum):
    """The five conditions of free support (R3)."""

    PAID_UP = "paid_up"
    IN_WARRANTY = "in_warranty"
    TRAINED = "trained"
    NO_UNAUTHORIZED_INTERVENTION = "no_unauthorized_intervention"
    MAINTENANCE_DONE = "maintenance_done"


class Refusal(StrEnum):
    DISCONTINUED = "discontinued"  # R5
    NOT_ELIGIBLE = "not_eligible"  # R3: no plan and a free-support condition fails


@dataclass(frozen=True)
class Eligibility:
    coverage: Coverage
    plan_code: PlanCode | None
    contract_id: ContractId | None
    contract_valid_to: date | None
    channels: frozenset[Channel]
    failed_conditions: tuple[Condition, ...]
    refusal: Refusal | None
    discontinued_from: date | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def in_warranty(warranty_end: date, today: date) -> bool:
    """R5: a machine is under warranty through the last day of its warranty."""
    return today <= warranty_end


def free_support_failures(
    customer: Customer, machine: Machine, policy: PolicySettings, today: date, model: ProductModel | None = None
) -> tuple[Condition, ...]:
    failed = []
    if not customer.paid_up:
        failed.append(Condition.PAID_UP)
    if not in_warranty(machine.warranty_end, today):
        failed.append(Condition.IN_WARRANTY)
    if not customer.trained:
        failed.append(Condition.TRAINED)
    if machine.unauthorized_intervention:
        failed.append(Condition.NO_UNAUTHORIZED_INTERVENTION)
    if not maintenance_done(machine, policy, today, model.maintenance_interval_days if model else None):
        failed.append(Condition.MAINTENANCE_DONE)
    return tuple(failed)


def maintenance_done(machine: Machine, policy: PolicySettings, today: date, interval_days: int | None = None) -> bool:
    """The mandatory preventive maintenance is up to date: the last one is recent enough, or the
    machine is younger than one maintenance interval. The interval is the model's when the
    catalogue gives one (interval_days), the policy's otherwise."""
    interval = timedelta(days=interval_days or policy.maintenance_interval_days)
    if machine.last_preventive_maintenance is not None:
        return today - machine.last_preventive_maintenance <= interval
    return today - machine.purchase_date <= interval


def _channels(policy: PolicySettings, plan_code: PlanCode, city: str) -> frozenset[Channel]:
    plan = policy.plan(plan_code)
    if plan_code == WARRANTY_PLAN:
        return frozenset({Channel.EMAIL})
    channels = {Channel.EMAIL, Channel.PHONE}
    if plan.onsite and city in ONSITE_CITIES:
        channels.add(Channel.ONSITE)
    return frozenset(channels)


def check_eligibility(
    customer: Customer,
    machine: Machine,
    model: ProductModel,
    contracts: Sequence[Contract],
    policy: PolicySettings,
    today: date,
) -> Eligibility:
    covering = sorted(
        (c for c in contracts if machine.id in c.machine_ids and c.is_valid_on(today)),
        key=lambda c: (policy.plan(c.plan_code).rank, c.valid_to),
    )
    if model.is_discontinued(today):
        special = next((c for c in covering if c.special), None)
        if special is None:
            return Eligibility(
                Coverage.NONE,
                None,
                None,
                None,
                frozenset(),
                (),
                Refusal.DISCONTINUED,
                model.discontinued_from,
            )
        return Eligibility(
            Coverage.SPECIAL_CONTRACT,
            special.plan_code,
            special.id,
            special.valid_to,
            _channels(policy, special.plan_code, customer.city),
            (),
            None,
            model.discontinued_from,
        )
    if covering:
        best = covering[0]
        return Eligibility(
            Coverage.PLAN,
            best.plan_code,
            best.id,
            best.valid_to,
            _channels(policy, best.plan_code, customer.city),
            (),
            None,
        )
    failed = free_support_failures(customer, machine, policy, today, model)
    if failed:
        return Eligibility(Coverage.NONE, None, None, None, frozenset(), failed, Refusal.NOT_ELIGIBLE)
    return Eligibility(
        Coverage.FREE_SUPPORT, WARRANTY_PLAN, None, machine.warranty_end, frozenset({Channel.EMAIL}), (), None
    )
