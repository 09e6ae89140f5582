"""Wording of a ticket's mail as the window shows it: the outbound state badge, why a mail waits
unclassified, and where an imported mail went. (The templates' names and the plain outbox states
are in wording/mail.py.)"""

from __future__ import annotations

from desktop_app.i18n import _
from desktop_app.wording.mail import outbox_state_label


def outbox_badge_text(state: str, reason: str = "") -> str:
    """The state of one mail we send, as its badge says it: "en cola", "enviado", "falló: …", "rebotado"."""
    if state == "failed" and reason:
        return _("failed: {reason}").format(reason=reason)
    return outbox_state_label(state)


def inbox_reason_label(code: str) -> str:
    """Why a received mail waits in "Correo sin clasificar" (services/mail/inbound.py's codes and
    domain.mail.RouteReason)."""
    labels = {
        "unknown_sender": _("Unknown sender"),
        "no_sender": _("No sender"),
        "ambiguous_sender": _("Sender of several customers"),
        "untrusted_subject_number": _("Ticket number from an outsider"),
        "machine_needed": _("Which machine?"),
        "description_needed": _("No description"),
        "not_entitled": _("No free support"),
        "no_agent": _("No agent to assign"),
        "too_big": _("Too large to read"),
        "unreadable": _("Could not be read"),
        "failed": _("Could not be filed"),
        "automatic": _("Automatic reply"),
        "bounce": _("Bounce"),
    }
    return labels.get(code, code.replace("_", " ") if code else "—")


def inbound_outcome_text(state: str, ticket_number: str = "") -> str:
    """Where an imported mail went, for the summary of saved mails."""
    if state == "ticket" and ticket_number:
        return _("ticket {number}").format(number=ticket_number)
    if state == "duplicate" and ticket_number:
        return _("already imported: ticket {number}").format(number=ticket_number)
    labels = {
        "ticket": _("a ticket"),
        "unclassified": _("unclassified"),
        "automatic": _("automatic, discarded"),
        "bounce": _("bounce of a mail we sent"),
        "set_aside": _("set aside"),
        "duplicate": _("already imported"),
    }
    return labels.get(state, state)
