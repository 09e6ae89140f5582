"""Report figures (issue 15), pure: a ticket's SLA verdict from its stored facts, and the
statistics the reports show.

A verdict uses the queue's own arithmetic (domain.sla: `add_counted_working_time`,
`counted_working_time`, `pauses_from_history`; domain.business_time and the calendar with its
holidays), so a report never disagrees with the countdown a ticket showed or with "por qué vence":

- Each clock is judged apart: the reception starts one and each reopening another (R14).
- A clock's first response is the agent's first word to the customer after it started; it is met
  when it came at or before the due time: the clock's start plus the response time of the
  ticket's plan × severity (R7) in working time, holidays excluded, with the time spent waiting
  on the customer before it added (R9). A clock closed without any word is missed when it closed
  after its due time (the queue showed it breached) and not judged otherwise. A clock with
  neither is missed once its due time has passed, and pending until then.
- After the first response each word to the customer renews the promise of an update within the
  same response time (R10): the next word at or before that due time keeps it; none by then
  misses it, unless the clock closed first.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from desktop_app.domain.calendar import BusinessCalendar
from desktop_app.domain.model import TicketStatus
from desktop_app.domain.sla import (
    Interval,
    SlaFacts,
    SlaState,
    StatusChange,
    pauses_from_history,
    ticket_sla,
)

REOPENED = "reopened"  # the reason of the status change a reopening writes (services/tickets/lifecycle.py)
_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)
_MEMO = 50_000
# Backlog age buckets (days since the ticket was received): (label, first day, last day or None).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0–1", 0, 1),
    ("2–3", 2, 3),
    ("4–7", 4, 7),
    ("8–14", 8, 14),
    ("15–30", 15, 30),
    (">30", 31, None),
)


class Outcome(StrEnum):
    MET = "met"
    MISSED = "missed"
    PENDING = "pending"  # not answered yet and not yet due
    CLOSED = "closed"  # closed without a word before anything was due: neither met nor missed


@dataclass(frozen=True)
class ReportTicket:
    """What a report knows of one ticket: its row and its history (status changes, words to the customer)."""

    id: int
    received_at: datetime
    response_time: timedelta  # plan × severity under the ticket's policy version (R7)
    status: TicketStatus
    changes: tuple[StatusChange, ...] = ()  # in time order
    # The agent's words to the customer (comments marked for the customer, mails), in time order.
    responses: tuple[datetime, ...] = ()
    # The row's own fields, which the engine keeps for the latest clock (R7, R14).
    first_responded_at: datetime | None = None
    clock_started_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class ClockVerdict:
    started_at: datetime
    due_at: datetime  # the first-response due time as the queue computes it (pauses before the answer added)
    answered_at: datetime | None  # the first word to the customer, or the closing when there was none
    responded: bool  # answered_at is a word to the customer (not the closing)
    outcome: Outcome
    response_working: timedelta | None  # working time to the answer, pauses excluded


@dataclass(frozen=True)
class UpdateVerdict:
    promised_at: datetime  # the word to the customer that made the promise
    due_at: datetime
    outcome: Outcome  # MET or MISSED (a promise the clock's closing ended early is not judged)
    decided_at: datetime  # when it was kept (the next word) or missed (the due time)


@dataclass(frozen=True)
class TicketVerdict:
    clocks: tuple[ClockVerdict, ...]
    updates: tuple[UpdateVerdict, ...]
    pauses: tuple[Interval, ...]  # every wait on the customer (R9), the last one maybe open


# -- the verdict ----------------------------------------------------------------------------------


def clock_starts(ticket: ReportTicket) -> tuple[datetime, ...]:
    """The reception and every reopening (R14), in order."""
    starts = {ticket.received_at}
    starts.update(c.at for c in ticket.changes if c.reason == REOPENED)
    if ticket.clock_started_at is not None and ticket.clock_started_at > ticket.received_at:
        starts.add(ticket.clock_started_at)  # the row's latest clock, even without its event
    return tuple(sorted(starts))


def pauses_until(pauses: Sequence[Interval], moment: datetime) -> tuple[Interval, ...]:
    """The waits that began before `moment`, the one still going on at `moment` ending there:
    what the engine had taken out of the clock when the answer came."""
    return tuple(
        Interval(p.start, moment if p.end is None or p.end > moment else p.end) for p in pauses if p.start < moment
    )


def _closing_in(changes: Sequence[StatusChange], start: datetime, stop: datetime | None) -> datetime | None:
    for change in changes:
        if change.at >= start and (stop is None or change.at < stop) and not change.to.is_open:
            return change.at
    return None


class WorkingClock:
    """Working time as one number, for judging thousands of tickets fast: `at(t)` is the working
    time (microseconds) from an origin to `t`, read off the calendar's own running totals, so a
    span is a subtraction and a due time one bisection (`moment`). The results are the engine's
    to the microsecond (domain.business_time walks the same intervals in wall-clock time): the
    tests replay random tickets through both.
    """

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar
        self._tz = calendar.tz
        self._weekly = {
            weekday: tuple((_offset(start), _offset(end)) for start, end in calendar.weekly_hours.get(weekday, ()))
            for weekday in range(7)
        }
        self._days: dict[date, tuple[int, tuple[tuple[int, int], ...], int]] = {}
        # Values count from the first day asked (the calendar's running totals then cover only the
        # years the tickets touch); earlier days get negative values.
        self._origin: date | None = None
        self._seen: dict[datetime, int] = {}
        self._bases: list[int] = []  # the value at each midnight from the origin on
        self._from_origin: list[tuple[int, tuple[tuple[int, int], ...], datetime]] = []

    def _day(self, day: date) -> tuple[int, tuple[tuple[int, int], ...], int]:
        """(working time from the origin to the day's local midnight, the day's working intervals
        as microseconds after midnight, the day's working time)."""
        found = self._days.get(day)
        if found is None:
            calendar = self.calendar
            origin = self._origin
            if origin is None:
                origin = self._origin = day
                self._bases = [0]
            if day >= origin:
                base = calendar.microseconds_in_days(origin, day)
            else:
                base = -calendar.microseconds_in_days(day, origin)
            intervals = self._weekly[day.weekday()] if calendar.is_working_day(day) else ()
            found = (base, intervals, sum(end - begin for begin, end in intervals))
            self._days[day] = found
        return found

    def at(self, moment: datetime) -> int:
        value = self._seen.get(moment)
        if value is None:
            value = self._value(moment.astimezone(self._tz))
            if len(self._seen) > _MEMO:  # a report reads each moment a few times in a row
                self._seen.clear()
            self._seen[moment] = value
        return value

    def _value(self, local: datetime) -> int:
        base, intervals, _full = self._day(local.date())
        position = (local.hour * 3600 + local.minute * 60 + local.second) * 1_000_000 + local.microsecond
        for start, end in intervals:
            if position >= end:
                base += end - start
            else:
                if position > start:
                    base += position - start
                break
        return base

    def moment(self, start: datetime, working: int) -> datetime:
        """The moment `working` microseconds of working time after `start` (its value at(start) +
        working): `add_working_time`'s answer, the end of an interval rather than the next start."""
        if working <= 0:
            return start
        return self._after(start, self.at(start) + working)

    def _after(self, start: datetime, target: int) -> datetime:
        """The earliest moment from `start` on whose value is `target` (> at(start))."""
        if target > 0 and self._origin is not None:
            # Every moment before the origin's midnight has a value <= 0: the one wanted comes
            # after it, where the midnights' values find it (start's local day is not needed).
            return self._reaching_from_origin(target)
        return self._reaching(start.astimezone(self._tz).date(), target)

    def _reaching_from_origin(self, target: int) -> datetime:
        """`_reaching` for a target after the origin's midnight (> 0): one bisection of the
        midnights' values finds the day."""
        origin = self._origin
        assert origin is not None
        bases = self._bases
        while bases[-1] < target:
            self._extend()
        index = bisect_left(bases, target) - 1
        days = self._from_origin
        while len(days) <= index:  # each day's (value at midnight, intervals, midnight), once
            day = origin + timedelta(days=len(days))
            base, intervals, _full = self._day(day)
            days.append((base, intervals, datetime.combine(day, time.min, self._tz)))
        reached, intervals, midnight = days[index]
        for begin, end in intervals:
            if target - reached <= end - begin:
                return midnight + timedelta(microseconds=begin + target - reached)
            reached += end - begin
        raise AssertionError("the running totals said the time runs out on this day")  # pragma: no cover

    def _reaching(self, day: date, target: int) -> datetime:
        """The earliest moment, on `day` or after, whose value is `target` (> the value of any
        moment of `day` before the one wanted)."""
        origin = self._origin
        if origin is not None and day >= origin:
            # Days from the origin on: one bisection of the midnights' values finds the day.
            bases = self._bases
            while bases[-1] < target:
                self._extend()
            index = bisect_left(bases, target) - 1
            day = origin + timedelta(days=index)
            base, intervals, _full = self._day(day)
        else:
            base, intervals, full = self._day(day)
            if target > base + full:
                day, left = self.calendar.first_day_reaching(day + _DAY, target - base - full)
                base, intervals, full = self._day(day)
                target = base + left
        reached = base
        for begin, end in intervals:
            if target - reached <= end - begin:
                offset = begin + target - reached
                return datetime.combine(day, time.min, self._tz) + timedelta(microseconds=offset)
            reached += end - begin
        raise AssertionError("the running totals said the time runs out on this day")  # pragma: no cover

    def _extend(self) -> None:
        """Ninety more days of midnight values after the origin (bases[i]: day origin + i)."""
        assert self._origin is not None
        bases = self._bases
        for _ in range(90):
            _base, _intervals, full = self._day(self._origin + timedelta(days=len(bases) - 1))
            bases.append(bases[-1] + full)

    def due(self, start: datetime, duration: timedelta, pauses: Sequence[tuple[int, int]]) -> tuple[datetime, int]:
        """`add_counted_working_time` in numbers: (the due time, its value). `pauses`: (begin, end)
        values of the waits that count (closed, each starting at or after `start`'s value)."""
        origin = self.at(start)
        wanted = duration // _MICROSECOND
        extra = 0
        while True:
            due = origin + wanted + extra
            paused = 0
            for begin, end in pauses:
                low, high = max(begin, origin), min(end, due)
                if high > low:
                    paused += high - low
            if paused == extra:
                return (self._after(start, due) if due > origin else start), due
            extra = paused


def _offset(moment: time) -> int:
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + moment.microsecond


def judge_ticket(
    clock: WorkingClock, ticket: ReportTicket, now: datetime, *, since: datetime | None = None
) -> TicketVerdict:
    """Every clock's first response and every update promise of the ticket, as of `now`.

    since: leave out what is decided before it (a report's period start): clocks that ended
    before it, first responses of clocks that started before it, promises kept before it.
    """
    starts = clock_starts(ticket)
    all_pauses = pauses_from_history(ticket.changes, ticket.received_at)
    clocks: list[ClockVerdict] = []
    updates: list[UpdateVerdict] = []
    for index, start in enumerate(starts):
        stop = starts[index + 1] if index + 1 < len(starts) else None
        words, end = _clock_words(ticket, start, stop)
        early = since is not None and start < since
        if since is not None and early and end is not None and end < since:
            continue
        pauses = [p for p in all_pauses if p.end is None or p.end > start]
        first = words[0] if words else None
        if not early:
            clocks.append(_first_response(clock, start, ticket.response_time, pauses, first, end, now))
        if first is not None:
            updates.extend(_updates(clock, ticket.response_time, pauses, words, end, now, since))
    return TicketVerdict(tuple(clocks), tuple(updates), all_pauses)


def _values(
    clock: WorkingClock, pauses: Sequence[Interval], since: datetime, moment: datetime
) -> list[tuple[int, int]]:
    """The waits after `since` that began before `moment`, the one going on then ending at it
    (`pauses_until`), as working-time values."""
    found = []
    for pause in pauses:
        if pause.start >= moment or (pause.end is not None and pause.end <= since):
            continue
        end = moment if pause.end is None or pause.end > moment else pause.end
        found.append((clock.at(max(pause.start, since)), clock.at(end)))
    return found


def _counted(clock: WorkingClock, start: datetime, moment: datetime, pauses: Sequence[tuple[int, int]]) -> timedelta:
    """`counted_working_time` from start to moment (moment ≥ start) with these waits taken out."""
    low, high = clock.at(start), clock.at(moment)
    paused = sum(max(0, min(end, high) - max(begin, low)) for begin, end in pauses)
    return timedelta(microseconds=high - low - paused)


def _first_response(
    clock: WorkingClock,
    start: datetime,
    response: timedelta,
    pauses: Sequence[Interval],
    first: datetime | None,
    end: datetime | None,
    now: datetime,
) -> ClockVerdict:
    answered = first if first is not None else end
    if answered is not None and answered <= now:
        taken_out = _values(clock, pauses, start, answered)
        due, _value = clock.due(start, response, taken_out)
        if first is None:  # closed (or reopened) without a word to the customer
            outcome = Outcome.MISSED if answered > due else Outcome.CLOSED
            return ClockVerdict(start, due, answered, False, outcome, None)
        outcome = Outcome.MET if answered <= due else Outcome.MISSED
        return ClockVerdict(start, due, answered, True, outcome, _counted(clock, start, answered, taken_out))
    # Not answered yet: a wait going on now ends here, so the due time moves past `now` unless the
    # clock had run out before the wait began (the queue shows it paused, or breached, R9).
    due, _value = clock.due(start, response, _values(clock, pauses, start, now))
    return ClockVerdict(start, due, None, False, Outcome.MISSED if now >= due else Outcome.PENDING, None)


def _updates(
    clock: WorkingClock,
    response: timedelta,
    pauses: Sequence[Interval],
    words: Sequence[datetime],
    end: datetime | None,
    now: datetime,
    since: datetime | None = None,
) -> list[UpdateVerdict]:
    verdicts: list[UpdateVerdict] = []
    for index, promised in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else None
        if since is not None and following is not None and following < since:
            continue  # kept or missed before `since`: decided at the latest by the next word
        moment = following if following is not None else min(end, now) if end is not None else now
        due, _value = clock.due(promised, response, _values(clock, pauses, promised, moment))
        if following is not None:
            outcome = Outcome.MET if following <= due else Outcome.MISSED
            verdicts.append(UpdateVerdict(promised, due, outcome, following if outcome is Outcome.MET else due))
        elif end is not None and end <= now:
            if end > due:  # closed after the promise had run out
                verdicts.append(UpdateVerdict(promised, due, Outcome.MISSED, due))
        elif now >= due:
            verdicts.append(UpdateVerdict(promised, due, Outcome.MISSED, due))
    return verdicts


def paused_between(clock: WorkingClock, pauses: Iterable[Interval], a: datetime, b: datetime) -> timedelta:
    """Working time of the waits on the customer (R9) inside [a, b)."""
    total = 0
    for pause in pauses:
        start, end = max(pause.start, a), min(pause.end or b, b)
        if end > start:
            total += clock.at(end) - clock.at(start)
    return timedelta(microseconds=total)


def status_at(ticket: ReportTicket, moment: datetime, initial: TicketStatus = TicketStatus.NEW) -> TicketStatus | None:
    """The ticket's status at `moment` from its history (None: not received yet)."""
    if ticket.received_at > moment:
        return None
    status = initial
    for change in ticket.changes:
        if change.at > moment:
            break
        status = change.to
    return status


# -- statistics -----------------------------------------------------------------------------------


def ratio(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide ("sin datos")."""
    return part / whole if whole > 0 else None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` percentile (0–1) by linear interpolation between ranks (a spreadsheet's
    PERCENTILE.INC); None for no values."""
    if not values:
        return None
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must be between 0 and 1")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 0.5)


def hours(duration: timedelta) -> float:
    return duration / _HOUR


def local_day(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_between(first: date, last: date) -> tuple[str, ...]:
    """Every "YYYY-MM" from first's month to last's, in order."""
    keys = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(keys)


def week_start(day: date) -> date:
    """The Monday of the ISO week of `day`."""
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    year, week, _weekday = monday.isocalendar()
    return f"{year:04d}-W{week:02d}"


def weeks_between(first: date, last: date) -> tuple[date, ...]:
    """The Monday of every ISO week touching first … last."""
    monday, stop = week_start(first), week_start(last)
    weeks = []
    while monday <= stop:
        weeks.append(monday)
        monday += timedelta(days=7)
    return tuple(weeks)


def age_bucket(age_days: int) -> int:
    """The index in AGE_BUCKETS of a backlog ticket `age_days` old."""
    for index, (_label, first, last) in enumerate(AGE_BUCKETS):
        if age_days >= first and (last is None or age_days <= last):
            return index
    return 0  # a negative age (received after the moment asked) counts as new


# -- the reference: the queue's engine asked at each moment ----------------------------------------


def replay_ticket(clock: WorkingClock, ticket: ReportTicket, now: datetime) -> TicketVerdict:
    """The same verdicts as `judge_ticket`, each asked of the queue's engine (domain.sla.ticket_sla)
    as it stood at the moment of the answer: slow (the engine walks the history for every
    promise), kept as the reference the fast reading is checked against. Only `clock.calendar`
    is used."""
    calendar = clock.calendar
    starts = clock_starts(ticket)
    clocks: list[ClockVerdict] = []
    updates: list[UpdateVerdict] = []
    for index, start in enumerate(starts):
        stop = starts[index + 1] if index + 1 < len(starts) else None
        words, end = _clock_words(ticket, start, stop)
        first = words[0] if words else None
        answered = first if first is not None else end
        moment = answered if answered is not None and answered <= now else now
        sla = ticket_sla(calendar, _facts_at(ticket, start, moment), moment)
        assert sla.due_at is not None  # the facts are open and running
        if answered is None or answered > now:
            outcome = Outcome.MISSED if sla.status.state is SlaState.BREACHED else Outcome.PENDING
            clocks.append(ClockVerdict(start, sla.due_at, None, False, outcome, None))
        elif first is None:
            outcome = Outcome.MISSED if answered > sla.due_at else Outcome.CLOSED
            clocks.append(ClockVerdict(start, sla.due_at, answered, False, outcome, None))
        else:
            outcome = Outcome.MET if answered <= sla.due_at else Outcome.MISSED
            clocks.append(ClockVerdict(start, sla.due_at, answered, True, outcome, sla.elapsed))
            for position, promised in enumerate(words):
                following = words[position + 1] if position + 1 < len(words) else None
                moment = following if following is not None else min(end, now) if end is not None else now
                facts = _facts_at(ticket, start, moment, first_responded_at=first, last_update_at=promised)
                update = ticket_sla(calendar, facts, moment)
                assert update.due_at is not None
                due = update.due_at
                if following is not None:
                    kept = following <= due
                    updates.append(
                        UpdateVerdict(
                            promised, due, Outcome.MET if kept else Outcome.MISSED, following if kept else due
                        )
                    )
                elif (end is not None and end <= now and end > due) or (
                    (end is None or end > now) and update.status.state is SlaState.BREACHED
                ):
                    updates.append(UpdateVerdict(promised, due, Outcome.MISSED, due))
    return TicketVerdict(tuple(clocks), tuple(updates), pauses_from_history(ticket.changes, ticket.received_at))


def _clock_words(
    ticket: ReportTicket, start: datetime, stop: datetime | None
) -> tuple[list[datetime], datetime | None]:
    """The words to the customer inside one clock (up to its end) and the clock's end (its
    closing, or the reopening that started the next clock; None while it runs)."""
    last = stop is None
    words = [t for t in ticket.responses if t >= start and (stop is None or t < stop)]
    recorded = ticket.first_responded_at
    # The engine's own record of the latest clock's first response (TicketCore.answered) wins.
    if last and recorded is not None and recorded >= start and (not words or words[0] != recorded):
        words = sorted({recorded, *(t for t in words if t > recorded)})
    closing = _closing_in(ticket.changes, start, stop)
    if closing is None and last and not ticket.status.is_open:
        closing = ticket.closed_at or (ticket.changes[-1].at if ticket.changes else None)
    end = closing if closing is not None else stop
    return [t for t in words if end is None or t <= end], end


def _facts_at(
    ticket: ReportTicket,
    start: datetime,
    moment: datetime,
    *,
    first_responded_at: datetime | None = None,
    last_update_at: datetime | None = None,
) -> SlaFacts:
    """The engine's facts of one clock just before `moment`, a wait going on then ending at it."""
    before = tuple(c for c in ticket.changes if c.at < moment)
    return SlaFacts(
        start,
        ticket.response_time,
        TicketStatus.IN_PROGRESS,
        (*before, StatusChange(moment, TicketStatus.IN_PROGRESS)),
        first_responded_at,
        last_update_at,
    )
