"""Thirteen months of closed tickets for the demo, so the reports (issue 15) have a past to tell.

Each ticket's history is what the desk itself would have written, step by step: intake (sometimes
waiting for the images R2 asks for), the escalation round when the first response came late (R11,
at the policy's thresholds), the agent's first word to the customer, updates (R10), waits for
information that stop the clock (R9), the three contact attempts and the close without response
(R12), reopenings with a new clock (R14), a raised priority (R11), on-site visits in the four
cities, a few maintenances over the maximum (R16), and the advisory minutes recorded (R6).

Every moment is planned with the SLA engine the queue uses (domain.sla.add_counted_working_time:
working time, holidays, pauses), so a first response planned "late" is late by the engine's own
reckoning and a report replaying the history agrees with the plan. Most first responses are on
time (about nine in ten); two months had a rough patch.

The history has its own random generator, so the demo's live queue (services/demo.py) is exactly
what it was before the history existed; the two are written together in order of receipt, so
ticket numbers still follow it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from desktop_app.domain.business_time import add_working_time
from desktop_app.domain.calendar import BusinessCalendar
from desktop_app.domain.ids import PlanCode, TicketId, UserId
from desktop_app.domain.model import (
    ONSITE_CITIES,
    Channel,
    Customer,
    EventKind,
    Machine,
    ProductModel,
    Severity,
    Ticket,
    TicketEvent,
    TicketStatus,
    User,
    Visit,
)
from desktop_app.domain.policy import WARRANTY_PLAN, PolicySettings
from desktop_app.domain.sla import Interval, add_counted_working_time
from desktop_app.services.demo_texts import (
    COMMENTS,
    CUSTOMER_REPLIES,
    INFO_REQUESTS,
    OUT_OF_SCOPE,
    PROBLEMS,
    REOPENINGS,
    SOLUTIONS,
    UPDATES,
    VISIT_WORK,
)
from desktop_app.services.ports import UnitOfWork

HISTORY_SEED_OFFSET = 15  # issue 15: the history's generator is the demo's seed + this
OLDEST_DAYS = 400  # thirteen months back: twelve whole months and then some
LIVE_DAYS = 200  # the demo's own tickets reach this far back (demo._status_and_age): fewer here
NEWEST_DAYS = 16  # younger tickets are the live queue's
OLD_PER_MONTH = 42
RECENT_PER_MONTH = 14
ROUGH_MONTHS_AGO = (3, 8)  # a holiday season and a sick agent: more first responses late
LATE = 0.07
LATE_IN_ROUGH_MONTHS = 0.30
# Whatever is planned must be over well before `now`: the history is closed.
SETTLED = timedelta(hours=2)
_PLACEHOLDER = TicketId(0)

Coverage = Mapping[int, Sequence[tuple[str, date, date]]]  # machine id -> (plan, valid from, valid to)


@dataclass
class PastTicket:
    """A closed ticket as planned, written by DemoHistory.write (number and ids given there)."""

    ticket: Ticket
    events: list[TicketEvent]
    visit: Visit | None = None
    visit_data: tuple[tuple[str, str], ...] = ()

    @property
    def received_at(self) -> datetime:
        return self.ticket.received_at


@dataclass
class _Story:
    """One ticket's timeline while it is planned: events so far, the pauses (R9), the clock."""

    calendar: BusinessCalendar
    agent: UserId
    response: timedelta
    clock: datetime
    events: list[TicketEvent] = field(default_factory=list)
    pauses: list[Interval] = field(default_factory=list)
    responded: datetime | None = None
    last_update: datetime | None = None
    level: int = 1

    def add(self, kind: EventKind, at: datetime, author: UserId | None, body: str = "", **data: str) -> None:
        self.events.append(TicketEvent(_PLACEHOLDER, kind, at, author, body, tuple(sorted(data.items()))))

    def status(
        self, at: datetime, old: TicketStatus, new: TicketStatus, author: UserId | None, reason: str = ""
    ) -> None:
        extra = {"reason": reason} if reason else {}
        self.add(EventKind.STATUS_CHANGE, at, author, "", **{"from": old.value, "to": new.value, **extra})

    def to_customer(self, at: datetime, body: str, minutes: int = 0) -> None:
        """The agent's word to the customer: the clock's first response (R7), then an update (R10)."""
        extra = {"minutes": str(minutes)} if minutes else {}
        self.add(EventKind.COMMENT, at, self.agent, body, to_customer="yes", **extra)
        if self.responded is None:
            self.responded = at
        self.last_update = at

    def after(self, start: datetime, fraction: float) -> datetime:
        """`fraction` of the response time after `start`, in working time, the pauses skipped (R9)."""
        return add_counted_working_time(self.calendar, start, self.response * fraction, self.pauses)


