"""How customers read: their kind, a contact's channel, and the free-support standing (R3)."""

from __future__ import annotations

from datetime import datetime

from desktop_app.domain.eligibility import Condition, Eligibility, Refusal
from desktop_app.domain.model import ContactChannel, CustomerKind
from desktop_app.formatting import format_date
from desktop_app.i18n import _, ngettext
from desktop_app.wording.coverage import condition_label, coverage_text


def customer_kind_label(kind: CustomerKind) -> str:
    return {
        CustomerKind.UNIVERSITY: _("University"),
        CustomerKind.SCHOOL: _("School"),
        CustomerKind.LAB: _("Laboratory"),
        CustomerKind.MAKERSPACE: _("Makerspace"),
        CustomerKind.COMPANY: _("Company"),
    }[kind]


def contact_channel_label(channel: ContactChannel) -> str:
    return {
        ContactChannel.EMAIL: _("E-mail"),
        ContactChannel.PHONE: _("Phone"),
        ContactChannel.WHATSAPP: _("WhatsApp"),
    }[channel]


def paid_up_text(paid_up: bool, set_at: datetime | None, set_by: str) -> str:
    """ "A paz y salvo" with when and by whom it was set, or what it means that it is not."""
    when = ""
    if set_at is not None:
        when = _(" (set on {date} by {who})").format(date=format_date(set_at.date()), who=set_by or _("someone"))
    if paid_up:
        return _("Paid up (a paz y salvo){when}.").format(when=when)
    return _("Not paid up (not a paz y salvo){when}: no free support until the balance is paid.").format(when=when)


def trained_text(trained: bool, trainings: int) -> str:
    """R3's "capacitado": how many trainings are recorded, or what to do."""
    if trainings:
        return ngettext(
            "Trained with makeR's tools: {n} training recorded.",
            "Trained with makeR's tools: {n} trainings recorded.",
            trainings,
        ).format(n=trainings)
    if trained:
        return _("Trained, according to a record from before trainings were kept (no training recorded).")
    return _("Not trained with makeR's tools (mandatory for free support): record a training once it is given.")


def standing_summary(paid_up: bool, trained: bool, machines: int, free_support_machines: int) -> str:
    """One line: does this customer get free support today, and on how many machines (R3)."""
    if not (paid_up and trained):
        return _("No free support: the customer must be paid up and trained.")
    if machines == 0:
        return _("Paid up and trained: free support applies to machines in warranty with their maintenance done.")
    if free_support_machines == 0:
        return _("Paid up and trained, but no machine meets the other conditions today (see each machine).")
    return ngettext(
        "Free support (virtual, by e-mail) applies to {free} of {n} machine.",
        "Free support (virtual, by e-mail) applies to {free} of {n} machines.",
        machines,
    ).format(free=free_support_machines, n=machines)


def machine_standing_text(eligibility: Eligibility, plan_name: str) -> str:
    """One machine's line in the customer's standing: its coverage, or, without a plan, only the
    machine's own failing conditions (the customer's are said once, above it)."""
    if eligibility.refusal is not Refusal.NOT_ELIGIBLE:
        return coverage_text(eligibility, plan_name)
    own = [c for c in eligibility.failed_conditions if c not in (Condition.PAID_UP, Condition.TRAINED)]
    if not own:
        return _("no free support until the customer is paid up and trained")
    return _("no free support: {reasons}").format(reasons="; ".join(condition_label(c) for c in own))
