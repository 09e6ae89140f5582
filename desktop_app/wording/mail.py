"""Mail in words: the templates' titles, what each placeholder stands for, the outbox states and
the connection protections, as the Settings tabs and the ticket's timeline show them.

Keyed by the codes' string values (TemplateCode and the outbox states are StrEnums or plain
codes), so an unknown code shows as itself instead of failing.
"""

from __future__ import annotations

from desktop_app.i18n import _


def template_title(code: str) -> str:
    """The title an administrator reads in the templates list ("Acuse de recibo de un ticket nuevo")."""
    titles = {
        "acknowledgement": _("Acknowledgement of a new ticket"),
        "reply": _("Agent's reply to the customer"),
        "info_request": _("Request for information (the ticket waits)"),
        "contact_attempt": _("Contact attempt by e-mail"),
        "closing_solved": _("Closing: solved"),
        "closing_no_response": _("Closing: no answer from the customer"),
        "closing_out_of_scope": _("Closing: outside the support's scope"),
        "certificate": _("Certificate sent"),
        "escalation": _("Escalation notice to the staff"),
        "machine_needed": _("Asking which machine it is about"),
    }
    return titles.get(str(code), str(code))


def placeholder_label(name: str) -> str:
    """What `{name}` is replaced with, in words (a placeholder chip's tooltip)."""
    labels = {
        "number": _("The ticket's number"),
        "summary": _("Summary of the request"),
        "customer": _("The customer's name"),
        "contact": _("The contact's name"),
        "agent": _("The agent's name"),
        "due": _("When the first response is due"),
        "missing": _("What the customer still has to send (R2)"),
        "message": _("The text the agent wrote"),
        "solution": _("The solution"),
        "wait_days": _("Days the desk waits for an answer"),
        "attempt": _("Number of the contact attempt"),
        "attempts": _("Contact attempts before closing"),
        "reason": _("The reason"),
        "plan": _("The support plan"),
        "validity": _("The plan's validity"),
        "certificate": _("The certificate's number"),
        "level": _("Escalation level"),
        "reopen_days": _("Days to reopen by replying"),
        "company": _("The company's name"),
        "phone": _("The company's phone"),
    }
    return labels.get(name, name)


def outbox_state_label(state: str) -> str:
    """An outgoing mail's state: en cola, enviado, falló, rebotado."""
    labels = {
        "queued": _("queued"),
        "sent": _("sent"),
        "failed": _("failed"),
        "bounced": _("bounced"),
    }
    return labels.get(str(state), str(state))


def security_label(security: str) -> str:
    """How a connection to a mail server is protected, as the settings form offers it."""
    labels = {
        "starttls": _("STARTTLS (ports 587 and 143)"),
        "tls": _("TLS from the start (ports 465 and 993)"),
        "none": _("None (only a server on this computer)"),
    }
    return labels.get(str(security), str(security))
