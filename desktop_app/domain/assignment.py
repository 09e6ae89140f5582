"""Who may put a ticket in whose hands (R1: one responsible agent per ticket).

Working on a ticket (`permissions.may_work_on`) is not the same as deciding who is responsible for
it: a technician works on every ticket of his city, but the agent a coordinator chose stays
responsible. Only a person who may assign anyone (coordinator, administrator) takes a ticket that
is someone else's or gives a ticket to someone else; anybody else may only take an unassigned
ticket in their scope for themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from desktop_app.domain.ids import UserId
from desktop_app.domain.model import Role
from desktop_app.domain.permissions import Actor, Permission, allows


class AssignmentRefusal(StrEnum):
    """Why an assignment is refused; the service turns it into words."""

    ASSIGNED_TO_SOMEONE_ELSE = "assigned_to_someone_else"  # taking a ticket another agent is responsible for
    TO_SOMEONE_ELSE = "to_someone_else"  # giving a ticket to another person


def assignment_refusal(actor: Actor, current: UserId | None, new: UserId) -> AssignmentRefusal | None:
    """None when `actor` may make `new` responsible for a ticket now assigned to `current`.

    The actor's scope (their own tickets, their city's) is checked separately, as for every change.
    """
    if current == new or allows(actor, Permission.ASSIGN_ANY):
        return None
    if new != actor.user_id:
        return AssignmentRefusal.TO_SOMEONE_ELSE
    if current is not None:
        return AssignmentRefusal.ASSIGNED_TO_SOMEONE_ELSE
    return None


def may_take(actor: Actor, current: UserId | None) -> bool:
    """Whether `actor` may make themselves responsible for a ticket now assigned to `current`."""
    return actor.user_id is not None and assignment_refusal(actor, current, actor.user_id) is None


@dataclass(frozen=True)
class Candidate:
    """A person who could be made responsible for a request nobody took by hand (a mail)."""

    user_id: UserId
    role: Role
    city: str
    open_tickets: int = 0


# Who answers a request that arrived by itself, in order: agents, then coordinators, then
# administrators; technicians work on site and are never given one this way.
_TAKERS = (Role.AGENT, Role.COORDINATOR, Role.ADMIN)


def contenders(candidates: Sequence[Candidate], customer_city: str, previous: UserId | None) -> tuple[Candidate, ...]:
    """The people among whom R1's open-ticket counts decide a request no person took: none when
    the customer's previous agent is still an active taker (she wins without counting), else the
    first non-empty pool of `responsible_for_new_request` (the city's agents, any agent, the
    coordinators, the administrators). The caller counts only these people's open tickets."""
    takers = [c for c in candidates if c.role in _TAKERS]
    if previous is not None and any(c.user_id == previous for c in takers):
        return ()
    city = customer_city.casefold()
    for pool in (
        [c for c in takers if c.role is Role.AGENT and c.city.casefold() == city],
        *([c for c in takers if c.role is role] for role in _TAKERS),
    ):
        if pool:
            return tuple(pool)
    return ()


def responsible_for_new_request(
    candidates: Sequence[Candidate], customer_city: str, previous: UserId | None
) -> UserId | None:
    """R1 for a request no person took (a mail from a known contact): the agent who handled the
    customer's latest ticket when still active, else the agent of the customer's city with the
    fewest open tickets, else any agent with the fewest, else a coordinator, else an administrator
    (ties: the lowest id, so the choice is reproducible). None when nobody can take it."""
    if previous is not None and any(c.user_id == previous and c.role in _TAKERS for c in candidates):
        return previous
    pool = contenders(candidates, customer_city, None)
    return min(pool, key=lambda c: (c.open_tickets, c.user_id)).user_id if pool else None
