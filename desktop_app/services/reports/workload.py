"""Workload (R11, R12, R14): tickets opened, closed and reopened per ISO week, the backlog by age
at the period's end, escalations by level and contact attempts, from the tickets and their
timeline events."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from desktop_app.domain.model import EventKind, TicketStatus
from desktop_app.domain.reports import (
    AGE_BUCKETS,
    REOPENED,
    ReportTicket,
    age_bucket,
    local_day,
    status_at,
    week_label,
    week_start,
    weeks_between,
)
from desktop_app.i18n import _
from desktop_app.services.report_dto import AgeBucket, LevelCount, ReportFilter, ReportPeriod, WeekLoad, Workload
from desktop_app.services.report_ports import EventCount
from desktop_app.services.reports._context import ReportContext, fixed_offset

_CLOSED = {s.value for s in TicketStatus if not s.is_open}
_INSTANT = timedelta(microseconds=1)
_NONE = timedelta(0)


def workload(ctx: ReportContext, period: ReportPeriod, flt: ReportFilter) -> Workload:
    """The workload of `flt`'s tickets (already scoped to the actor)."""
    start, end = ctx.bounds(period)
    now = ctx.now()
    tz = ctx.tz
    mondays = weeks_between(period.start, period.end)
    opened: Counter[date] = Counter()
    closed: Counter[date] = Counter()
    reopened: Counter[date] = Counter()
    levels: Counter[int] = Counter()
    backlog = [0] * len(AGE_BUCKETS)
    attempts = without_response = 0
    future = ctx.future_reason(period)
    if not future:
        until = min(end, now)
        kinds = (EventKind.STATUS_CHANGE, EventKind.ESCALATION, EventKind.CONTACT_ATTEMPT)
        # With a fixed offset from UTC (Bogotá) the database counts per local day; else each
        # moment is read and its local day found here.
        offset = fixed_offset(tz, start, until)
        with ctx.uow_factory() as uow:
            queries = uow.queries.reports
            if offset is None:
                received = Counter(local_day(moment, tz) for moment in queries.received(start, until, flt))
                counted = [
                    EventCount(local_day(event.at, tz), event.kind, event.data, 1)
                    for event in queries.events(start, until, flt, kinds)
                ]
            else:
                received = Counter(dict(queries.received_per_day(start, until, flt, offset)))
                counted = queries.event_counts(start, until, flt, kinds, offset)
            candidates = queries.open_at(until, flt)
        for day, count in received.items():
            opened[week_start(day)] += count
        for event in counted:
            week, count = week_start(event.day), event.count
            if event.kind is EventKind.STATUS_CHANGE:
                if event.data.get("to") in _CLOSED:
                    closed[week] += count
                    if event.data.get("to") == TicketStatus.CLOSED_NO_RESPONSE.value:
                        without_response += count
                if event.data.get("reason") == REOPENED:
                    reopened[week] += count
            elif event.kind is EventKind.ESCALATION:
                level = event.data.get("level", "")
                if level.isdigit():
                    levels[int(level)] += count
            else:
                attempts += count
        # Ages are counted on the period's last day (today while the period runs).
        last_day = local_day(until - _INSTANT, tz)
        for row in candidates:
            if row.changes:  # the status at the end from the history: a later reopening is not open yet
                state = status_at(
                    ReportTicket(row.id, row.received_at, _NONE, row.status, row.changes), until - _INSTANT
                )
            else:
                state = row.status
            if state is None or not state.is_open:
                continue
            backlog[age_bucket((last_day - local_day(row.received_at, tz)).days)] += 1
    weeks = tuple(
        WeekLoad(monday, week_label(monday), opened[monday], closed[monday], reopened[monday]) for monday in mondays
    )
    buckets = tuple(
        AgeBucket(label, first, last, backlog[index]) for index, (label, first, last) in enumerate(AGE_BUCKETS)
    )
    reason = future
    if not reason and not (sum(opened.values()) or sum(closed.values()) or sum(backlog) or attempts or levels):
        reason = _("No ticket was opened, closed or open in this period with these filters.")
    return Workload(
        period=period,
        filter=flt,
        weeks=weeks,
        backlog=buckets,
        backlog_total=sum(backlog),
        escalations=tuple(LevelCount(level, count) for level, count in sorted(levels.items())),
        closed_without_response=without_response,
        contact_attempts=attempts,
        empty_reason=reason,
    )