class DemoHistory:
    """Plans the closed past (pure: no database) and writes each planned ticket in order of receipt."""

    def __init__(
        self,
        uow: UnitOfWork,
        policy: PolicySettings,
        calendar: BusinessCalendar,
        now: datetime,
        *,
        seed: int,
        agents: Sequence[User],
        technicians: Sequence[User],
        coordinator: User,
        policy_version: int | None,
    ) -> None:
        self.uow, self.policy, self.calendar = uow, policy, calendar
        self.now = now.astimezone(UTC)
        self.today = now.astimezone(calendar.tz).date()
        self.rng = random.Random(seed + HISTORY_SEED_OFFSET)
        self.agents, self.technicians = list(agents), list(technicians)
        self.coordinator = coordinator
        self.policy_version = policy_version
        self._technician_busy: dict[UserId, list[tuple[datetime, datetime]]] = {}
        self._visits: list[tuple[TicketId, Visit, tuple[tuple[str, str], ...]]] = []

    # -- planning ------------------------------------------------------------------------------------

    def plan(self, machines: Sequence[tuple[Machine, Customer, ProductModel]], coverage: Coverage) -> list[PastTicket]:
        """Every closed ticket of the history, oldest first."""
        rng = self.rng
        counts = (
            (LIVE_DAYS, OLDEST_DAYS, round(OLD_PER_MONTH * (OLDEST_DAYS - LIVE_DAYS) / 30.4)),
            (NEWEST_DAYS, LIVE_DAYS, round(RECENT_PER_MONTH * (LIVE_DAYS - NEWEST_DAYS) / 30.4)),
        )
        planned: list[PastTicket] = []
        for newest, oldest, count in counts:
            made = tries = 0
            while made < count and tries < count * 20:
                tries += 1
                machine, customer, model = rng.choice(machines)
                received = self._received_at(rng.uniform(newest, oldest))
                plan = self._plan_for(machine, customer, model, coverage, received.astimezone(self.calendar.tz).date())
                if plan is None:
                    continue  # no support without a plan or the warranty (R3, R5): intake refused it
                past = self._ticket(machine, customer, model, plan, received)
                if past is not None:
                    planned.append(past)
                    made += 1
        planned.sort(key=lambda past: past.received_at)
        return planned

    def _received_at(self, days_back: float) -> datetime:
        """Mostly within working hours; some mail arrives at night or on a weekend."""
        rng = self.rng
        local = (self.now - timedelta(days=days_back)).astimezone(self.calendar.tz)
        if rng.random() < 0.85:
            intervals = self.calendar.intervals_on(local.date())
            while not intervals:
                local -= timedelta(days=1)
                intervals = self.calendar.intervals_on(local.date())
            start, end = rng.choice(intervals)
            local = start + timedelta(seconds=rng.randrange(0, int((end - start).total_seconds()), 60))
        return local.astimezone(UTC).replace(second=0, microsecond=0)

    def _plan_for(
        self, machine: Machine, customer: Customer, model: ProductModel, coverage: Coverage, day: date
    ) -> PlanCode | None:
        """The plan a ticket on that day was taken under: a contract then in force, else the
        warranty's free support (R3: paid up, trained, no discontinued model)."""
        assert machine.id is not None
        if machine.purchase_date and day < machine.purchase_date:
            return None
        for plan, valid_from, valid_to in coverage.get(machine.id, ()):
            if valid_from <= day <= valid_to:
                return PlanCode(plan)
        if day <= machine.warranty_end and not model.discontinued_from and customer.paid_up and customer.trained:
            return WARRANTY_PLAN
        return None

    def _late_chance(self, received: datetime, severity: Severity) -> float:
        local = received.astimezone(self.calendar.tz)
        months_ago = (self.today.year * 12 + self.today.month) - (local.year * 12 + local.month)
        chance = LATE_IN_ROUGH_MONTHS if months_ago in ROUGH_MONTHS_AGO else LATE
        return chance + (0.04 if severity is Severity.CRITICAL else 0.0)

    def _ticket(
        self, machine: Machine, customer: Customer, model: ProductModel, plan: PlanCode, received: datetime
    ) -> PastTicket | None:
        rng = self.rng
        assert machine.id is not None and customer.id is not None
        terms = self.policy.plan(plan)
        severity = rng.choices(list(Severity), weights=(12, 28, 38, 22))[0]
        raised_from = None
        if severity in (Severity.CRITICAL, Severity.HIGH) and rng.random() < 0.12:
            # R11: it came in one step lower and the agent raised the priority after the first answer.
            raised_from = Severity.HIGH if severity is Severity.CRITICAL else Severity.MEDIUM
        local_agents = [a for a in self.agents if a.city == customer.city] or self.agents
        agent = rng.choice(local_agents)
        assert agent.id is not None and self.coordinator.id is not None
        # The promise under the severity the ticket ends with (what the queue and reports replay).
        story = _Story(self.calendar, agent.id, self.policy.response_time(plan, severity), received)
        story.add(EventKind.CREATED, received, self.coordinator.id, "", channel="email")
        story.add(EventKind.ASSIGNMENT, received, self.coordinator.id, "", agent_id=str(agent.id))
        status = TicketStatus.NEW
        if rng.random() < 0.12:  # R2: no images with the request; the clock waits for them (R9)
            story.status(
                received, TicketStatus.NEW, TicketStatus.WAITING_CUSTOMER, self.coordinator.id, "images_requested"
            )
            arrived = add_working_time(self.calendar, received, timedelta(hours=rng.uniform(1, 14)))
            story.add(EventKind.EMAIL_RECEIVED, arrived, None, rng.choice(CUSTOMER_REPLIES))
            story.status(arrived, TicketStatus.WAITING_CUSTOMER, TicketStatus.NEW, None, "customer_replied")
            story.pauses.append(Interval(received, arrived))
        late = rng.random() < self._late_chance(received, severity)
        fraction = rng.uniform(1.08, 2.6) if late else rng.uniform(0.12, 0.95)
        self._escalations(story, received, fraction)
        first = story.after(received, fraction)
        story.to_customer(first, rng.choice(COMMENTS), self._minutes())
        story.status(first, status, TicketStatus.IN_PROGRESS, agent.id)
        if raised_from is not None:
            at = first + timedelta(minutes=rng.randrange(10, 90))
            story.add(EventKind.SEVERITY_CHANGE, at, agent.id, "", **{"from": raised_from.value, "to": severity.value})
            self._escalate(story, at, "priority_change", by_agent=True)
        visit = self._visit(story, machine, customer, terms.onsite, first)
        final, closed = self._work(story, visit[0].ended_at if visit else None)
        reopen_count = 0
        if final is TicketStatus.CLOSED and rng.random() < 0.07:
            closed = self._reopen(story, closed)
            reopen_count = 1
        if closed > self.now - SETTLED:
            return None  # would still be open today: the live queue has its own
        channel = Channel.ONSITE if visit and rng.random() < 0.5 else rng.choice((Channel.EMAIL, Channel.PHONE))
        story.events[0] = replace(story.events[0], data=(("channel", channel.value),))
        ticket = Ticket(
            number="",
            machine_id=machine.id,
            customer_id=customer.id,
            plan_code=plan,
            severity=severity,
            channel=channel,
            description=f"{rng.choice(PROBLEMS[model.technology])}\nEquipo {model.name}, serie {machine.serial}.",
            status=final,
            received_at=received,
            assigned_agent_id=agent.id,
            first_response_due_at=add_working_time(self.calendar, received, story.response),
            first_responded_at=story.responded,
            closed_at=closed,
            reopen_count=reopen_count,
            escalation_level=story.level,
            clock_started_at=story.clock,
            last_agent_update_at=story.last_update,
            due_at=None,  # closed: nothing is due
            policy_version=self.policy_version,
        )
        return PastTicket(ticket, story.events, *(visit or (None, ())))

    def _minutes(self) -> int:
        """Advisory time recorded with an answer now and then (R6: counted against the plan)."""
        return self.rng.choice((15, 30, 45, 60, 90)) if self.rng.random() < 0.3 else 0

    def _escalations(self, story: _Story, start: datetime, fraction: float) -> None:
        """R11: the desk's round escalates at each level's threshold the first response passed."""
        for level in sorted(self.policy.escalation_levels, key=lambda rung: rung.level):
            if level.level > story.level and level.threshold > 0 and fraction >= level.threshold:
                self._escalate(story, story.after(start, level.threshold), "breach", by_agent=False)

    def _escalate(self, story: _Story, at: datetime, reason: str, *, by_agent: bool) -> None:
        """One level up (R11): by the desk's round at a breach, or with the agent's raised priority."""
        rung = next((r for r in self.policy.escalation_levels if r.level == story.level + 1), None)
        if rung is None:
            return
        who = story.agent if by_agent else None
        data = {"from": str(story.level), "level": str(rung.level), "reason": reason}
        story.add(EventKind.ESCALATION, at, who, "", to=rung.notify_username or rung.title, **data)
        story.level = rung.level

    def _work(self, story: _Story, not_before: datetime | None) -> tuple[TicketStatus, datetime]:
        """Updates and waits until the close: solved, without response (R12) or out of scope (R4)."""
        rng = self.rng
        agent = story.agent
        for _step in range(rng.choices((0, 1, 2, 3), weights=(30, 35, 25, 10))[0]):
            assert story.last_update is not None
            if rng.random() < 0.35:  # R9: the agent asks for something; the customer's turn
                asked = story.after(story.last_update, rng.uniform(0.2, 0.8))
                story.to_customer(asked, rng.choice(INFO_REQUESTS), self._minutes())
                story.status(asked, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_CUSTOMER, agent, "info_requested")
                answered = add_working_time(self.calendar, asked, timedelta(hours=rng.uniform(2, 30)))
                story.add(EventKind.EMAIL_RECEIVED, answered, None, rng.choice(CUSTOMER_REPLIES))
                story.status(
                    answered, TicketStatus.WAITING_CUSTOMER, TicketStatus.IN_PROGRESS, None, "customer_replied"
                )
                story.pauses.append(Interval(asked, answered))
            else:  # R10: keep the customer informed; now and then a little late
                share = rng.uniform(1.05, 1.5) if rng.random() < 0.06 else rng.uniform(0.3, 0.95)
                story.to_customer(story.after(story.last_update, share), rng.choice(UPDATES), self._minutes())
        assert story.last_update is not None
        end = story.after(story.last_update, rng.uniform(0.2, 0.9))
        if not_before is not None and end < not_before:
            end = not_before + timedelta(minutes=rng.randrange(20, 90))
        outcome = rng.choices(("solved", "no_response", "out_of_scope"), weights=(85, 9, 6))[0]
        if outcome == "no_response":
            return TicketStatus.CLOSED_NO_RESPONSE, self._no_response(story, end)
        if outcome == "out_of_scope":
            story.add(EventKind.COMMENT, end, agent, rng.choice(OUT_OF_SCOPE))
            story.status(end, TicketStatus.IN_PROGRESS, TicketStatus.OUT_OF_SCOPE, agent)
            self._closing_mail(story, end, "closing_out_of_scope")
            return TicketStatus.OUT_OF_SCOPE, end
        self._solve(story, end)
        return TicketStatus.CLOSED, end

    def _solve(self, story: _Story, at: datetime) -> None:
        story.add(EventKind.COMMENT, at, story.agent, self.rng.choice(SOLUTIONS))
        story.status(at, TicketStatus.IN_PROGRESS, TicketStatus.CLOSED, story.agent)
        self._closing_mail(story, at, "closing_solved")

    def _closing_mail(self, story: _Story, at: datetime, template: str) -> None:
        """R13: the customer receives the closing mail (R14: replying to it reopens)."""
        story.add(EventKind.EMAIL_SENT, at + timedelta(minutes=1), story.agent, "", template=template)

    def _no_response(self, story: _Story, asked: datetime) -> datetime:
        """R12: the agent asks, then three attempts on distinct working days, each stating the
        wait; after the third and that wait, the ticket closes without response."""
        rng = self.rng
        wait = self.policy.wait_after_third_attempt_days
        story.to_customer(asked, rng.choice(INFO_REQUESTS))
        story.status(asked, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_CUSTOMER, story.agent, "info_requested")
        moment = asked
        day_hours = timedelta(hours=8)  # the policy's working day: the same time on the next working day
        for number in (1, 2, 3):
            moment = add_working_time(self.calendar, moment, day_hours + timedelta(minutes=rng.randrange(0, 90)))
            method = rng.choice(("phone", "email"))
            story.add(
                EventKind.CONTACT_ATTEMPT,
                moment,
                story.agent,
                "Sin respuesta del cliente.",
                attempt=str(number),
                method=method,
                wait_days=str(wait),
            )
        closed = add_working_time(self.calendar, moment, day_hours * wait + timedelta(minutes=30))
        story.status(closed, TicketStatus.WAITING_CUSTOMER, TicketStatus.CLOSED_NO_RESPONSE, story.agent)
        self._closing_mail(story, closed, "closing_no_response")
        return closed

    def _reopen(self, story: _Story, closed: datetime) -> datetime:
        """R14: the customer answers the closing mail; a new clock at level 1, answered and closed again."""
        rng = self.rng
        reopened = add_working_time(self.calendar, closed, timedelta(hours=rng.uniform(4, 40)))
        story.add(EventKind.EMAIL_RECEIVED, reopened, None, rng.choice(REOPENINGS))
        story.status(reopened, TicketStatus.CLOSED, TicketStatus.IN_PROGRESS, None, "reopened")
        story.clock, story.pauses, story.level = reopened, [], 1
        story.responded = None
        fraction = rng.uniform(1.1, 1.8) if rng.random() < 0.1 else rng.uniform(0.1, 0.9)
        self._escalations(story, reopened, fraction)
        story.to_customer(story.after(reopened, fraction), rng.choice(COMMENTS), self._minutes())
        assert story.last_update is not None
        end = story.after(story.last_update, rng.uniform(0.2, 0.9))
        self._solve(story, end)
        return end

    def _visit(
        self, story: _Story, machine: Machine, customer: Customer, onsite: bool, after: datetime
    ) -> tuple[Visit, tuple[tuple[str, str], ...]] | None:
        """R16: an on-site visit for a plan with on-site service in the four cities; a few
        maintenances run past the policy's maximum."""
        rng = self.rng
        if not onsite or customer.city not in ONSITE_CITIES or rng.random() > 0.2:
            return None
        technician = next((t for t in self.technicians if t.city == customer.city), None)
        if technician is None or technician.id is None or machine.id is None:
            return None
        start = add_working_time(self.calendar, after, timedelta(hours=rng.uniform(1, 12)))
        start = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0)
        long = rng.random() < 0.12
        hours = rng.choice((4.5, 5.0, 5.5)) if long else rng.choice((1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0))
        end = start + timedelta(hours=hours)
        busy = self._technician_busy.setdefault(technician.id, [])
        if any(a < end and start < b for a, b in busy):
            return None  # one person, one place
        busy.append((start, end))
        maintenance = long or rng.random() < 0.45
        visit = Visit(
            None,
            machine.id,
            technician.id,
            customer.city,
            start,
            end,
            rng.choice(VISIT_WORK),
            rng.choice(("", "", "Boquilla 0,4 mm", "Termistor NTC 100K", "FEP 200 × 140 mm")),
            rng.choice((0, 90_000, 120_000, 180_000, 250_000)),
            maintenance,
        )
        long_maintenance = maintenance and hours > self.policy.max_maintenance_hours
        data = (
            ("city", customer.city),
            ("long_maintenance", "1" if long_maintenance else "0"),
            ("maintenance", "1" if maintenance else "0"),
            ("minutes", str(int(hours * 60))),
        )
        return visit, data

    # -- writing -------------------------------------------------------------------------------------

    def write(self, past: PastTicket) -> None:
        """The planned ticket with its number (in order of receipt) and timeline; its visit waits
        for `finish`, when every visit of the live queue is known."""
        tickets = self.uow.tickets
        year = past.received_at.astimezone(self.calendar.tz).year
        ticket = tickets.add(replace(past.ticket, number=tickets.next_number(year)))
        assert ticket.id is not None
        tickets.add_events(sorted((replace(event, ticket_id=ticket.id) for event in past.events), key=_at))
        if past.visit is not None:
            self._visits.append((ticket.id, past.visit, past.visit_data))

    def finish(self, live_visits: Sequence[Visit]) -> None:
        """The history's visits, each with its timeline event; one that would put a technician in
        two places at once (beside a visit of the live queue) is left out."""
        tickets = self.uow.tickets
        for ticket_id, planned, data in self._visits:
            if any(
                other.technician_id == planned.technician_id
                and other.started_at < planned.ended_at
                and planned.started_at < other.ended_at
                for other in live_visits
            ):
                continue
            visit = tickets.add_visit(replace(planned, ticket_id=ticket_id))
            facts = tuple(sorted((*data, ("visit_id", str(visit.id)))))
            event = TicketEvent(ticket_id, EventKind.VISIT, visit.ended_at, visit.technician_id, visit.work_done, facts)
            tickets.add_events([event])
        self._visits.clear()


def _at(event: TicketEvent) -> datetime:
    return event.at
