"""SLA compliance (R7, R9, R10, R14): first responses and updates met or missed, by month, plan,
severity, agent, city and customer.

The period's tickets and their histories are read in two queries (uow.queries.reports.tickets);
each ticket is judged by domain.reports.judge_ticket with the response time and calendar of the
policy version it was taken under. `naive_sla_compliance` reads every ticket on its own and asks
the queue's engine at each moment (domain.reports.replay_ticket): the same figures, much slower;
the benchmark prints both and the tests check they agree.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial

from desktop_app.domain.ids import PlanCode
from desktop_app.domain.model import Severity
from desktop_app.domain.policy import PolicySettings
from desktop_app.domain.reports import (
    Outcome,
    ReportTicket,
    TicketVerdict,
    WorkingClock,
    hours,
    judge_ticket,
    median,
    month_key,
    months_between,
    paused_between,
    percentile,
    ratio,
    replay_ticket,
)
from desktop_app.domain.sla import Interval
from desktop_app.i18n import _
from desktop_app.services.report_dto import ReportFilter, ReportPeriod, SlaCompliance, SlaFigures
from desktop_app.services.report_ports import TicketRow
from desktop_app.services.reports._context import ReportContext, month_label
from desktop_app.wording import severity_label

Judge = Callable[[WorkingClock, ReportTicket, datetime], TicketVerdict]


@dataclass
class Tally:
    """The running counts of one group while the tickets are judged."""

    tickets: set[int] = field(default_factory=set)
    first_met: int = 0
    first_missed: int = 0
    first_pending: int = 0
    updates_met: int = 0
    updates_missed: int = 0
    first_hours: list[float] = field(default_factory=list)
    paused: timedelta = timedelta(0)

    def figures(self, key: str, label: str) -> SlaFigures:
        return SlaFigures(
            key=key,
            label=label,
            tickets=len(self.tickets),
            first_met=self.first_met,
            first_missed=self.first_missed,
            first_pending=self.first_pending,
            updates_met=self.updates_met,
            updates_missed=self.updates_missed,
            compliance=ratio(self.first_met, self.first_met + self.first_missed),
            update_compliance=ratio(self.updates_met, self.updates_met + self.updates_missed),
            median_first_response_hours=median(self.first_hours),
            p90_first_response_hours=percentile(self.first_hours, 0.9),
            paused_hours=hours(self.paused),
        )

    @property
    def empty(self) -> bool:
        return not self.tickets and not (self.updates_met or self.updates_missed)


@dataclass(frozen=True)
class Judged:
    row: TicketRow
    verdict: TicketVerdict
    response_time: timedelta
    clock: WorkingClock  # the working time of the ticket's policy version


def ticket_terms(row: TicketRow, policies: dict[int | None, PolicySettings]) -> tuple[timedelta, PolicySettings]:
    """The response time of the ticket's plan × severity under its policy version, and that
    version (the one in force when the version no longer has its plan or severity).

    Raises:
        KeyError: no policy knows the plan or severity any more.
    """
    policy = policies.get(row.policy_version) or policies[None]
    try:
        return policy.response_time(PlanCode(row.plan_code), row.severity), policy
    except KeyError:
        policy = policies[None]
        return policy.response_time(PlanCode(row.plan_code), row.severity), policy


def report_ticket(row: TicketRow, response: timedelta) -> ReportTicket:
    """The ticket's facts with its response time."""
    return ReportTicket(
        id=row.id,
        received_at=row.received_at,
        response_time=response,
        status=row.status,
        changes=row.changes,
        responses=row.responses,
        first_responded_at=row.first_responded_at,
        clock_started_at=row.clock_started_at,
        closed_at=row.closed_at,
    )


def judge_rows(
    ctx: ReportContext,
    rows: Iterable[TicketRow],
    policies: dict[int | None, PolicySettings],
    now: datetime,
    judge: Judge = judge_ticket,
) -> list[Judged]:
    """Each row's verdict under its own policy version (rows no policy can judge are left out).
    The response time and working clock are found once per version, plan and severity (a few
    dozen), not once per ticket."""
    judged = []
    terms: dict[tuple[int | None, str, Severity], tuple[timedelta, WorkingClock] | None] = {}
    for row in rows:
        key = (row.policy_version, row.plan_code, row.severity)
        if key in terms:
            found = terms[key]
        else:
            try:
                response, policy = ticket_terms(row, policies)
                found = (response, ctx.clock_for(policy))
            except KeyError:  # a plan or severity no policy knows any more: nothing to judge it by
                found = None
            terms[key] = found
        if found is None:
            continue
        response, clock = found
        judged.append(Judged(row, judge(clock, report_ticket(row, response), now), response, clock))
    return judged


