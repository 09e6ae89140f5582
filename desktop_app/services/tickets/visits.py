"""On-site visits (R16): who went, where, when, what was done, parts and travel expenses (billed
per R17); a maintenance visit dates the machine's last preventive maintenance (R3), and one
longer than the policy's maximum is flagged and told to the coordinators."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from desktop_app.domain.audit import AuditEntry, as_text
from desktop_app.domain.ids import TicketId, UserId
from desktop_app.domain.model import Channel, EventKind, NoticeKind, Notification, Role, Ticket, TicketEvent, Visit
from desktop_app.domain.permissions import Actor, Permission
from desktop_app.domain.visits import VisitError, check_visit, is_long_maintenance
from desktop_app.errors import PolicyRefusal, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.dto import TicketDetail
from desktop_app.services.ports import UnitOfWork
from desktop_app.services.text_input import clean_line, clean_text
from desktop_app.services.tickets._core import TicketCore
from desktop_app.wording import onsite_refusal_text, visit_problems_text


@dataclass(frozen=True)
class VisitRequest:
    """An on-site visit as the technician reports it (R16); times are aware datetimes."""

    technician_id: UserId
    city: str
    started_at: datetime
    ended_at: datetime
    work_done: str
    parts: str = ""
    travel_expenses: int = 0  # COP before IVA, billed per R17
    maintenance: bool = False


class Visits:
    def __init__(self, core: TicketCore) -> None:
        self._core = core

    def is_long_maintenance(self, maintenance: bool, started_at: datetime, ended_at: datetime) -> bool:
        """R16: whether this visit would be flagged (a maintenance over the policy's maximum)."""
        max_hours = self._core.policy.policy().max_maintenance_hours
        return is_long_maintenance(maintenance, started_at, ended_at, max_hours)

    def record_visit(self, ticket_id: TicketId, request: VisitRequest, *, actor: Actor) -> TicketDetail:
        """Record an on-site visit on the ticket's machine.

        Raises:
            UserFacingError: every problem of the form, named at once; a visit that overlaps
                another of the same technician.
        """
        # Cleaned at the boundary (services/text_input.py): the database can always store what is left.
        request = replace(
            request,
            city=clean_line(request.city),
            work_done=clean_text(request.work_done),
            parts=clean_text(request.parts),
        )
        core = self._core
        now = core.now()
        try:
            check_visit(
                city=request.city,
                started_at=request.started_at,
                ended_at=request.ended_at,
                work_done=request.work_done,
                travel_expenses=request.travel_expenses,
                now=now,
            )
        except VisitError as exc:
            raise UserFacingError(visit_problems_text(exc.problems)) from exc
        max_hours = core.policy.policy().max_maintenance_hours
        long_maintenance = is_long_maintenance(request.maintenance, request.started_at, request.ended_at, max_hours)
        with core.uow_factory() as uow:
            ticket = core.load(uow, ticket_id, actor=actor, permission=Permission.RECORD_VISITS)
            assert ticket.id is not None
            if request.technician_id != actor.user_id:
                core.authorize(uow, actor, Permission.ASSIGN_ANY)
                # Someone else's visit is a technician's: the dialog lists only them, checked here too.
                technicians = uow.catalog.users_with_role(Role.TECHNICIAN)
                if not any(user.id == request.technician_id and user.active for user in technicians):
                    raise UserFacingError(_("Choose one of the technicians for the visit."))
            self._check_onsite_coverage(uow, ticket, now)
            if uow.tickets.visit_overlaps(request.technician_id, request.started_at, request.ended_at):
                raise UserFacingError(_("This technician already has a visit recorded during that time."))
            visit = uow.tickets.add_visit(
                Visit(
                    ticket.id,
                    ticket.machine_id,
                    request.technician_id,
                    request.city,
                    request.started_at,
                    request.ended_at,
                    request.work_done.strip(),
                    request.parts.strip(),
                    request.travel_expenses,
                    request.maintenance,
                )
            )
            minutes = int((request.ended_at - request.started_at).total_seconds() // 60)
            data = (
                ("visit_id", str(visit.id)),
                ("city", request.city),
                ("minutes", str(minutes)),
                ("maintenance", "1" if request.maintenance else "0"),
                ("long_maintenance", "1" if long_maintenance else "0"),
            )
            events = [TicketEvent(ticket.id, EventKind.VISIT, now, actor.user_id, request.work_done.strip(), data)]
            recorded = {
                "ticket_id": ("", str(ticket.id)),
                "technician_id": ("", str(request.technician_id)),
                "city": ("", request.city),
                "started_at": ("", as_text(request.started_at)),
                "ended_at": ("", as_text(request.ended_at)),
                "travel_expenses": ("", str(request.travel_expenses)),
                "maintenance": ("", as_text(request.maintenance)),
            }
            uow.audit.record(AuditEntry(now, actor.user_id, "visit", str(visit.id), "create", recorded))
            if request.maintenance:
                uow.catalog.record_maintenance(ticket.machine_id, request.ended_at.astimezone(core.timezone()).date())
            if long_maintenance:
                facts = (("hours", str(max_hours)), ("visit_id", str(visit.id)))
                for coordinator in uow.catalog.users_with_role(Role.COORDINATOR):
                    assert coordinator.id is not None
                    notice = Notification(coordinator.id, ticket.id, NoticeKind.LONG_VISIT, now, facts)
                    uow.notices.add(notice)
            return core.commit(uow, ticket, events, now, actor)

    def _check_onsite_coverage(self, uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
        """R16: on-site work only for a machine whose coverage today includes the on-site channel
        (a plan with on-site service, for a customer in one of the four cities)."""
        core = self._core
        eligibility = core.eligibility(uow, ticket.machine_id, now)
        if Channel.ONSITE in eligibility.channels:
            return
        policy = core.policy.policy()
        plan_name = policy.plan(eligibility.plan_code).name if eligibility.plan_code else ""
        customer = uow.catalog.get_customer(ticket.customer_id)
        onsite_plans = ", ".join(p.name for p in sorted(policy.plans, key=lambda p: p.rank) if p.onsite)
        city = customer.city if customer else ""
        raise PolicyRefusal(onsite_refusal_text(eligibility, plan_name, city, onsite_plans))
