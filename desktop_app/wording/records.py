"""Display names of record states and kinds: contract states, billing lines (R17), roles, and the
audit log's records, actions, fields and coded values (R18)."""

from __future__ import annotations

from desktop_app.domain.billing import LineKind
from desktop_app.domain.model import (
    Channel,
    ContactChannel,
    ContractState,
    CustomerKind,
    Role,
    Severity,
    Technology,
    TicketStatus,
)
from desktop_app.i18n import _
from desktop_app.wording.catalogue import technology_label
from desktop_app.wording.customers import contact_channel_label, customer_kind_label
from desktop_app.wording.tickets import channel_label, severity_label, status_label


def contract_state_label(state: ContractState) -> str:
    return {
        ContractState.ACTIVE: _("Active"),
        ContractState.EXPIRING: _("Expiring soon"),
        ContractState.EXPIRED: _("Expired"),
        ContractState.UPCOMING: _("Not started"),
    }[state]


def billing_line_label(kind: LineKind) -> str:
    return {
        LineKind.EXTRA_HOURS: _("Extra advisory hours"),
        LineKind.TRAVEL: _("Travel expenses"),
        LineKind.OUT_OF_PLAN: _("Maintenance beyond the plan"),
        LineKind.ONSITE_WORK: _("On-site work without a contract"),
        LineKind.ADVISORY: _("Advisory hours without a contract"),
    }[kind]


def role_label(role: Role) -> str:
    return {
        Role.ADMIN: _("administrator"),
        Role.COORDINATOR: _("coordinator"),
        Role.AGENT: _("agent"),
        Role.TECHNICIAN: _("technician"),
        Role.SERVICE: _("service account (worker)"),
    }[role]


def audit_action_label(action: str) -> str:
    return {
        "create": _("created"),
        "update": _("changed"),
        "escalate": _("escalated"),
        "create_admin": _("administrator created"),
        "attach": _("files attached"),
        "password": _("password changed"),
        "renew": _("renewed"),
        "issue": _("issued"),
        "revoke": _("revoked"),
        "reprint": _("reprinted"),
        "backup": _("backup made"),
        "restore": _("restored from a backup"),
        "delete": _("deleted"),
        "export": _("exported (personal data)"),
        "anonymise": _("anonymised"),
        "import": _("imported from a spreadsheet"),
        "link": _("linked to a customer"),
        "discard": _("discarded with a reason"),
        "field_conflict": _("field conflict settled"),
    }.get(action, action)


def audit_entity_label(entity: str) -> str:
    """The kind of record an audit entry is about: "Ticket", "Contrato", "Máquina"…"""
    return {
        "ticket": _("Ticket"),
        "policy": _("Policy"),
        "user": _("User"),
        "contract": _("Contract"),
        "machine": _("Machine"),
        "visit": _("Visit"),
        "certificate": _("Certificate"),
        "database": _("Database"),
        "customer": _("Customer"),
        "contact": _("Contact"),
        "training": _("Training"),
        "place": _("Municipality"),
        "product_model": _("Product model"),
        "company": _("Company data"),
        "import": _("Spreadsheet import"),
        "mail": _("Mail received by the desk"),
    }.get(entity, entity)


