"""Display names for the domain's codes. The domain speaks in enums; people read these.

Functions, not module constants, so the text follows the language chosen at start-up.
"""

from __future__ import annotations

from datetime import timedelta, tzinfo

from desktop_app.domain.billing import LineKind
from desktop_app.domain.contracts import ContractProblem
from desktop_app.domain.eligibility import Condition, Coverage, Eligibility
from desktop_app.domain.eligibility import Refusal as EligibilityRefusal
from desktop_app.domain.explain import Explanation, StepKind
from desktop_app.domain.lifecycle import LifecycleError
from desktop_app.domain.lifecycle import Refusal as LifecycleRefusal
from desktop_app.domain.machines import MachineProblem
from desktop_app.domain.model import ONSITE_CITIES, Channel, ContractState, EventKind, Role, Severity, TicketStatus
from desktop_app.domain.policy import PolicyIssue, PolicyProblem
from desktop_app.domain.qr import Foreign, ForeignCode
from desktop_app.domain.sla import SlaState, SlaStatus, SlaTarget
from desktop_app.domain.visits import VisitProblem
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


def contract_state_label(state: ContractState) -> str:
    return {
        ContractState.ACTIVE: _("Active"),
        ContractState.EXPIRING: _("Expiring soon"),
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
        return _("Status: {status}").format(status=name)
    if kind is EventKind.CONTACT_ATTEMPT:
        return _("Contact attempt {n} of 3").format(n=data.get("attempt", "?"))
    if kind is EventKind.ESCALATION:
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
    return {
        EventKind.CREATED: _("Ticket created"),
        EventKind.COMMENT: _("Comment"),
        EventKind.ASSIGNMENT: _("Assigned"),
        EventKind.SEVERITY_CHANGE: _("Severity changed"),
        EventKind.EMAIL_SENT: _("E-mail sent"),
        EventKind.EMAIL_RECEIVED: _("E-mail received"),
        EventKind.VISIT: _("On-site visit"),
    }[kind]


def policy_issue_text(issue: PolicyIssue) -> str:
    """One line per problem of an edited policy, naming the field (R6, R7, R11, R12)."""
    parts = issue.field.split(".")
    if issue.problem in (PolicyProblem.MISSING_RESPONSE_TIME, PolicyProblem.BAD_RESPONSE_TIME) and len(parts) == 3:
        severity = severity_label(Severity(parts[2])) if parts[2] in Severity._value2member_map_ else parts[2]
        where = _("response time of plan {plan}, severity {severity}").format(plan=parts[1], severity=severity)
    else:
        where = issue.field
    text = {
        PolicyProblem.NO_PLANS: _("there must be at least one plan"),
        PolicyProblem.DUPLICATE_PLAN: _("two plans have the same code"),
        PolicyProblem.DUPLICATE_RANK: _("two plans have the same category rank"),
        PolicyProblem.BAD_RANK: _("the category rank must be 1 or more"),
        PolicyProblem.NEGATIVE_AMOUNT: _("amounts cannot be negative"),
        PolicyProblem.MISSING_RESPONSE_TIME: _("the response time is missing"),
        PolicyProblem.BAD_RESPONSE_TIME: _("the response time must be more than 0 and at most 2000 hours"),
        PolicyProblem.NO_SEVERITIES: _("there must be at least one severity"),
        PolicyProblem.NO_WORKING_HOURS: _("the week needs working hours"),
        PolicyProblem.BAD_WORKING_HOURS: _("working intervals must end after they start and must not overlap"),
        PolicyProblem.BAD_ESCALATION: _("escalation levels must be 1, 2, 3… with growing thresholds, level 1 at 0"),
        PolicyProblem.BAD_WAIT: _("the wait after the third contact attempt must be 0 to 30 working days"),
        PolicyProblem.BAD_AT_RISK: _("the at-risk share must be between 0 and 1"),
        PolicyProblem.BAD_MAINTENANCE: _("maintenance hours and interval must be more than 0"),
    }[issue.problem]
    return f"{where}: {text}"


def condition_label(condition: Condition) -> str:
    return {
        Condition.PAID_UP: _("the customer is not paid up (a paz y salvo)"),
        Condition.IN_WARRANTY: _("the machine's warranty has expired"),
        Condition.TRAINED: _("the customer has not been trained with makeR's tools"),
        Condition.NO_UNAUTHORIZED_INTERVENTION: _("the machine had an intervention not notified to makeR"),
        Condition.MAINTENANCE_DONE: _("the mandatory preventive maintenance is not up to date"),
    }[condition]


def eligibility_refusal_text(eligibility: Eligibility) -> str:
    """Why support is refused and what the customer can do (R3, R5)."""
    if eligibility.refusal is EligibilityRefusal.DISCONTINUED:
        since = format_date(eligibility.discontinued_from) if eligibility.discontinued_from else "—"
        return _(
            "No support: this model is discontinued since {date} and no special contract covers it. "
            "The customer can ask for a special contract."
        ).format(date=since)
    reasons = "; ".join(condition_label(c) for c in eligibility.failed_conditions)
    return _(
        "Free support does not apply: {reasons}. The request can be recorded as billable work, or the customer "
        "can contract a support plan."
    ).format(reasons=reasons)


def coverage_text(eligibility: Eligibility, plan_name: str) -> str:
    """What the customer is entitled to, said before the request is typed (R3, R5, R6)."""
    if not eligibility.allowed:
        return eligibility_refusal_text(eligibility)
    channels = ", ".join(channel_label(c) for c in Channel if c in eligibility.channels)
    if eligibility.coverage is Coverage.FREE_SUPPORT:
        return _("Free support (all five conditions met): virtual support only, by {channels}.").format(
            channels=channels
        )
    until = format_date(eligibility.contract_valid_to) if eligibility.contract_valid_to else "—"
    if eligibility.coverage is Coverage.SPECIAL_CONTRACT:
        return _("Special contract for a discontinued model, valid until {date}. Channels: {channels}.").format(
            date=until, channels=channels
        )
    return _("Plan {plan}, valid until {date}. Channels: {channels}.").format(
        plan=plan_name, date=until, channels=channels
    )


def visit_problems_text(problems: tuple[VisitProblem, ...]) -> str:
    """Every problem of a visit form, one per line (R16)."""
    texts = {
        VisitProblem.CITY: _("On-site visits are made only in {cities}.").format(cities=", ".join(ONSITE_CITIES)),
        VisitProblem.END_BEFORE_START: _("The visit must end after it starts."),
        VisitProblem.TOO_LONG: _("A visit cannot last more than 16 hours; check the dates."),
        VisitProblem.IN_THE_FUTURE: _("The visit cannot end in the future; record it when it is over."),
        VisitProblem.NO_WORK_DONE: _("Describe the work done."),
        VisitProblem.NEGATIVE_EXPENSES: _("Travel expenses cannot be negative."),
    }
    return "\n".join(texts[p] for p in problems)


def machine_problems_text(problems: tuple[MachineProblem, ...]) -> str:
    """Every problem of a machine record, one per line."""
    texts = {
        MachineProblem.SERIAL: _(
            "The serial must be 3 to 40 letters, digits, “-” or “_”, starting with a letter or digit "
            "(e.g. MK-M3-240001)."
        ),
        MachineProblem.PURCHASE_IN_FUTURE: _("The purchase date cannot be in the future."),
        MachineProblem.WARRANTY_BEFORE_PURCHASE: _("The warranty cannot end before the purchase date."),
        MachineProblem.MAINTENANCE_BEFORE_PURCHASE: _("The last maintenance cannot be before the purchase date."),
        MachineProblem.MAINTENANCE_IN_FUTURE: _("The last maintenance cannot be in the future."),
    }
    return "\n".join(texts[p] for p in problems)


def billing_line_label(kind: LineKind) -> str:
    return {
        LineKind.EXTRA_HOURS: _("Extra advisory hours"),
        LineKind.TRAVEL: _("Travel expenses"),
        LineKind.OUT_OF_PLAN: _("Maintenance beyond the plan"),
    }[kind]


def contract_problems_text(problems: tuple[ContractProblem, ...], invoice: str) -> str:
    """Every problem of a contract form, one per line, naming the field."""
    texts = {
        ContractProblem.NO_INVOICE: _("Invoice: write the invoice number (Factura)."),
        ContractProblem.INVOICE_REUSED: _("Invoice: {invoice} is already used by another contract.").format(
            invoice=invoice
        ),
        ContractProblem.END_BEFORE_START: _("Validity: the contract cannot end before it starts."),
        ContractProblem.NEGATIVE_PRICE: _("Price: the price before IVA cannot be negative."),
    }
    return "\n".join(texts[p] for p in problems)


def foreign_code_text(code: ForeignCode) -> str:
    """Why a scanned code is not a machine label, and what it is when that is known."""
    if code.kind is Foreign.EMPTY:
        return _("The code is empty.")
    if code.kind is Foreign.CERTIFICATE:
        return _("This is the QR code of a makeR certificate, not of a machine label.")
    shown = code.text if len(code.text) <= 60 else code.text[:57] + "…"
    return _("This is not a makeR machine label (it reads “{text}”).").format(text=shown)


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


def role_label(role: Role) -> str:
    return {
        Role.ADMIN: _("administrator"),
        Role.COORDINATOR: _("coordinator"),
        Role.AGENT: _("agent"),
        Role.TECHNICIAN: _("technician"),
    }[role]


def audit_action_label(action: str) -> str:
    return {
        "create": _("created"),
        "update": _("changed"),
        "escalate": _("escalated"),
        "create_admin": _("administrator created"),
        "attach": _("files attached"),
        "password": _("password changed"),
    }.get(action, action)