class SlaGroups:
    """Every group of the SLA report, filled ticket by ticket."""

    def __init__(self, ctx: ReportContext, period: ReportPeriod, start: datetime, end: datetime, now: datetime):
        self._ctx, self._period, self._start, self._end, self._now = ctx, period, start, end, now
        self._tz = ctx.tz
        self.total = Tally()
        self.months = {key: Tally() for key in months_between(period.start, period.end)}
        # A moment's month is found by comparing it with the months' starts in UTC (the moments
        # read are UTC: a comparison without moving each one to local time and naming its month).
        self._utc_start, self._utc_end = start.astimezone(UTC), end.astimezone(UTC)
        self._month_starts = [_month_start(key, self._tz).astimezone(UTC) for key in self.months]
        self._month_tallies = list(self.months.values())
        self.plans: dict[str, Tally] = {}
        self.severities: dict[str, Tally] = {}
        self.agents: dict[str, Tally] = {}
        self.cities: dict[str, Tally] = {}
        self.customers: dict[str, Tally] = {}
        self.agent_names: dict[str, str] = {}
        self.customer_names: dict[str, str] = {}
        self.versions: set[int] = set()

    @staticmethod
    def _tally(groups: dict[str, Tally], key: str) -> Tally:
        tally = groups.get(key)
        if tally is None:
            tally = groups[key] = Tally()
        return tally

    def _groups(self, row: TicketRow) -> list[Tally]:
        """The groups a ticket counts in, but its month."""
        agent = str(row.agent_id) if row.agent_id is not None else ""
        customer = str(row.customer_id)
        if agent not in self.agent_names:
            self.agent_names[agent] = row.agent_name or _("Unassigned")
        self.customer_names[customer] = row.customer_name
        return [
            self.total,
            self._tally(self.plans, row.plan_code),
            self._tally(self.severities, row.severity.value),
            self._tally(self.agents, agent),
            self._tally(self.cities, row.city),
            self._tally(self.customers, customer),
        ]

    def _month(self, moment: datetime) -> Tally | None:
        """The tally of the period's month `moment` is in; None outside the period."""
        if not self._utc_start <= moment < self._utc_end:
            return None
        tallies = self._month_tallies
        return tallies[0] if len(tallies) == 1 else tallies[bisect_right(self._month_starts, moment) - 1]

    def add(self, judged: Judged) -> None:
        row, verdict = judged.row, judged.verdict
        groups: list[Tally] | None = None
        for clock in verdict.clocks:
            month = self._month(clock.started_at)
            if month is None:
                continue
            groups = groups or self._groups(row)
            outcome = clock.outcome
            working = hours(clock.response_working) if clock.response_working is not None else None
            for tally in (*groups, month):
                tally.tickets.add(row.id)
                if outcome is Outcome.MET:
                    tally.first_met += 1
                elif outcome is Outcome.MISSED:
                    tally.first_missed += 1
                elif outcome is Outcome.PENDING:
                    tally.first_pending += 1
                if working is not None:
                    tally.first_hours.append(working)
        for update in verdict.updates:
            month = self._month(update.decided_at)
            if month is None:
                continue
            groups = groups or self._groups(row)
            met = update.outcome is Outcome.MET
            for tally in (*groups, month):
                if met:
                    tally.updates_met += 1
                else:
                    tally.updates_missed += 1
        if verdict.pauses:
            self._add_pauses(row, verdict.pauses, judged.clock)
        if groups is not None and row.policy_version is not None:
            self.versions.add(row.policy_version)

    def _add_pauses(self, row: TicketRow, pauses: tuple[Interval, ...], clock: WorkingClock) -> None:
        """Waiting time inside the period, split at month boundaries (R9)."""
        stop = min(self._end, self._now)
        for pause in pauses:
            a, b = max(pause.start, self._start), min(pause.end or stop, stop)
            while a < b:
                day = a.astimezone(self._tz).date()
                piece_end = min(b, _next_month_start(day, self._tz))
                spent = paused_between(clock, (Interval(a, piece_end),), a, piece_end)
                if spent:
                    for tally in (*self._groups(row), self.months[month_key(day)]):
                        tally.paused += spent
                a = piece_end

    def result(self, period: ReportPeriod, flt: ReportFilter, empty_reason: str) -> SlaCompliance:
        ctx = self._ctx
        severity_rank = {s.value: i for i, s in enumerate(ctx.severity_order())}
        return SlaCompliance(
            period=period,
            filter=flt,
            total=self.total.figures("", _("All")),
            by_month=tuple(t.figures(k, month_label(k)) for k, t in self.months.items()),
            by_plan=tuple(
                t.figures(k, ctx.plan_name(k))
                for k, t in sorted(self.plans.items(), key=lambda kv: (ctx.plan_rank(kv[0]), kv[0]))
            ),
            by_severity=tuple(
                t.figures(k, _severity_text(k))
                for k, t in sorted(self.severities.items(), key=lambda kv: severity_rank.get(kv[0], 99))
            ),
            by_agent=_by_label(self.agents, self.agent_names),
            by_city=tuple(t.figures(k, k) for k, t in sorted(self.cities.items())),
            by_customer=_by_label(self.customers, self.customer_names),
            policy_versions=tuple(sorted(self.versions)),
            empty_reason=empty_reason,
        )


