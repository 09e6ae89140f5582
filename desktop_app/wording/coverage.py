"""How coverage reads (R3, R5, R6): which free-support condition fails and why, and what the
customer's plan or warranty includes."""

from __future__ import annotations

from datetime import date

from desktop_app.domain.eligibility import Condition, Coverage, Eligibility, in_warranty
from desktop_app.domain.eligibility import Refusal as EligibilityRefusal
from desktop_app.domain.model import ONSITE_CITIES, Channel
from desktop_app.formatting import format_date
from desktop_app.i18n import _
from desktop_app.wording.tickets import channel_label


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


def onsite_refusal_text(eligibility: Eligibility, plan_name: str, customer_city: str, onsite_plans: str) -> str:
    """R16: why no visit can be recorded on this machine's ticket, and what the customer can do."""
    if eligibility.coverage is Coverage.FREE_SUPPORT:
        coverage = _("free support under warranty (e-mail only)")
    elif not eligibility.allowed or eligibility.coverage is Coverage.NONE:
        coverage = _("no plan and no free support")
    elif customer_city not in ONSITE_CITIES:
        coverage = _("plan {plan}, for a customer in {city}, outside the on-site cities").format(
            plan=plan_name, city=customer_city
        )
    else:
        coverage = _("plan {plan}").format(plan=plan_name)
    return _(
        "Policy R16: a visit is recorded only when the machine's coverage today includes on-site service. "
        "This machine's coverage today: {coverage}, without on-site service. The customer can contract a plan "
        "with on-site service ({plans}) in {cities}; meanwhile, support them by e-mail or phone."
    ).format(coverage=coverage, plans=onsite_plans, cities=", ".join(ONSITE_CITIES))


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


def warranty_text(warranty_end: date, today: date, *, named: bool = True) -> str:
    """The warranty as the machine and ticket pages show it, judged by R5's rule (the last day
    counts): "Warranty until <date>" or "Warranty expired on <date>"; without `named`, for a row
    already labelled "Warranty": "Valid until <date>" or "Expired on <date>"."""
    when = format_date(warranty_end)
    if in_warranty(warranty_end, today):
        return (_("Warranty until {date}") if named else _("Valid until {date}")).format(date=when)
    return (_("Warranty expired on {date}") if named else _("Expired on {date}")).format(date=when)
