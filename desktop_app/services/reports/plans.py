"""Plans (R6, R17): what each contract used of its plan, the renewal list (contracts ending in
the next 30/60/90 days), and the billable lines of the period's work — the same figures as the
billing statements (domain.billing.bill_customer), so a report never disagrees with a statement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, tzinfo

from desktop_app.domain.billing import BillingContract, BillingLine, TimeEntry, VisitEntry, bill_customer
from desktop_app.domain.ids import ContractId, CustomerId, PlanCode
from desktop_app.domain.money import with_iva
from desktop_app.domain.policy import PolicySettings
from desktop_app.i18n import _
from desktop_app.services.dto import ContractSummary
from desktop_app.services.report_dto import (
    ContractUse,
    ExpiringContract,
    PlanTotals,
    PlanUse,
    ReportFilter,
    ReportPeriod,
    UnbilledLine,
)
from desktop_app.services.report_ports import ContractTime, TicketTime
from desktop_app.services.reports._context import ReportContext
from desktop_app.services.reports._context import fixed_offset as _fixed_offset

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
        worked: set[CustomerId] = set()
        # The database sums the minutes per contract where it can tell which contract each one
        # goes to; the entries themselves are read only where billing_contract must choose.
        offset = _fixed_offset(tz, earliest, recorded_until)
        if offset is None:  # a zone with summer time: the local day is found here, entry by entry
            raw = queries.time_entries(earliest, recorded_until, flt.customer_id)
        else:
            overlapping = _overlapping(summaries)
            raw = []
            if overlapping:
                raw = queries.time_entries(earliest, recorded_until, flt.customer_id, among=overlapping)
            covered, uncovered = queries.contract_time(
                earliest, recorded_until, (start, end), offset, flt.customer_id, overlapping
            )
            _add_summed(
                time_of, worked, covered, uncovered, summaries, policy, lambda at: period.contains(at.date()), tz
            )
        for owner, entry in raw:
            time_of[owner].append(entry)
            if start <= entry.at < end:
                worked.add(owner)
        with_contract = {c.customer_id for c in summaries}
        for owner, visit in queries.visit_entries(earliest, recorded_until, flt.customer_id):
            if start <= visit.started_at < end:
                worked.add(owner)
                visits_of[owner].append(visit)
            elif owner in with_contract:  # without a contract a visit is only its own lines
                visits_of[owner].append(visit)
        customers = {c.customer_id for c in in_period}
        names = {c.customer_id: c.customer_name for c in summaries}
        if not flt.plan:  # work without a contract belongs to no plan
            known = queries.customer_names(worked - customers)  # one query, not one per customer
            customers |= {c for c in worked if c in customers or not flt.city or known.get(c, ("", ""))[1] == flt.city}
            for customer_id in customers - names.keys():
                names[customer_id] = known[customer_id][0] if customer_id in known else str(customer_id)
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


def _overlapping(contracts: Iterable[ContractSummary]) -> set[CustomerId]:
    """Customers with two contracts covering one machine on the same day: only the billing code
    (billing_contract) can say which of them each entry goes to."""
    found: set[CustomerId] = set()
    mine: dict[CustomerId, list[ContractSummary]] = defaultdict(list)
    for contract in contracts:
        mine[contract.customer_id].append(contract)
    for customer_id, theirs in mine.items():
        for index, one in enumerate(theirs):
            machines = {m.id for m in one.machines}
            for other in theirs[index + 1 :]:
                if (
                    one.valid_from <= other.valid_to
                    and other.valid_from <= one.valid_to
                    and machines.intersection(m.id for m in other.machines)
                ):
                    found.add(customer_id)
    return found


def _add_summed(
    time_of: dict[CustomerId, list[TimeEntry]],
    worked: set[CustomerId],
    covered: Iterable[ContractTime],
    uncovered: Iterable[TicketTime],
    contracts: Iterable[ContractSummary],
    policy: PolicySettings,
    shown: Callable[[datetime], bool],
    tz: tzinfo,
) -> None:
    """The sums the database made, as the few entries that bill_customer turns into the same
    figures: per contract one entry with its minutes on the day of the last one (what the contract
    used, and the day of its extra-hours line); when it went over its hours and that line is
    `shown`, the entry is named by every ticket, sorted and joined as billing_lines names them
    (one entry, not one per ticket: a year of a contract's tickets); per uncovered ticket one
    entry (its own line)."""
    by_id = {c.id: c for c in contracts}
    for part in covered:
        contract = by_id[ContractId(part.contract_id)]
        machine = contract.machines[0].id  # any machine of it: it alone covers it that day
        name = part.ticket_numbers[0]
        included = policy.plan(PlanCode(contract.plan_code)).included_advisory_hours * 60
        line_day = min(part.last_at.astimezone(tz), datetime.combine(contract.valid_to, time.max, tz))
        if part.minutes > included and shown(line_day):
            name = ", ".join(part.ticket_numbers)  # billing_lines: ", ".join(sorted(set(numbers)))
        time_of[part.customer_id].append(TimeEntry(part.last_at, name, part.minutes, machine))
        if part.in_period:
            worked.add(part.customer_id)
    for alone in uncovered:
        entry = TimeEntry(alone.last_at, alone.ticket_number, alone.minutes, alone.machine_id, alone.plan_code)
        time_of[alone.customer_id].append(entry)
        if alone.in_period:
            worked.add(alone.customer_id)


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


def by_plan(ctx: ReportContext, uses: Iterable[ContractUse]) -> tuple[PlanTotals, ...]:
    """Each plan's contracts summed, in the policy's order of plans."""
    groups: dict[str, list[ContractUse]] = defaultdict(list)
    for use in uses:
        groups[use.plan_code].append(use)
    return tuple(
        PlanTotals(
            plan_code=code,
            plan_name=mine[0].plan_name,
            contracts=len(mine),
            advisory_hours_used=sum(u.advisory_hours_used for u in mine),
            advisory_hours_included=sum(u.advisory_hours_included for u in mine),
            maintenances_used=sum(u.maintenances_used for u in mine),
            maintenances_included=sum(u.maintenances_included for u in mine),
            extra_advisory_hours=sum(u.extra_advisory_hours for u in mine),
        )
        for code, mine in sorted(groups.items(), key=lambda kv: (ctx.plan_rank(kv[0]), kv[0]))
    )


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
        by_plan=by_plan(ctx, uses),
    )
