"""What a plan contract has used and what to bill (R6, R16, R17), all amounts in whole COP before IVA.

- Advisory time: the minutes agents record on the covered machines' tickets during the contract's
  validity, against the plan's included hours; the hours beyond are billed at the plan's extra-hour
  rate, rounded up to the quarter hour.
- Maintenances: the maintenance visits to the covered machines during the validity, against the
  plan's included maintenances; each one beyond is out-of-plan work, billed by its hours at the
  same rate (rounded up to the quarter hour).
- Travel expenses ("viáticos") of every on-site visit are billed as recorded.

Each visit and each time entry is billed exactly once: by the one contract `billing_contract`
picks for its machine and day, or, when no contract covers it, as work without a contract
(`lines_without_contract`): travel as recorded (R6), on-site hours and advisory hours at the
policy's out-of-plan rate, except advisory time on a ticket taken under free support (R3).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from desktop_app.domain.ids import ContractId, MachineId, PlanCode
from desktop_app.domain.money import with_iva
from desktop_app.domain.policy import WARRANTY_PLAN

QUARTER_HOUR = 15


class LineKind(StrEnum):
    EXTRA_HOURS = "extra_hours"
    TRAVEL = "travel"
    OUT_OF_PLAN = "out_of_plan"
    # Work on a machine no contract covers that day (R17), at the policy's out-of-plan rate.
    ONSITE_WORK = "onsite_work"
    ADVISORY = "advisory"


@dataclass(frozen=True)
class TimeEntry:
    """Advisory minutes recorded on a ticket."""

    at: datetime
    ticket_number: str
    minutes: int
    machine_id: MachineId | None = None
    plan_code: PlanCode | None = None  # the plan the ticket was taken under

    @property
    def free_support(self) -> bool:
        """Recorded on a ticket taken under free support (R3), which is not billed by the hour."""
        return self.plan_code == WARRANTY_PLAN

    def local(self, tz: tzinfo) -> TimeEntry:
        """The same entry with its moment in `tz` (a report bills tens of thousands: no `replace`)."""
        return TimeEntry(self.at.astimezone(tz), self.ticket_number, self.minutes, self.machine_id, self.plan_code)


@dataclass(frozen=True)
class VisitEntry:
    started_at: datetime
    ended_at: datetime
    ticket_number: str
    serial: str
    maintenance: bool
    travel_expenses: int
    machine_id: MachineId | None = None

    @property
    def minutes(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() // 60)

    def local(self, tz: tzinfo) -> VisitEntry:
        """The same visit with its moments in `tz`."""
        return VisitEntry(
            self.started_at.astimezone(tz),
            self.ended_at.astimezone(tz),
            self.ticket_number,
            self.serial,
            self.maintenance,
            self.travel_expenses,
            self.machine_id,
        )


@dataclass(frozen=True)
class Balance:
    advisory_minutes_used: int
    advisory_minutes_included: int
    maintenances_used: int
    maintenances_included: int

    @property
    def extra_advisory_minutes(self) -> int:
        return max(0, self.advisory_minutes_used - self.advisory_minutes_included)


@dataclass(frozen=True)
class BillingLine:
    kind: LineKind
    day: date
    reference: str  # the ticket number (and serial), or the period
    quantity_minutes: int  # billed time, 0 for travel expenses
    unit_price: int  # per hour; 0 for travel expenses
    amount: int  # before IVA


@dataclass(frozen=True)
class Totals:
    before_iva: int
    iva: int
    total: int


@dataclass(frozen=True)
class BillingContract:
    """What billing needs of a contract: what and when it covers, and its plan's terms (R6)."""

    id: ContractId
    rank: int  # the plan's category, 1 first (R8)
    valid_from: date
    valid_to: date
    machine_ids: frozenset[MachineId]
    included_hours: int
    included_maintenances: int
    hourly_rate: int

    def covers(self, machine_id: MachineId | None, day: date) -> bool:
        return machine_id in self.machine_ids and self.valid_from <= day <= self.valid_to


@dataclass(frozen=True)
class ContractBill:
    contract_id: ContractId
    balance: Balance
    lines: tuple[BillingLine, ...]


@dataclass(frozen=True)
class CustomerBill:
    """A customer's billing, every visit and time entry counted once (R17)."""

    contracts: tuple[ContractBill, ...]  # in the order the contracts were given
    without_contract: tuple[BillingLine, ...]


def _billable_hours_amount(minutes: int, hourly_rate: int) -> tuple[int, int]:
    """(minutes rounded up to the quarter hour, their price)."""
    rounded = math.ceil(minutes / QUARTER_HOUR) * QUARTER_HOUR
    amount = (Decimal(rounded) * hourly_rate / 60).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return rounded, int(amount)


def balance(
    time: Sequence[TimeEntry], visits: Sequence[VisitEntry], included_hours: int, included_maintenances: int
) -> Balance:
    return Balance(
        advisory_minutes_used=sum(entry.minutes for entry in time),
        advisory_minutes_included=included_hours * 60,
        maintenances_used=sum(1 for visit in visits if visit.maintenance),
        maintenances_included=included_maintenances,
    )


