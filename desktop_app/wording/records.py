"""Display names of record states and kinds: contract states, billing lines (R17), roles and
audit actions (R18)."""

from __future__ import annotations

from desktop_app.domain.billing import LineKind
from desktop_app.domain.model import ContractState, Role
from desktop_app.i18n import _


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
