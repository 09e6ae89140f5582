"""Display names for the domain's codes. The domain speaks in enums; people read these.

Functions, not module constants, so the text follows the language chosen at start-up.
"""

from __future__ import annotations

from desktop_app.domain.model import Channel, ContractState, EventKind, Severity, TicketStatus
from desktop_app.domain.sla import SlaState, SlaStatus
from desktop_app.formatting import format_working_hours
from desktop_app.i18n import _


def severity_label(severity: Severity) -> str:
    return {
        Severity.CRITICAL: _("Critical"),
        Severity.HIGH: _("High"),
        Severity.MEDIUM: _("Medium"),
        Severity.LOW: _("Low"),
    }[severity]


def status_label(status: TicketStatus) -> str:
    return {
        TicketStatus.NEW: _("New"),
        TicketStatus.IN_PROGRESS: _("In progress"),
        TicketStatus.WAITING_CUSTOMER: _("Waiting on customer"),
        TicketStatus.CLOSED: _("Closed"),
        TicketStatus.CLOSED_NO_RESPONSE: _("Closed — no customer response"),
        TicketStatus.OUT_OF_SCOPE: _("Out of scope"),
    }[status]


def channel_label(channel: Channel) -> str:
    return {Channel.EMAIL: _("E-mail"), Channel.PHONE: _("Phone"), Channel.ONSITE: _("On-site")}[channel]


def contract_state_label(state: ContractState) -> str:
    return {
        ContractState.ACTIVE: _("Active"),
        ContractState.EXPIRED: _("Expired"),
        ContractState.UPCOMING: _("Not started"),
    }[state]


def sla_text(sla: SlaStatus) -> str:
    """The countdown as words, so colour is never the only signal."""
    if sla.state is SlaState.PAUSED:
        return _("paused")
    if sla.state is SlaState.MET or sla.remaining is None:
        return _("answered")
    if sla.state is SlaState.BREACHED:
        return _("overdue by {time}").format(time=format_working_hours(sla.remaining))
    return _("due in {time}").format(time=format_working_hours(sla.remaining))


def event_label(kind: EventKind, data: dict[str, str]) -> str:
    if kind is EventKind.STATUS_CHANGE:
        target = data.get("to", "")
        name = status_label(TicketStatus(target)) if target in TicketStatus._value2member_map_ else target
        if data.get("reason") == "reopened":
            return _("Reopened by the customer")
        return _("Status: {status}").format(status=name)
    if kind is EventKind.CONTACT_ATTEMPT:
        return _("Contact attempt {n} of 3").format(n=data.get("attempt", "?"))
    if kind is EventKind.ESCALATION:
        return _("Escalated to level {level}").format(level=data.get("level", "?"))
    return {
        EventKind.CREATED: _("Ticket created"),
        EventKind.COMMENT: _("Comment"),
        EventKind.ASSIGNMENT: _("Assigned"),
        EventKind.SEVERITY_CHANGE: _("Severity changed"),
        EventKind.EMAIL_SENT: _("E-mail sent"),
        EventKind.EMAIL_RECEIVED: _("E-mail received"),
        EventKind.VISIT: _("On-site visit"),
    }[kind]
