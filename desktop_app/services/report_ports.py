"""What the reports read (`uow.queries.reports`, persistence/queries/reports.py): rows straight off
tickets, ticket_events, visits and the policy versions, read in bulk — never a stored copy of a
figure."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from desktop_app.domain.billing import TimeEntry, VisitEntry
from desktop_app.domain.ids import CustomerId, MachineId, PlanCode, TicketId, UserId
from desktop_app.domain.model import EventKind, Severity, TicketStatus
from desktop_app.domain.policy import PolicySettings
from desktop_app.domain.sla import StatusChange
from desktop_app.services.report_dto import ReportFilter


@dataclass(frozen=True)
class TicketRow:
    """A ticket as a report groups and judges it: its row, and (when asked) its history."""

    id: TicketId
    number: str
    received_at: datetime
    plan_code: str
    severity: Severity
    status: TicketStatus
    agent_id: UserId | None
    agent_name: str
    customer_id: CustomerId
    customer_name: str
    city: str  # the customer's
    policy_version: int | None
    first_responded_at: datetime | None
    clock_started_at: datetime | None
    closed_at: datetime | None
    reopen_count: int
    changes: tuple[StatusChange, ...] = ()  # status changes, in time order
    responses: tuple[datetime, ...] = ()  # comments to the customer (R7, R10), in time order


@dataclass(frozen=True)
class EventRow:
    """A timeline event the workload counts (status change, escalation, contact attempt)."""

    ticket_id: TicketId
    kind: EventKind
    at: datetime
    data: Mapping[str, str]  # of the event's data, only what the workload reads: "to", "reason", "level"


@dataclass(frozen=True)
class EventCount:
    """How many of the events the workload counts fell on one local day with the same kind and
    fields (EventRow's, summed by the database)."""

    day: date
    kind: EventKind
    data: Mapping[str, str]
    count: int


@dataclass(frozen=True)
class VisitRow:
    id: int
    ticket_number: str  # "" without a ticket
    serial: str
    customer_id: CustomerId
    technician_id: UserId
    technician: str
    city: str  # where the visit was
    started_at: datetime
    ended_at: datetime
    maintenance: bool
    travel_expenses: int


@dataclass(frozen=True)
class ContractTime:
    """The advisory minutes a contract covered, summed by the database (plan use)."""

    customer_id: CustomerId
    contract_id: int
    minutes: int
    last_at: datetime  # the latest entry's moment
    ticket_numbers: tuple[str, ...]  # sorted
    in_period: bool  # some of the minutes were recorded in the report's period


@dataclass(frozen=True)
class TicketTime:
    """A ticket's advisory minutes that no contract covered, summed by the database."""

    customer_id: CustomerId
    ticket_number: str
    machine_id: MachineId
    plan_code: PlanCode
    minutes: int
    last_at: datetime
    in_period: bool


class ReportQueries(Protocol):
    def tickets(self, start: datetime, end: datetime, flt: ReportFilter, *, history: bool = True) -> list[TicketRow]:
        """Tickets alive in [start, end): received before `end` and not closed for good before
        `start`, matching the filter, oldest first; with `history`, each with its status changes
        and comments to the customer (read for all of them in one more query)."""
        ...

    def received(self, start: datetime, end: datetime, flt: ReportFilter) -> list[datetime]:
        """When each matching ticket received in [start, end) arrived."""
        ...

    def events(self, start: datetime, end: datetime, flt: ReportFilter, kinds: Collection[EventKind]) -> list[EventRow]:
        """The matching tickets' events of these kinds in [start, end), in time order."""
        ...

    def received_per_day(
        self, start: datetime, end: datetime, flt: ReportFilter, offset_minutes: int
    ) -> list[tuple[date, int]]:
        """How many matching tickets were received in [start, end) on each local day, for a zone
        `offset_minutes` from UTC (what `received` gives, counted by the database)."""
        ...

    def event_counts(
        self, start: datetime, end: datetime, flt: ReportFilter, kinds: Collection[EventKind], offset_minutes: int
    ) -> list[EventCount]:
        """`events`, counted by the database per local day (a zone `offset_minutes` from UTC),
        kind and fields."""
        ...

    def open_at(self, moment: datetime, flt: ReportFilter) -> list[TicketRow]:
        """Tickets that may be open at `moment` (received by then, not closed for good by then),
        with their status changes."""
        ...

    def visits(self, start: datetime, end: datetime, flt: ReportFilter) -> list[VisitRow]:
        """Visits started in [start, end) matching the filter (the agent filter: the technician
        who made it or the agent of its ticket; the city: where it was), oldest first."""
        ...

    def policy_versions(self, ids: Collection[int]) -> dict[int, PolicySettings]:
        """The policy documents of these versions."""
        ...

    def billable_customers(self, start: datetime, end: datetime) -> list[CustomerId]:
        """Customers with a visit or advisory minutes recorded on their machines in [start, end)."""
        ...

    def customer_names(self, customer_ids: Collection[CustomerId]) -> dict[CustomerId, tuple[str, str]]:
        """Each customer's (name, city)."""
        ...

    def customer_machines(self, customer_ids: Collection[CustomerId]) -> dict[CustomerId, list[MachineId]]:
        """Each customer's machines."""
        ...

    def time_entries(
        self,
        start: datetime,
        end: datetime,
        customer_id: CustomerId | None = None,
        among: Collection[CustomerId] | None = None,
    ) -> list[tuple[CustomerId, TimeEntry]]:
        """Advisory minutes recorded in [start, end) with the machine owner's id (every customer,
        one, or those `among`), in one query: what billing counts (domain.billing)."""
        ...

    def contract_time(
        self,
        start: datetime,
        end: datetime,
        period: tuple[datetime, datetime],
        offset_minutes: int,
        customer_id: CustomerId | None = None,
        leave_out: Collection[CustomerId] = (),
    ) -> tuple[list[ContractTime], list[TicketTime]]:
        """Advisory minutes in [start, end) summed per covering contract and, where no contract
        covers them, per ticket (customers whose contracts never overlap on a machine)."""
        ...

    def visit_entries(
        self, start: datetime, end: datetime, customer_id: CustomerId | None = None
    ) -> list[tuple[CustomerId, VisitEntry]]:
        """Visits started in [start, end) as billing counts them, with the machine owner's id."""
        ...

    def responses(self, ticket_id: TicketId) -> list[datetime]:
        """One ticket's comments to the customer (the naive report reads them ticket by ticket)."""
        ...
