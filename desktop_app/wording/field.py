"""How a field copy's state and its commands read, in the window and on the command line."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from zoneinfo import ZoneInfo

from desktop_app.domain.field_sync import TICKET_COLUMN, CommandKind, FieldCommand
from desktop_app.domain.model import Channel, Severity, TicketStatus
from desktop_app.formatting import format_datetime
from desktop_app.i18n import _, ngettext
from desktop_app.wording.records import audit_field_label
from desktop_app.wording.tickets import channel_label, severity_label, status_label

COLOMBIA = ZoneInfo("America/Bogota")


def field_label(name: str) -> str:
    """A field a conflict is about, named as the audit log names the ticket's fields."""
    return audit_field_label(TICKET_COLUMN.get(name, name))


def value_label(name: str, value: str | None, people: Mapping[int, str] | None = None) -> str:
    """A field's value as a person reads it ("—" for none)."""
    if value is None or value == "":
        return "—"
    try:
        if name == "status":
            return status_label(TicketStatus(value))
        if name == "severity":
            return severity_label(Severity(value))
        if name == "channel":
            return channel_label(Channel(value))
    except ValueError:
        return value
    if name == "escalation_level" and value.isdigit():
        return _("Level {level}").format(level=value)
    if name == "agent_id" and people is not None and value.isdigit():
        return people.get(int(value), value)
    return value


_ACTIONS = {
    "create_ticket": lambda: _("New ticket"),
    "update_ticket": lambda: _("Ticket edited"),
    "edit_ticket": lambda: _("Ticket edited"),
    "change_severity": lambda: _("Severity changed"),
    "assign": lambda: _("Ticket assigned"),
    "add_comment": lambda: _("Comment"),
    "reply_to_customer": lambda: _("Reply to the customer"),
    "add_attachments": lambda: _("Files attached"),
    "log_contact_attempt": lambda: _("Contact attempt"),
    "record_visit": lambda: _("On-site visit"),
    "request_information": lambda: _("Information requested"),
    "set_waiting": lambda: _("Waiting on the customer"),
    "resume": lambda: _("Resumed"),
    "close_solved": lambda: _("Closed as solved"),
    "close_no_response": lambda: _("Closed without response"),
    "mark_out_of_scope": lambda: _("Out of scope"),
    "reopen": lambda: _("Reopened"),
    "escalate": lambda: _("Escalated"),
}


def action_label(command: FieldCommand) -> str:
    if command.kind is CommandKind.COMMENT and command.method == "update_ticket":
        return _("Comment")
    wording = _ACTIONS.get(command.method)
    return wording() if wording else command.method


def describe_command(command: FieldCommand, tz: tzinfo = COLOMBIA) -> str:
    """ "Closed as solved · SOP-2026-00012 · 2 dic 2026, 3:05 p. m." """
    ticket = command.ticket.number or _("new ticket")
    return f"{action_label(command)} · {ticket} · {format_datetime(command.happened_at, tz)}"


def status_line(status: object, *, online: bool | None, tz: tzinfo = COLOMBIA) -> str:
    """ "Sin conexión · 12 cambios por sincronizar · última sincronización …" (FieldStatus)."""
    pending = getattr(status, "pending", 0)
    conflicts = getattr(status, "conflicts", 0)
    state = status.state
    parts = []
    if online is True:
        parts.append(_("Connected to the office"))
    elif online is False:
        parts.append(_("Offline"))
    if pending:
        parts.append(ngettext("{n} change to sync", "{n} changes to sync", pending).format(n=pending))
    else:
        parts.append(_("everything synced"))
    if conflicts:
        parts.append(ngettext("{n} conflict", "{n} conflicts", conflicts).format(n=conflicts))
    if state.last_synced_at is not None:
        parts.append(_("last sync {moment}").format(moment=format_datetime(state.last_synced_at, tz, short=True)))
    else:
        parts.append(_("not synced since it was prepared"))
    return " · ".join(parts)
