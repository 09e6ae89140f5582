"""What the reports hand to the Informes page, the PDFs and the CLI (issue 15): frozen values, no
session, no ORM object.

Every result carries `empty_reason`: "" when it has figures, otherwise a sentence (already in the
user's language) saying why there is nothing to draw — the period is in the future, no ticket
matches… The UI, the PDF and the CLI show that sentence instead of an empty chart.

Percentages and medians are None when nothing was due or measured ("sin datos"), never 0 and
never a division by zero. Hours are working hours (the policy's calendar, holidays excluded)
unless a field says otherwise.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from desktop_app.domain.billing import LineKind
from desktop_app.domain.ids import ContractId, CustomerId, TicketId, UserId
from desktop_app.domain.model import Severity, TicketStatus
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _

# The longest period a report reads at once: ten years is far beyond any history the desk has.
MAX_PERIOD_DAYS = 3660


@dataclass(frozen=True)
class ReportPeriod:
    """Local (America/Bogota) days from `start` to `end`, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise UserFacingError(
                _("The period ends ({end}) before it starts ({start}).").format(
                    start=self.start.isoformat(), end=self.end.isoformat()
                )
            )
        if (self.end - self.start).days >= MAX_PERIOD_DAYS:
            raise UserFacingError(_("A report covers at most ten years; choose a shorter period."))

    @classmethod
    def custom(cls, start: date, end: date) -> ReportPeriod:
        """Any period; refused (UserFacingError) when it ends before it starts."""
        return cls(start, end)

    @classmethod
    def this_month(cls, today: date) -> ReportPeriod:
        """The month of `today`, whole (its last days may still be ahead)."""
        last = _calendar.monthrange(today.year, today.month)[1]
        return cls(today.replace(day=1), today.replace(day=last))

    @classmethod
    def last_month(cls, today: date) -> ReportPeriod:
        end = today.replace(day=1) - timedelta(days=1)
        return cls(end.replace(day=1), end)

    @classmethod
    def quarter(cls, today: date) -> ReportPeriod:
        """The calendar quarter of `today` (January–March, April–June…)."""
        first_month = 3 * ((today.month - 1) // 3) + 1
        last_month = first_month + 2
        last = _calendar.monthrange(today.year, last_month)[1]
        return cls(date(today.year, first_month, 1), date(today.year, last_month, last))

    @classmethod
    def year(cls, today: date) -> ReportPeriod:
        """The twelve months ending with `today`'s month (a customer's year)."""
        month_end = cls.this_month(today).end
        start_year, start_month = (today.year, 1) if today.month == 12 else (today.year - 1, today.month + 1)
        return cls(date(start_year, start_month, 1), month_end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class ReportFilter:
    """Narrows every report; None (or "") means any. An agent's or a technician's own reports
    always have `agent_id` set to them by the service, whatever the caller asked."""

    plan: str | None = None  # plan code ("premium")
    severity: Severity | None = None
    agent_id: UserId | None = None  # the ticket's assigned agent
    city: str | None = None  # the customer's city
    customer_id: CustomerId | None = None


# -- SLA compliance (R7, R9, R10, R14) -----------------------------------------------------------


@dataclass(frozen=True)
class SlaFigures:
    """The SLA figures of one group of tickets (a month, a plan, an agent… or all of them).

    A first response is counted once per clock: the ticket's reception and each reopening (R14)
    start one, in the month the clock started. It is met when the agent's first word to the
    customer came at or before the due time the queue computes (R7: the plan × severity response
    time of the ticket's policy version, in working time, holidays excluded, time waiting on the
    customer not counted, R9). `first_pending`: not answered yet and not yet due. Updates (R10):
    each promise of a next update that fell due, or was kept, inside the period.
    """

    key: str  # the group's code: "2026-11", the plan or severity code, the agent or customer id, the city
    label: str  # what a person reads: "noviembre 2026", "Premium", the agent's name…
    tickets: int  # tickets with at least one clock started in the period
    first_met: int
    first_missed: int
    first_pending: int
    updates_met: int
    updates_missed: int
    compliance: float | None  # first responses met / (met + missed), 0–1; None when nothing was due
    update_compliance: float | None  # the same for updates
    median_first_response_hours: float | None  # working hours, pauses excluded; None: no response
    p90_first_response_hours: float | None
    paused_hours: float  # working hours spent waiting on the customer inside the period (R9)


@dataclass(frozen=True)
class SlaCompliance:
    period: ReportPeriod
    filter: ReportFilter
    total: SlaFigures
    by_month: tuple[SlaFigures, ...]  # key "YYYY-MM", in order
    by_plan: tuple[SlaFigures, ...]  # in category order (R8)
    by_severity: tuple[SlaFigures, ...]  # most severe first
    by_agent: tuple[SlaFigures, ...]  # key: the agent id ("" unassigned), by name
    by_city: tuple[SlaFigures, ...]
    by_customer: tuple[SlaFigures, ...]  # key: the customer id, by name
    # The policy versions the tickets were judged under (more than one: the period spans a change).
    policy_versions: tuple[int, ...] = ()
    empty_reason: str = ""


# -- Workload (R11, R12, R14) -------------------------------------------------------------------


@dataclass(frozen=True)
class WeekLoad:
    week_start: date  # the ISO week's Monday
    label: str  # "2026-W45"
    opened: int
    closed: int
    reopened: int


@dataclass(frozen=True)
class AgeBucket:
    label: str  # "0–1", "2–3", "4–7", "8–14", "15–30", ">30" (days)
    min_days: int
    max_days: int | None  # None: no upper bound
    count: int


@dataclass(frozen=True)
class LevelCount:
    level: int  # 2: coordinator, 3: technical director (R11)
    count: int  # escalations to this level inside the period


@dataclass(frozen=True)
class Workload:
    period: ReportPeriod
    filter: ReportFilter
    weeks: tuple[WeekLoad, ...]  # every ISO week touching the period, in order
    backlog: tuple[AgeBucket, ...]  # tickets open at the end of the period, by age in calendar days
    backlog_total: int
    escalations: tuple[LevelCount, ...]
    # Tickets closed in the period as "closed — no customer response" after their contact
    # attempts (R12), and how many attempts those sequences took.
    closed_without_response: int
    contact_attempts: int  # every contact attempt made in the period
    empty_reason: str = ""


# -- Field work (R16, R17) ----------------------------------------------------------------------


@dataclass(frozen=True)
class VisitGroup:
    key: str  # the city, or the technician id
    label: str  # the city, or the technician's name
    visits: int
    hours: float  # clock hours on site
    maintenance_visits: int
    long_maintenance_visits: int  # maintenance visits over the policy's maximum (R16)
    travel_expenses: int  # COP before IVA


@dataclass(frozen=True)
class LongVisit:
    """A maintenance visit over the policy's maximum (R16)."""

    ticket_number: str  # "" for a visit without a ticket
    serial: str
    technician: str
    city: str
    started_at: datetime
    hours: float


@dataclass(frozen=True)
class FieldWork:
    period: ReportPeriod
    filter: ReportFilter
    total: VisitGroup
    by_city: tuple[VisitGroup, ...]
    by_technician: tuple[VisitGroup, ...]
    long_visits: tuple[LongVisit, ...]
    max_maintenance_hours: int
    empty_reason: str = ""


# -- Plans (R6, R17) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractUse:
    """What a contract used of its plan during its validity (the same figures as its statement)."""

    contract_id: ContractId
    invoice_number: str
    customer_id: CustomerId
    customer_name: str
    plan_code: str
    plan_name: str
    valid_from: date
    valid_to: date
    advisory_hours_used: float
    advisory_hours_included: int
    maintenances_used: int
    maintenances_included: int
    extra_advisory_hours: float  # beyond the plan, billed (R17)


@dataclass(frozen=True)
class PlanTotals:
    """The contracts of one plan together: what they used of what their plan includes."""

    plan_code: str
    plan_name: str
    contracts: int
    advisory_hours_used: float
    advisory_hours_included: int
    maintenances_used: int
    maintenances_included: int
    extra_advisory_hours: float


@dataclass(frozen=True)
class ExpiringContract:
    contract_id: ContractId
    invoice_number: str
    customer_id: CustomerId
    customer_name: str
    plan_name: str
    valid_to: date
    days_left: int
    within_days: int  # 30, 60 or 90: the renewal list's column


@dataclass(frozen=True)
class UnbilledLine:
    """A billable line (R17) of work done in the period. The desk does not record invoices of
    extra work, so every line of the period is listed as not yet invoiced."""

    customer_id: CustomerId
    customer_name: str
    invoice_number: str  # the contract's ("" for work without a contract)
    kind: LineKind
    day: date
    reference: str
    amount_before_iva: int
    iva: int
    total: int


@dataclass(frozen=True)
class PlanUse:
    period: ReportPeriod
    filter: ReportFilter
    today: date
    contracts: tuple[ContractUse, ...]  # contracts valid at some day of the period
    expiring: tuple[ExpiringContract, ...]  # valid today and ending within 90 days, soonest first
    unbilled: tuple[UnbilledLine, ...]
    unbilled_before_iva: int
    unbilled_iva: int
    unbilled_total: int
    empty_reason: str = ""
    by_plan: tuple[PlanTotals, ...] = ()  # the contracts' use summed per plan, in the policy's plan order


# -- A customer's service report ----------------------------------------------------------------


@dataclass(frozen=True)
class CustomerTicketLine:
    ticket_id: TicketId
    number: str
    received_at: datetime
    severity: Severity
    plan_code: str
    status: TicketStatus
    response_hours: float  # the promise (R7) for its plan and severity
    first_responded_at: datetime | None  # of its first clock in the period
    first_response_hours: float | None  # working hours, pauses excluded
    met: bool | None  # None: not answered yet and not yet due
    reopen_count: int
    closed_at: datetime | None


@dataclass(frozen=True)
class CustomerVisitLine:
    started_at: datetime
    ended_at: datetime
    ticket_number: str
    serial: str
    technician: str
    city: str
    hours: float
    maintenance: bool
    long_maintenance: bool
    travel_expenses: int


@dataclass(frozen=True)
class CustomerServiceReport:
    period: ReportPeriod
    customer_id: CustomerId
    customer_name: str
    tax_id: str
    city: str
    sla: SlaFigures  # all of the customer's tickets in the period
    by_month: tuple[SlaFigures, ...]
    tickets: tuple[CustomerTicketLine, ...]  # received in the period, oldest first
    visits: tuple[CustomerVisitLine, ...]
    plan_use: tuple[ContractUse, ...]
    generated_at: datetime | None = None
    empty_reason: str = ""
    notes: tuple[str, ...] = field(default=())  # e.g. "the period spans a policy change"
