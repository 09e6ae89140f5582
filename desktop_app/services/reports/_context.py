"""What every report shares: who may read what (VIEW_REPORTS; an agent or a technician only their
own tickets), the period as moments in Colombian time, the policy version each ticket is judged
under with its calendar, and the sentences that say why a report is empty."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from desktop_app.domain.calendar import BusinessCalendar, DaysOff
from desktop_app.domain.ids import CustomerId
from desktop_app.domain.model import Role, Severity
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.domain.policy import PolicySettings
from desktop_app.domain.reports import WorkingClock
from desktop_app.errors import PermissionDeniedError
from desktop_app.formatting import format_date
from desktop_app.i18n import _
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import Clock, HolidaySource, UnitOfWork, UnitOfWorkFactory
from desktop_app.services.report_dto import ReportFilter, ReportPeriod
from desktop_app.services.report_ports import ReportQueries


class ReportContext:
    """Args:
    uow_factory: opens units of work (reports only read).
    policy: the policy in force and its calendar (the queue's own).
    clock: what "now" and "today" are.
    holidays: the country's public holidays, for the calendars of older policy versions.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, policy: PolicyService, clock: Clock, holidays: HolidaySource):
        self.uow_factory = uow_factory
        self.policy = policy
        self.clock = clock
        self._holidays = holidays
        self._calendars: dict[tuple[object, ...], BusinessCalendar] = {}
        # Reports may be computed side by side (the Informes page reads them in parallel): a
        # WorkingClock grows its caches as it goes, so each thread keeps its own.
        self._local = threading.local()

    # -- who ---------------------------------------------------------------------------------------

    def scope(self, actor: Actor, flt: ReportFilter) -> ReportFilter:
        """The filter the actor may read: everything with VIEW_REPORTS (administrators,
        coordinators), only their own tickets for an agent or a technician, nothing otherwise."""
        if allows(actor, Permission.VIEW_REPORTS):
            return flt
        if actor.user_id is not None and actor.role in (Role.AGENT, Role.TECHNICIAN):
            return replace(flt, agent_id=actor.user_id)
        raise PermissionDeniedError(_("Your role does not allow reading reports."))

    def sees_everything(self, actor: Actor) -> bool:
        return allows(actor, Permission.VIEW_REPORTS)

    # -- when --------------------------------------------------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        return self.policy.calendar().tz

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.now().astimezone(self.tz).date()

    def bounds(self, period: ReportPeriod) -> tuple[datetime, datetime]:
        """[start, end) of the period: local midnight of its first day to the midnight after its last."""
        tz = self.tz
        return (
            datetime.combine(period.start, time.min, tz),
            datetime.combine(period.end + timedelta(days=1), time.min, tz),
        )

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time.min, self.tz)

    def customer_city(self, uow: UnitOfWork, customer_id: CustomerId) -> str:
        customer = uow.catalog.get_customer(customer_id)
        return customer.city if customer else ""

    def future_reason(self, period: ReportPeriod) -> str:
        """Why a period has nothing yet ("" when it has started)."""
        if period.start > self.today():
            return _("The period starts on {start}, after today: nothing has happened in it yet.").format(
                start=format_date(period.start)
            )
        return ""

    # -- which policy ------------------------------------------------------------------------------

    def versions(self, uow: UnitOfWork, ids: Iterable[int | None]) -> dict[int | None, PolicySettings]:
        """The policy of each version asked for; None (a ticket from before versions) is the one in force."""
        queries: ReportQueries = uow.queries.reports
        wanted = {v for v in ids if v is not None}
        found: dict[int | None, PolicySettings] = {}
        for version, settings in queries.policy_versions(wanted).items():
            found[version] = settings
        found[None] = self.policy.policy()
        return found

    def calendar_for(self, policy: PolicySettings) -> BusinessCalendar:
        """The working-time calendar of a policy version; the queue's own when the hours and closure
        days are the ones in force (so its cached running totals serve both)."""
        current = self.policy.policy()
        if (
            policy.timezone == current.timezone
            and policy.working_hours == current.working_hours
            and tuple(policy.closure_days) == tuple(current.closure_days)
        ):
            return self.policy.calendar()
        key = (policy.timezone, tuple(sorted(policy.working_hours.items())), tuple(policy.closure_days))
        calendar = self._calendars.get(key)
        if calendar is None:
            calendar = BusinessCalendar(
                policy.timezone, policy.working_hours, DaysOff(self._holidays, frozenset(policy.closure_days))
            )
            self._calendars[key] = calendar
        return calendar

    def clock_for(self, policy: PolicySettings) -> WorkingClock:
        """The working-time clock of a policy version's calendar, kept while its calendar is."""
        calendar = self.calendar_for(policy)
        clocks: dict[int, WorkingClock] | None = getattr(self._local, "clocks", None)
        if clocks is None:
            clocks = self._local.clocks = {}
        clock = clocks.get(id(calendar))
        if clock is None or clock.calendar is not calendar:
            clock = WorkingClock(calendar)
            clocks[id(calendar)] = clock
        return clock

    # -- words -------------------------------------------------------------------------------------

    def plan_name(self, code: str) -> str:
        for plan in self.policy.policy().plans:
            if plan.code == code:
                return plan.name
        return code

    def plan_rank(self, code: str) -> int:
        for plan in self.policy.policy().plans:
            if plan.code == code:
                return plan.rank
        return 1_000

    def severity_order(self) -> tuple[Severity, ...]:
        return tuple(self.policy.policy().severities)


def month_label(key: str) -> str:
    """ "2026-11" → "nov 2026" (the month's short name in the user's language)."""
    year, month = (int(part) for part in key.split("-"))
    return format_date(date(year, month, 1)).split(" ", 1)[1]


def fixed_offset(tz: tzinfo, start: datetime, end: datetime) -> int | None:
    """The zone's offset from UTC in minutes if it is the same all through [start, end] (Bogotá has
    no summer time), so the database can tell each moment's local day; else None."""
    offsets = set()
    moment = start
    while True:
        offset = moment.astimezone(tz).utcoffset()
        if offset is None:
            return None
        offsets.add(offset)
        if moment >= end:
            break
        moment = min(moment + timedelta(days=14), end)
    if len(offsets) != 1:
        return None
    only = offsets.pop()
    return None if only % timedelta(minutes=1) else only // timedelta(minutes=1)