def billing_lines(
    time: Sequence[TimeEntry],
    visits: Sequence[VisitEntry],
    included_hours: int,
    included_maintenances: int,
    hourly_rate: int,
    period_end: date,
) -> list[BillingLine]:
    """The billable lines of one contract's period, oldest first."""
    lines: list[BillingLine] = []
    used = balance(time, visits, included_hours, included_maintenances)
    if used.extra_advisory_minutes:
        minutes, amount = _billable_hours_amount(used.extra_advisory_minutes, hourly_rate)
        tickets = sorted({entry.ticket_number for entry in time})
        last = max(entry.at for entry in time).date()
        lines.append(
            BillingLine(LineKind.EXTRA_HOURS, min(last, period_end), ", ".join(tickets), minutes, hourly_rate, amount)
        )
    maintenances_seen = 0
    for visit in sorted(visits, key=lambda v: v.started_at):
        day = visit.started_at.date()
        reference = f"{visit.ticket_number} · {visit.serial}"
        if visit.maintenance:
            maintenances_seen += 1
            if maintenances_seen > included_maintenances:
                minutes, amount = _billable_hours_amount(visit.minutes, hourly_rate)
                lines.append(BillingLine(LineKind.OUT_OF_PLAN, day, reference, minutes, hourly_rate, amount))
        if visit.travel_expenses:
            lines.append(BillingLine(LineKind.TRAVEL, day, reference, 0, 0, visit.travel_expenses))
    return sorted(lines, key=lambda line: (line.day, line.kind))


def billing_contract(
    contracts: Sequence[BillingContract], machine_id: MachineId | None, day: date
) -> BillingContract | None:
    """The one contract that bills work done on this machine on this (local) day, or None.

    Two contracts may cover a machine on the same day (a renewal that starts early, a second
    plan bought on top): billing both would charge one trip twice. The rule: among the contracts
    in force that day that cover the machine, the best plan category (rank 1 first: its included
    hours and maintenances are the customer's most generous ones), then the one that started
    first, then the lowest id, so the choice never depends on anything else.
    """
    candidates = [c for c in contracts if c.covers(machine_id, day)]
    return min(candidates, key=lambda c: (c.rank, c.valid_from, c.id)) if candidates else None


def lines_without_contract(
    time: Sequence[TimeEntry], visits: Sequence[VisitEntry], hourly_rate: int
) -> list[BillingLine]:
    """The billable lines of work no contract covers, oldest first.

    Travel expenses are billed to the client as recorded (R6). Each visit's hours are on-site
    work, billed at `hourly_rate` (free support is virtual only, R3). Advisory minutes are billed
    per ticket at the same rate, rounded up to the quarter hour, except on tickets taken under
    free support: that is the support R3 gives for free.
    """
    lines: list[BillingLine] = []
    for visit in visits:
        day = visit.started_at.date()
        reference = f"{visit.ticket_number} · {visit.serial}" if visit.ticket_number else visit.serial
        if visit.minutes > 0 and hourly_rate:
            minutes, amount = _billable_hours_amount(visit.minutes, hourly_rate)
            lines.append(BillingLine(LineKind.ONSITE_WORK, day, reference, minutes, hourly_rate, amount))
        if visit.travel_expenses:
            lines.append(BillingLine(LineKind.TRAVEL, day, reference, 0, 0, visit.travel_expenses))
    per_ticket: dict[str, list[TimeEntry]] = defaultdict(list)
    for entry in time:
        if not entry.free_support:
            per_ticket[entry.ticket_number].append(entry)
    for ticket_number, entries in per_ticket.items():
        used = sum(entry.minutes for entry in entries)
        if used > 0 and hourly_rate:
            minutes, amount = _billable_hours_amount(used, hourly_rate)
            last = max(entry.at for entry in entries).date()
            lines.append(BillingLine(LineKind.ADVISORY, last, ticket_number, minutes, hourly_rate, amount))
    return sorted(lines, key=lambda line: (line.day, line.kind, line.reference))


def bill_customer(
    contracts: Sequence[BillingContract],
    time: Sequence[TimeEntry],
    visits: Sequence[VisitEntry],
    tz: tzinfo,
    out_of_plan_rate: int,
) -> CustomerBill:
    """Split a customer's recorded time and visits between their contracts, each entry to the one
    contract `billing_contract` picks for its machine and local day (`tz`), the rest billed as
    work without a contract; then the lines of each part."""
    local_time = [entry.local(tz) for entry in time]
    local_visits = [visit.local(tz) for visit in visits]
    time_of: dict[ContractId | None, list[TimeEntry]] = defaultdict(list)
    visits_of: dict[ContractId | None, list[VisitEntry]] = defaultdict(list)
    for entry in local_time:
        chosen = billing_contract(contracts, entry.machine_id, entry.at.date())
        time_of[chosen.id if chosen else None].append(entry)
    for visit in local_visits:
        chosen = billing_contract(contracts, visit.machine_id, visit.started_at.date())
        visits_of[chosen.id if chosen else None].append(visit)
    bills = []
    for contract in contracts:
        mine_time, mine_visits = time_of[contract.id], visits_of[contract.id]
        used = balance(mine_time, mine_visits, contract.included_hours, contract.included_maintenances)
        lines = billing_lines(
            mine_time,
            mine_visits,
            contract.included_hours,
            contract.included_maintenances,
            contract.hourly_rate,
            contract.valid_to,
        )
        bills.append(ContractBill(contract.id, used, tuple(lines)))
    without = lines_without_contract(time_of[None], visits_of[None], out_of_plan_rate)
    return CustomerBill(tuple(bills), tuple(without))


def totals(lines: Sequence[BillingLine]) -> Totals:
    price = with_iva(sum(line.amount for line in lines))
    return Totals(price.before_iva, price.iva, price.total)
