"""How a ticket reads: severity, status, channel, the SLA countdown, timeline events, the
lifecycle's refusals (R4, R9, R12–R14) and the "why this due time" explanation (R7)."""

from __future__ import annotations

from datetime import timedelta, tzinfo

from desktop_app.domain.explain import Explanation, StepKind
from desktop_app.domain.lifecycle import LifecycleError
from desktop_app.domain.lifecycle import Refusal as LifecycleRefusal
from desktop_app.domain.model import Channel, EventKind, Severity, TicketStatus
from desktop_app.domain.policy import MAX_WAIT_DAYS, MIN_WAIT_DAYS
from desktop_app.domain.sla import SlaState, SlaStatus, SlaTarget
from desktop_app.formatting import format_date, format_datetime, format_time, format_working_hours
from desktop_app.i18n import _, ngettext


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


def sla_text(sla: SlaStatus) -> str:
    """The countdown as words, so colour is never the only signal."""
    if sla.state is SlaState.PAUSED:
        return _("paused")
    if sla.state is SlaState.MET or sla.remaining is None:
        return _("answered")
    if sla.state is SlaState.BREACHED:
        if abs(sla.remaining) < timedelta(minutes=1):
            # Missed outside working hours (lunch, the night): no working time has passed yet.
            return _("overdue")
        return _("overdue by {time}").format(time=format_working_hours(sla.remaining))
    return _("due in {time}").format(time=format_working_hours(sla.remaining))


def event_label(kind: EventKind, data: dict[str, str]) -> str:
    if kind is EventKind.STATUS_CHANGE:
        target = data.get("to", "")
        name = status_label(TicketStatus(target)) if target in TicketStatus._value2member_map_ else target
        if data.get("reason") == "reopened":
            return _("Reopened by the customer")
        if data.get("closing_for_name"):
            # R13: closed by someone other than the assigned agent; the reason is the event's body.
            return _("Status: {status} — closed for {agent}").format(status=name, agent=data["closing_for_name"])
        return _("Status: {status}").format(status=name)
    if kind is EventKind.CONTACT_ATTEMPT:
        return _("Contact attempt {n} of 3").format(n=data.get("attempt", "?"))
    if kind is EventKind.ESCALATION:
        if data.get("from") == data.get("level"):
            # R11: a priority raised at the top level; the level stays, its people were told.
            return _("Priority raised at escalation level {level}: its people were told").format(
                level=data.get("level", "?")
            )
        return _("Escalated to level {level}").format(level=data.get("level", "?"))
    if kind is EventKind.ATTACHMENT:
        count = int(data.get("count", "1") or 1)
        return ngettext("{n} file attached", "{n} files attached", count).format(n=count)
    if kind is EventKind.VISIT:
        length = format_working_hours(timedelta(minutes=int(data.get("minutes", "0") or 0)))
        if data.get("long_maintenance") == "1":
            return _("On-site maintenance in {city}, {length} — longer than allowed").format(
                city=data.get("city", ""), length=length
            )
        if data.get("maintenance") == "1":
            return _("On-site maintenance in {city}, {length}").format(city=data.get("city", ""), length=length)
        return _("On-site visit in {city}, {length}").format(city=data.get("city", ""), length=length)
    if kind is EventKind.EMAIL_RECEIVED:
        # A customer's mail (services/mail/inbound.py): what it did, when it did more than arrive.
        if data.get("followed_by"):
            return _("E-mail received after the reopen window: it opened ticket {number}").format(
                number=data["followed_by"]
            )
        if data.get("follows"):
            return _("E-mail received: it follows up ticket {number}").format(number=data["follows"])
        if data.get("automatic"):
            return _("Automatic reply received (nothing changed)")
        if data.get("bounced_mail_id"):
            return _("A mail we sent bounced")
    if kind is EventKind.EMAIL_SENT and data.get("skipped"):
        # A mail the change would have sent, and why none went (services/mail/outbox.py).
        return _("No e-mail sent: {reason}").format(reason=mail_skipped_text(data["skipped"], data.get("address", "")))
    return {
        EventKind.CREATED: _("Ticket created"),
        EventKind.COMMENT: _("Comment"),
        EventKind.ASSIGNMENT: _("Assigned"),
        EventKind.SEVERITY_CHANGE: _("Severity changed"),
        EventKind.EMAIL_SENT: _("E-mail sent"),
        EventKind.EMAIL_RECEIVED: _("E-mail received"),
        EventKind.VISIT: _("On-site visit"),
    }[kind]


