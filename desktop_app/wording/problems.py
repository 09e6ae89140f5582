"""The problems of a form or a code, all named at once: policy settings, visits (R16), machines,
contracts and foreign QR codes."""

from __future__ import annotations

from desktop_app.domain.contracts import ContractProblem
from desktop_app.domain.machines import MachineProblem
from desktop_app.domain.model import ONSITE_CITIES, Severity
from desktop_app.domain.policy import MAX_WAIT_DAYS, MIN_WAIT_DAYS, PolicyIssue, PolicyProblem
from desktop_app.domain.qr import Foreign, ForeignCode
from desktop_app.domain.visits import VisitProblem
from desktop_app.i18n import _
from desktop_app.wording.tickets import severity_label


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
        PolicyProblem.BAD_WAIT: _(
            "the wait after the third contact attempt must be {min} to {max} working days (policy R12: a "
            "ticket must not close the moment its third attempt is logged); set at least {min}"
        ).format(min=MIN_WAIT_DAYS, max=MAX_WAIT_DAYS),
        PolicyProblem.BAD_AT_RISK: _("the at-risk share must be between 0 and 1"),
        PolicyProblem.BAD_MAINTENANCE: _("maintenance hours and interval must be more than 0"),
    }[issue.problem]
    return f"{where}: {text}"


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
