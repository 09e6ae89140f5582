"""Who may do what. Checked by the services on every call; the GUI only hides what is refused.

- administrator: policy settings, company data and users (and everything else);
- coordinator: the whole queue, assignment, escalation, machines, the product catalogue, contracts,
  certificates;
- agent: virtual support on their own and unassigned tickets;
- technician: visits, scanning, tickets of customers in their own city;
- service: the account the worker signs in as; it may run the periodic jobs and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from desktop_app.domain.ids import UserId
from desktop_app.domain.model import Role


class Permission(StrEnum):
    VIEW = "view"  # queue, tickets, machines, contracts
    CREATE_TICKET = "create_ticket"
    WORK_TICKET = "work_ticket"  # answer, wait, contact attempts, close, reopen, severity
    ASSIGN_ANY = "assign_any"  # give a ticket to someone else
    ESCALATE = "escalate"
    MANAGE_CONTRACTS = "manage_contracts"
    MANAGE_MACHINES = "manage_machines"  # register and correct machines
    # customers and contacts, "a paz y salvo", trainings (R3); a contact's export and anonymisation
    MANAGE_CUSTOMERS = "manage_customers"
    ADD_PLACES = "add_places"  # a municipality missing from the built-in list (administrators)
    IMPORT_DATA = "import_data"  # customers, contacts, machines and contracts from a spreadsheet
    MANAGE_CATALOGUE = "manage_catalogue"  # product models: warranty, maintenance, end of life (R5)
    EDIT_COMPANY = "edit_company"  # the company's data printed on certificates and statements
    ISSUE_CERTIFICATES = "issue_certificates"
    RECORD_VISITS = "record_visits"
    EDIT_POLICY = "edit_policy"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    BACKUP = "backup"
    RUN_JOBS = "run_jobs"  # escalation round, reminders, automatic backup with no window open (the worker)
    CONFIGURE_MAIL = "configure_mail"  # the mail servers, the sender, the templates (administrators)
    HANDLE_MAIL = "handle_mail"  # unclassified mail: link it to a customer or discard it; saved .eml files
    # Informes (issue 15): every ticket's figures; agents and technicians read only their own tickets
    VIEW_REPORTS = "view_reports"


_ALL = frozenset(Permission)
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: _ALL,
    Role.COORDINATOR: _ALL
    - {
        Permission.ADD_PLACES,
        Permission.EDIT_POLICY,
        Permission.EDIT_COMPANY,
        Permission.MANAGE_USERS,
        Permission.VIEW_AUDIT,
        Permission.BACKUP,
        Permission.RUN_JOBS,
        Permission.CONFIGURE_MAIL,
    },
    Role.AGENT: frozenset(
        {Permission.VIEW, Permission.CREATE_TICKET, Permission.WORK_TICKET, Permission.ESCALATE, Permission.HANDLE_MAIL}
    ),
    Role.TECHNICIAN: frozenset(
        {Permission.VIEW, Permission.CREATE_TICKET, Permission.WORK_TICKET, Permission.RECORD_VISITS}
    ),
    Role.SERVICE: frozenset({Permission.RUN_JOBS}),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in person, or the desk itself (periodic escalation)."""

    user_id: UserId | None
    role: Role
    city: str = ""
    name: str = ""

    @property
    def is_system(self) -> bool:
        return self.user_id is None


SYSTEM = Actor(None, Role.ADMIN, name="makeR Soporte")


def allows(actor: Actor, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[actor.role]


def may_work_on(actor: Actor, assigned_agent_id: UserId | None, customer_city: str) -> bool:
    """Scope of a ticket: agents their own and unassigned ones, technicians their city's."""
    if actor.role in (Role.ADMIN, Role.COORDINATOR):
        return True
    if actor.role is Role.AGENT:
        return assigned_agent_id is None or assigned_agent_id == actor.user_id
    if actor.role is Role.TECHNICIAN:
        return customer_city == actor.city
    return False  # a service account works on no ticket by hand