def audit_field_label(field: str) -> str:
    """The name people read for a recorded field (R18): "Nivel de escalamiento", not
    escalation_level. A field nobody named yet shows its code rather than nothing."""
    return {
        # tickets
        "status": _("Status"),
        "severity": _("Severity"),
        "assigned_agent_id": _("Assigned agent"),
        "plan_code": _("Plan"),
        "channel": _("Channel"),
        "description": _("Description"),
        "escalation_level": _("Escalation level"),
        "field_resolution": _("Field conflict: decision"),
        "field_refusal": _("Field conflict: the office's reason"),
        "reopen_count": _("Times reopened"),
        "closed_at": _("Closed at"),
        "attachments": _("Attachments"),
        # backups and restores
        "file": _("File"),
        # an import (services/importing.py): how many rows, and each record's source file
        "rows": _("Rows read"),
        "refused": _("Rows refused"),
        "created": _("Records created"),
        "updated": _("Records updated"),
        "import": _("Imported from"),
        "kept": _("Replaced data kept in"),
        "closing_for": _("Closed for"),
        "closing_reason": _("Reason for closing someone else's ticket"),
        # contracts
        "customer_id": _("Customer"),
        "invoice_number": _("Invoice"),
        "valid_from": _("Valid from"),
        "valid_to": _("Valid until"),
        "price_before_iva": _("Price before IVA"),
        "machine_ids": _("Machines"),
        "special": _("Special contract"),
        "renews_id": _("Renews"),
        # machines
        "serial": _("Serial"),
        "model_code": _("Model"),
        "purchase_date": _("Purchase date"),
        "warranty_end": _("Warranty until"),
        "unauthorized_intervention": _("Unauthorised intervention"),
        "last_preventive_maintenance": _("Last preventive maintenance"),
        # customers, contacts, trainings
        "kind": _("Type"),
        "department": _("Department"),
        "email": _("E-mail"),
        "paid_up": _("Paid up (a paz y salvo)"),
        "trained": _("Trained"),
        "preferred_channel": _("Preferred channel"),
        "consent_at": _("Consent to data processing"),
        "anonymised_at": _("Anonymised"),
        "held_on": _("Date"),
        "topic": _("Topic"),
        "trainer": _("Trainer"),
        # product models (the catalogue) and the company data
        "name": _("Name"),
        "technology": _("Technology"),
        "discontinued_from": _("End of life"),
        "warranty_months": _("Warranty (months)"),
        "notes": _("Notes"),
        "legal_name": _("Legal name"),
        "tax_id": _("NIT"),
        "address": _("Address"),
        "phone": _("Phone"),
        "support_email": _("Support e-mail"),
        "website": _("Web site"),
        "seal_ring_text": _("Seal: text around the ring"),
        "seal_centre_text": _("Seal: text in the centre"),
        # visits and certificates
        "ticket_id": _("Ticket"),
        "technician_id": _("Technician"),
        "city": _("City"),
        "started_at": _("Start"),
        "ended_at": _("End"),
        "travel_expenses": _("Travel expenses"),
        "maintenance": _("Maintenance"),
        "contract_id": _("Contract"),
        "key_id": _("Signing key"),
        "revoked_reason": _("Reason for revoking"),
        # received mail (linked or discarded from "Correo sin clasificar")
        "state": _("Where it is"),
        "reason": _("Reason"),
        "contact_added": _("Sender added as a contact"),
        # users
        "role": _("Role"),
        "password": _("Password"),
        # policy versions
        "version": _("Version"),
        "plans": _("Plans"),
        "severities": _("Severities"),
        "response_hours": _("Response times"),
        "working_hours": _("Working hours"),
        "timezone": _("Time zone"),
        "closure_days": _("Company closure days"),
        "at_risk_fraction": _("At-risk share"),
        "wait_after_third_attempt_days": _("Wait after the third contact attempt"),
        "max_maintenance_hours": _("Longest maintenance visit"),
        "maintenance_interval_days": _("Preventive maintenance required every"),
        "escalation_levels": _("Escalation levels"),
        "out_of_plan_hour_rate": _("Hourly rate without a contract"),
    }.get(field, field)


_YES_NO_FIELDS = frozenset({"special", "maintenance", "unauthorized_intervention", "paid_up", "trained"})


def audit_code_label(field: str, value: str) -> str | None:
    """A coded value of a recorded field in words (a status, a severity, a channel, a role, yes or
    no); None when the field holds no code or the code is unknown (the text is shown as stored)."""
    if field == "status" and value in TicketStatus._value2member_map_:
        return status_label(TicketStatus(value))
    if field == "severity" and value in Severity._value2member_map_:
        return severity_label(Severity(value))
    if field == "channel" and value in Channel._value2member_map_:
        return channel_label(Channel(value))
    if field == "role" and value in Role._value2member_map_:
        return role_label(Role(value))
    if field == "technology" and value in Technology._value2member_map_:
        return technology_label(Technology(value))
    if field == "kind" and value in CustomerKind._value2member_map_:
        return customer_kind_label(CustomerKind(value))
    if field == "preferred_channel" and value in ContactChannel._value2member_map_:
        return contact_channel_label(ContactChannel(value))
    if field == "field_resolution" and value in _RESOLUTIONS:
        return _RESOLUTIONS[value]()
    if field in _YES_NO_FIELDS and value in ("True", "False"):
        return _("yes") if value == "True" else _("no")
    return None


_RESOLUTIONS = {  # domain.field_sync.Resolution, as the technician chose it
    "keep_mine": lambda: _("the technician's change kept"),
    "take_office": lambda: _("the office's version kept"),
    "merge": lambda: _("merged field by field"),
}


def job_label(name: str) -> str:
    """A periodic job as the worker's log names it; the job's code name stays its lock's name."""
    return {
        "escalation": _("escalation"),
        "reminders": _("reminders"),
        "backup": _("automatic backup"),
        "mail_fetch": _("mail fetch"),
        "mail_send": _("mail sending"),
    }.get(name, name)
