"""What a plan contract has used and what to bill (R6, R16, R17), all amounts in whole COP before IVA.

- Advisory time: the minutes agents record on the covered machines' tickets during the contract's
  validity, against the plan's included hours; the hours beyond are billed at the plan's extra-hour
  rate, rounded up to the quarter hour.
- Maintenances: the maintenance visits to the covered machines during the validity, against the
  plan's included maintenances; each one beyond is out-of-plan work, billed by its hours at the
  same rate (rounded up to the quarter hour).
- Travel expenses ("viáticos") of every on-site visit are billed as recorded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from desktop_app.domain.money import with_iva

QUARTER_HOUR = 15


class LineKind(StrEnum):
    EXTRA_HOURS = "extra_hours"
    TRAVEL = "travel"
    OUT_OF_PLAN = "out_of_plan"


@dataclass(frozen=True)
class TimeEntry:
    """Advisory minutes recorded on a ticket."""

    at: datetime
    ticket_number: str
    minutes: int


@dataclass(frozen=True)
class VisitEntry:
    started_at: datetime
    ended_at: datetime
    ticket_number: str
    serial: str
    maintenance: bool
    travel_expenses: int

    @property
    def minutes(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() // 60)


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


def totals(lines: Sequence[BillingLine]) -> Totals:
    price = with_iva(sum(line.amount for line in lines))
    return Totals(price.before_iva, price.iva, price.total)