def _severity_text(code: str) -> str:
    return severity_label(Severity(code)) if code in Severity._value2member_map_ else code


def _by_label(tallies: dict[str, Tally], names: dict[str, str]) -> tuple[SlaFigures, ...]:
    ordered = sorted(tallies.items(), key=lambda kv: (names.get(kv[0], kv[0]).casefold(), kv[0]))
    return tuple(t.figures(k, names.get(k, k)) for k, t in ordered)


def _month_start(key: str, tz: tzinfo) -> datetime:
    """Local midnight of the first day of the month "YYYY-MM"."""
    year, month = (int(part) for part in key.split("-"))
    return datetime.combine(date(year, month, 1), time.min, tz)


def _next_month_start(day: date, tz: tzinfo) -> datetime:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return datetime.combine(date(year, month, 1), time.min, tz)


def empty_sla_reason(ctx: ReportContext, period: ReportPeriod, groups: SlaGroups) -> str:
    future = ctx.future_reason(period)
    if future:
        return future
    if groups.total.empty:
        return _("No ticket was received, reopened or answered in this period with these filters.")
    return ""


def judged_in(ctx: ReportContext, period: ReportPeriod, flt: ReportFilter) -> tuple[list[Judged], SlaGroups]:
    """The period's tickets (`flt`, already scoped to the actor) judged, and their SLA groups."""
    start, end = ctx.bounds(period)
    now = ctx.now()
    groups = SlaGroups(ctx, period, start, end, now)
    judged: list[Judged] = []
    if period.start <= ctx.today():
        with ctx.uow_factory() as uow:
            rows = uow.queries.reports.tickets(start, min(end, now), flt)
            policies = ctx.versions(uow, {row.policy_version for row in rows})
        # What was decided before the period is left out (it would not be counted).
        judged = judge_rows(ctx, rows, policies, now, partial(judge_ticket, since=start))
        for one in judged:
            groups.add(one)
    return judged, groups


def sla_compliance(ctx: ReportContext, period: ReportPeriod, flt: ReportFilter) -> SlaCompliance:
    """The SLA report of `flt`'s tickets (already scoped to the actor)."""
    _judged, groups = judged_in(ctx, period, flt)
    return groups.result(period, flt, empty_sla_reason(ctx, period, groups))


def naive_sla_compliance(ctx: ReportContext, period: ReportPeriod, flt: ReportFilter) -> SlaCompliance:
    """The same report, the slow way: each ticket's history read on its own (three queries per
    ticket) and every promise replayed through the queue's engine (domain.sla.ticket_sla). For
    the benchmark and the tests only."""
    start, end = ctx.bounds(period)
    now = ctx.now()
    groups = SlaGroups(ctx, period, start, end, now)
    if period.start <= ctx.today():
        with ctx.uow_factory() as uow:
            rows = []
            for row in uow.queries.reports.tickets(start, min(end, now), flt, history=False):
                ticket = uow.tickets.get(row.id)
                assert ticket is not None
                changes = tuple(uow.tickets.status_changes(row.id))
                responses = tuple(uow.queries.reports.responses(row.id))
                rows.append(replace(row, changes=changes, responses=responses, status=ticket.status))
            policies = ctx.versions(uow, {row.policy_version for row in rows})
        for judged in judge_rows(ctx, rows, policies, now, replay_ticket):
            groups.add(judged)
    return groups.result(period, flt, empty_sla_reason(ctx, period, groups))
