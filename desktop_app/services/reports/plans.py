"""Plans (R6, R17): what each contract used of its plan, the renewal list (contracts ending in
the next 30/60/90 days), and the billable lines of the period's work — the same figures as the
billing statements (domain.billing.bill_customer), so a report never disagrees with a statement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from desktop_app.domain.billing import BillingContract, BillingLine, TimeEntry, VisitEntry, bill_customer
from desktop_app.domain.ids import CustomerId, PlanCode
from desktop_app.domain.money import with_iva
from desktop_app.i18n import _
from desktop_app.services.dto import ContractSummary
from desktop_app.services.report_dto import (
    ContractUse,
    ExpiringContract,
    PlanUse,
    ReportFilter,
    ReportPeriod,
    UnbilledLine,
)
from desktop_app.services.reports._context import ReportContext

RENEWAL_WINDOWS = (30, 60, 90)


def _matches(contract: ContractSummary, flt: ReportFilter) -> bool:
    return (
        (not flt.plan or contract.plan_code == flt.plan)
        and (not flt.city or contract.city == flt.city)
        and (flt.customer_id is None or contract.customer_id == flt.customer_id)
    )


def contract_uses(
    ctx: ReportContext, period: ReportPeriod, flt: ReportFilter
) -> tuple[tuple[ContractUse, ...], tuple[UnbilledLine, ...], list[ContractSummary]]:
    """The use of every matching contract valid during the period, the billable lines of the
    period's work, and every matching contract (for the renewal list).

    Each customer is billed as its statement bills it (every contract of theirs, so a visit goes
    to the contract billing picks), from the time and visits read for all customers in two queries.
    """
    policy = ctx.policy.policy()
    tz = ctx.tz
    start, end = ctx.bounds(period)
    with ctx.uow_factory() as uow:
        summaries = uow.queries.contracts.summaries()
        every = [c for c in summaries if _matches(c, flt)]
        in_period = [c for c in every if c.valid_from <= period.end and c.valid_to >= period.start]
        earliest = min([start, *(ctx.midnight(c.valid_from) for c in in_period)])
        recorded_until = ctx.now() + timedelta(days=1)  # nothing is recorded in the future
        queries = uow.queries.reports
        time_of: dict[CustomerId, list[TimeEntry]] = defaultdict(list)
        visits_of: dict[CustomerId, list[VisitEntry]] = defaultdict(list)
        for owner, entry in queries.time_entries(earliest, recorded_until, flt.customer_id):
            time_of[owner].append(entry)
        for owner, visit in queries.visit_entries(earliest, recorded_until, flt.customer_id):
            visits_of[owner].append(visit)
        customers = {c.customer_id for c in in_period}
        if not flt.plan:  # work without a contract belongs to no plan
            worked = {owner for owner, entries in time_of.items() if any(start <= e.at < end for e in entries)}
            worked |= {owner for owner, visits in visits_of.items() if any(start <= v.started_at < end for v in visits)}
            customers |= {c for c in worked if not flt.city or ctx.customer_city(uow, c) == flt.city}
        names = {c.customer_id: c.customer_name for c in summaries}
        for customer_id in customers - names.keys():
            customer = uow.catalog.get_customer(customer_id)
            names[customer_id] = customer.name if customer else str(customer_id)
    contracts_of: dict[CustomerId, list[ContractSummary]] = defaultdict(list)
    for contract in summaries:
        contracts_of[contract.customer_id].append(contract)
    shown = {c.id for c in in_period}
    uses: list[ContractUse] = []
    lines: list[UnbilledLine] = []
    for customer_id in sorted(customers):
        mine = contracts_of.get(customer_id, [])
        terms = []
        for contract in mine:
            plan = policy.plan(PlanCode(contract.plan_code))
            terms.append(
                BillingContract(
                    contract.id,
                    plan.rank,
                    contract.valid_from,
                    contract.valid_to,
                    frozenset(m.id for m in contract.machines),
                    plan.included_advisory_hours,
                    plan.included_maintenances,
                    plan.extra_hour_rate,
                )
            )
        bill = bill_customer(terms, time_of[customer_id], visits_of[customer_id], tz, policy.out_of_plan_hour_rate)
        for contract, part in zip(mine, bill.contracts, strict=True):
            if contract.id not in shown:
                continue
            used = part.balance
            uses.append(
                ContractUse(
                    contract_id=contract.id,
                    invoice_number=contract.invoice_number,
                    customer_id=contract.customer_id,
                    customer_name=contract.customer_name,
                    plan_code=contract.plan_code,
                    plan_name=contract.plan_name,
                    valid_from=contract.valid_from,
                    valid_to=contract.valid_to,
                    advisory_hours_used=used.advisory_minutes_used / 60,
                    advisory_hours_included=used.advisory_minutes_included // 60,
                    maintenances_used=used.maintenances_used,
                    maintenances_included=used.maintenances_included,
                    extra_advisory_hours=used.extra_advisory_minutes / 60,
                )
            )
            lines.extend(_unbilled(period, customer_id, contract.customer_name, contract.invoice_number, part.lines))
        if not flt.plan:
            lines.extend(_unbilled(period, customer_id, names[customer_id], "", bill.without_contract))
    uses.sort(key=lambda u: (u.customer_name.casefold(), u.valid_from, u.invoice_number))
    lines.sort(key=lambda line: (line.day, line.customer_name.casefold(), line.kind, line.reference))
    return tuple(uses), tuple(lines), every


def _unbilled(
    period: ReportPeriod, customer_id: CustomerId, name: str, invoice: str, lines: Iterable[BillingLine]
) -> list[UnbilledLine]:
    found = []
    for line in lines:
        if not period.contains(line.day):
            continue
        price = with_iva(line.amount)
        found.append(
            UnbilledLine(
                customer_id, name, invoice, line.kind, line.day, line.reference, line.amount, price.iva, price.total
            )
        )
    return found


def expiring(contracts: list[ContractSummary], today: date) -> tuple[ExpiringContract, ...]:
    """Contracts in force today that end within 90 days and were not renewed yet, soonest first."""
    renewed = {c.renews_id for c in contracts if c.renews_id is not None}
    found = []
    for contract in contracts:
        days_left = (contract.valid_to - today).days
        if contract.id in renewed or contract.valid_from > today or not 0 <= days_left <= RENEWAL_WINDOWS[-1]:
            continue
        window = next(w for w in RENEWAL_WINDOWS if days_left <= w)
        found.append(
            ExpiringContract(
                contract.id,
                contract.invoice_number,
                contract.customer_id,
                contract.customer_name,
                contract.plan_name,
                contract.valid_to,
                days_left,
                window,
            )
        )
    return tuple(sorted(found, key=lambda e: (e.valid_to, e.customer_name.casefold(), e.invoice_number)))


def plan_use(ctx: ReportContext, period: ReportPeriod, flt: ReportFilter, today: date) -> PlanUse:
    future = ctx.future_reason(period)
    uses: tuple[ContractUse, ...] = ()
    lines: tuple[UnbilledLine, ...] = ()
    every: list[ContractSummary] = []
    if not future:
        uses, lines, every = contract_uses(ctx, period, flt)
    else:
        with ctx.uow_factory() as uow:
            every = [c for c in uow.queries.contracts.summaries() if _matches(c, flt)]
    renewals = expiring(every, today)
    price = with_iva(sum(line.amount_before_iva for line in lines))
    reason = ""
    if not (uses or lines or renewals):  # the renewal list is about today, whatever the period
        reason = future or _("No contract was in force and no billable work was recorded in this period.")
    return PlanUse(
        period=period,
        filter=flt,
        today=today,
        contracts=uses,
        expiring=renewals,
        unbilled=lines,
        unbilled_before_iva=price.before_iva,
        unbilled_iva=price.iva,
        unbilled_total=price.total,
        empty_reason=reason,
    )