def mail_skipped_text(code: str, address: str = "") -> str:
    """Why a mail a change would send did not go, as the timeline says it."""
    texts = {
        "no_address": _("the customer has no e-mail address"),
        "never_auto_answer": _("automatic mail is never sent to {address}").format(address=address),
        "rate_limit": _("too many automatic mails to {address} about this ticket").format(address=address),
        "bad_address": _("the address {address} cannot be used in a mail").format(address=address),
        "no_staff_address": _("nobody at the next level has an e-mail address"),
    }
    return texts.get(code, code)


def closing_for_refusal_text(agent_name: str) -> str:
    """R13: why a person who is not the assigned agent may not close without a reason."""
    return _(
        "Policy R13: {agent}, the assigned agent, closes this ticket. To close it for them, write why in "
        "“Closing for {agent}: reason”; it goes on the timeline and in the audit log."
    ).format(agent=agent_name)


def lifecycle_refusal_text(error: LifecycleError, tz: tzinfo) -> str:
    refusal = error.refusal
    if refusal is LifecycleRefusal.WAIT_NOT_OVER and error.until is not None:
        return _(
            "The wait stated to the customer is not over: the ticket can close without response from {when}."
        ).format(when=format_datetime(error.until, tz))
    return {
        LifecycleRefusal.TRANSITION_NOT_ALLOWED: _("That change of status is not allowed from the current status."),
        LifecycleRefusal.NOT_WAITING: _("Contact attempts are logged while the ticket is waiting on the customer."),
        LifecycleRefusal.TOO_MANY_ATTEMPTS: _("The three contact attempts have already been made."),
        LifecycleRefusal.SAME_DAY_ATTEMPT: _(
            "There is already a contact attempt today: attempts go on distinct working days."
        ),
        LifecycleRefusal.NOT_A_WORKING_DAY: _("Contact attempts are made on working days."),
        LifecycleRefusal.ATTEMPT_BEFORE_PREVIOUS: _("An attempt cannot be earlier than the previous one."),
        LifecycleRefusal.NOT_ENOUGH_ATTEMPTS: _("Closing without response needs three contact attempts first."),
        LifecycleRefusal.WAIT_NOT_OVER: _("The wait stated to the customer is not over."),
        LifecycleRefusal.NOT_CLOSED: _("Only a closed ticket can be reopened."),
        LifecycleRefusal.REASON_REQUIRED: _("A reason is required."),
        LifecycleRefusal.BAD_WAIT: _(
            "The wait before closing stated to the customer must be {min} to {max} working days (policy R12: "
            "the ticket may close only after the third attempt and that wait). State a wait of at least "
            "{min} working day."
        ).format(min=MIN_WAIT_DAYS, max=MAX_WAIT_DAYS),
    }[refusal]


def sla_target_label(target: SlaTarget) -> str:
    return {SlaTarget.FIRST_RESPONSE: _("first response"), SlaTarget.NEXT_UPDATE: _("next update")}[target]


def explanation_lines(explanation: Explanation, holiday_names: dict[str, str], tz: tzinfo) -> list[str]:
    """ "Why this due time", one line per step, for the ticket view and `makersupport sla`."""
    lines = []
    for step in explanation.steps:
        day = format_date(step.day)
        span = f"{format_time(step.start.astimezone(tz))} – {format_time(step.end.astimezone(tz))}"
        if step.kind is StepKind.COUNTED:
            lines.append(
                _("{day}, {span}: {time} counted").format(day=day, span=span, time=format_working_hours(step.duration))
            )
        elif step.kind is StepKind.PAUSED:
            lines.append(_("{day}, {span}: waiting on the customer, not counted").format(day=day, span=span))
        elif step.kind is StepKind.WEEKEND:
            lines.append(_("{day}: no working hours").format(day=day))
        else:
            name = holiday_names.get(step.day.isoformat(), "")
            lines.append(
                _("{day}: holiday, {name}").format(day=day, name=name) if name else _("{day}: day off").format(day=day)
            )
    lines.append(
        _("Total counted: {time} of {response}").format(
            time=format_working_hours(explanation.counted), response=format_working_hours(explanation.response_time)
        )
    )
    return lines
