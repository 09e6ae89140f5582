"""Field laptops (issue 16): a field copy prepared from the office's PostgreSQL, worked offline,
synced back, with the network cut, two laptops apart, conflicts settled by a person.

Every test runs on a real PostgreSQL office (a copy of the demo data) and real SQLite field copies
on disk, through the same services as the window and `makersupport field`.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop_app.bootstrap import Services, build_services
from desktop_app.domain.field_sync import CommandKind, CommandState, Resolution
from desktop_app.domain.ids import MachineId, TicketId
from desktop_app.domain.model import Channel, Severity, TicketStatus
from desktop_app.domain.permissions import Actor
from desktop_app.errors import DatabaseUnavailableError, PasswordRefusedError, SyncStoppedError, UserFacingError
from desktop_app.field_office import prepare_field_copy
from desktop_app.services.clock import FixedClock
from desktop_app.services.dto import QueueFilter
from desktop_app.services.field.sync import SyncProgress
from desktop_app.services.tickets import IntakeRequest, NewAttachment, VisitRequest
from tests.conftest import DEMO_NOW, DEMO_PASSWORD, make_settings
from tests.pg_server import TemporaryPostgres

KILL_OFFICE_CONNECTIONS = """
    SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()
"""
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 400  # a "photo" of 100 KB


@pytest.fixture
def office(pg: TemporaryPostgres, pg_demo_template: tuple[str, Path], tmp_path: Path) -> Iterator[Services]:
    template, template_folder = pg_demo_template
    folder = tmp_path / "office"
    shutil.copytree(template_folder, folder)
    name = pg.create_database(template=template)
    services = build_services(make_settings(folder, pg.url(name)), clock=FixedClock(DEMO_NOW))
    yield services
    services.close()
    pg.drop_database(name)


def _laptop(
    office: Services, folder: Path, user: str = "diego.martinez", *, clock: FixedClock | None = None
) -> Services:
    """A field copy prepared on the laptop itself (its own data folder), then opened."""
    folder.mkdir(parents=True)
    on_laptop = build_services(make_settings(folder, office.settings.db_url), clock=FixedClock(DEMO_NOW), migrate=False)
    try:
        actor = on_laptop.users.sign_in(user, DEMO_PASSWORD)
        prepare_field_copy(on_laptop, actor, folder / "campo.sqlite3")
    finally:
        on_laptop.close()
    return build_services(
        make_settings(folder, f"sqlite:///{folder / 'campo.sqlite3'}"), clock=clock or FixedClock(DEMO_NOW)
    )


@pytest.fixture
def laptop(office: Services, tmp_path: Path) -> Iterator[Services]:
    services = _laptop(office, tmp_path / "laptop")
    yield services
    services.close()


def _diego(services: Services) -> Actor:
    return services.users.sign_in("diego.martinez", DEMO_PASSWORD)


def _open_tickets(services: Services, actor: Actor) -> list[TicketId]:
    rows = services.tickets.list_queue(QueueFilter(), limit=500).rows
    return [row.entry.id for row in rows if row.entry.status is TicketStatus.IN_PROGRESS]


def _onsite_machine(services: Services) -> MachineId:
    """A machine whose coverage today includes a visit (R16), for a ticket taken on site."""
    for summary in services.machines.search("", limit=200):
        eligibility = services.tickets.eligibility(summary.id)
        if eligibility.allowed and Channel.ONSITE in eligibility.channels:
            return summary.id
    raise AssertionError("the demo data has no machine covered on site")


def _timeline(services: Services, ticket: TicketId) -> list[tuple[str, str, str]]:
    detail = services.tickets.get_ticket(ticket)
    return sorted((e.kind.value, e.body, e.at.isoformat()) for e in detail.timeline)


def _office_count(office: Services, sql: str, **params: object) -> int:
    office.engine.dispose()  # connections a test cut are not reused
    with office.engine.connect() as connection:
        return int(connection.execute(text(sql), params).scalar_one())


# -- the copy ------------------------------------------------------------------------------------------


def test_prepare_takes_the_technicians_city_and_only_their_own_password(office: Services, laptop: Services) -> None:
    assert laptop.field is not None
    state = laptop.field.status().state
    assert (
        state.city == "Bogotá"
        and state.office_url.startswith("postgresql")
        and ":" not in state.office_url.split("@")[0].split("//")[1]
    )
    with laptop.engine.connect() as connection:
        cities = set(connection.execute(text("SELECT DISTINCT city FROM customers")).scalars())
        hashes = dict(connection.execute(text("SELECT username, password_hash IS NOT NULL FROM users")).all())
        tickets = connection.execute(text("SELECT count(*) FROM tickets")).scalar_one()
        files = connection.execute(text("SELECT DISTINCT sha256 FROM attachments")).scalars().all()
    assert "Bogotá" in cities
    assert [name for name, has in hashes.items() if has] == ["diego.martinez"]
    assert 0 < tickets < _office_count(office, "SELECT count(*) FROM tickets")
    assert files and all(laptop.attachments.path_for(sha).is_file() for sha in files)  # the photos travel too
    assert _diego(laptop).city == "Bogotá"  # he signs in offline


def test_a_refused_change_records_nothing_and_a_made_one_records_its_command(laptop: Services) -> None:
    assert laptop.field is not None
    diego = _diego(laptop)
    ticket = _open_tickets(laptop, diego)[0]
    with pytest.raises(UserFacingError):  # R12: attempts are logged while the ticket waits
        laptop.tickets.log_contact_attempt(ticket, actor=diego, method="phone")
    assert laptop.field.outbox() == []
    laptop.tickets.add_comment(ticket, "Boquilla cambiada en sitio.", actor=diego, to_customer=False)
    [command] = laptop.field.outbox()
    assert command.kind is CommandKind.COMMENT and command.ticket.office == ticket
    assert laptop.field.status().pending == 1


# -- push and pull -------------------------------------------------------------------------------------


def test_a_new_ticket_taken_offline_gets_the_offices_number_with_its_photo_and_comment(
    office: Services, laptop: Services
) -> None:
    assert laptop.field is not None
    diego = _diego(laptop)
    machine = _onsite_machine(laptop)
    taken = laptop.tickets.create_ticket(
        IntakeRequest(
            machine_id=machine,
            description="La impresora no calienta la cama; el cliente envía fotos.",
            severity=Severity.HIGH,
            channel=Channel.ONSITE,
            assigned_agent_id=diego.user_id,
            attachments=(NewAttachment("cama.jpg", PHOTO, "image/jpeg"),),
        ),
        actor=diego,
    )
    assert taken.number.startswith("PROV-") and taken.id >= 2**31
    laptop.tickets.add_comment(taken.id, "Termistor suelto, lo ajusté.", actor=diego, to_customer=False)

    report = laptop.field.sync()

    assert (report.applied, report.conflicts, report.files) == (2, 0, 1)
    [new] = [c for c in laptop.field.outbox() if c.kind is CommandKind.NEW_TICKET]
    number = str(new.result["number"])
    assert number.startswith("SOP-")
    office_id = office.tickets.find_ticket_id(number)
    detail = office.tickets.get_ticket(office_id)
    assert [a.filename for a in detail.attachments] == ["cama.jpg"]
    assert any(e.body == "Termistor suelto, lo ajusté." for e in detail.timeline)
    # The laptop now holds the office's ticket, not the provisional one.
    assert laptop.tickets.find_ticket_id(number) == office_id
    with pytest.raises(UserFacingError):
        laptop.tickets.find_ticket_id(taken.number)
    assert _timeline(laptop, office_id) == _timeline(office, office_id)


def test_a_network_cut_twenty_times_mid_push_applies_every_command_exactly_once(
    office: Services, laptop: Services, pg: TemporaryPostgres
) -> None:
    """The connection is killed right after a command is applied at the office and before the
    laptop hears of it, twenty times; each command ends applied once, none lost."""
    assert laptop.field is not None
    diego = _diego(laptop)
    tickets = _open_tickets(laptop, diego)[:3]
    bodies = [f"Visita {n}: revisión de extrusor." for n in range(24)]
    for n, body in enumerate(bodies):
        laptop.tickets.add_comment(tickets[n % 3], body, actor=diego, to_customer=False)
    database = office.engine.url.database

    cuts = 0
    original = laptop.field._store.save  # the laptop's answer: where the cut hurts most

    def cut_after_apply(commands, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal cuts
        if cuts < 20 and any(c.state is CommandState.DONE and not c.result.get("already") for c in commands):
            cuts += 1
            with pg_admin(pg) as admin:  # the office's connections die
                admin.execute(
                    text(KILL_OFFICE_CONNECTIONS),
                    {"db": database},
                )
            raise DatabaseUnavailableError("cut")
        return original(commands, **kwargs)

    laptop.field._store.save = cut_after_apply  # type: ignore[method-assign]
    laptop.field._save_every = 1  # the laptop writes each answer down at once: twenty separate cuts
    failures = 0
    for _ in range(40):
        try:
            laptop.field.sync()
            break
        except DatabaseUnavailableError:
            failures += 1
    laptop.field._store.save = original  # type: ignore[method-assign]

    assert cuts == 20 and failures == 20
    assert laptop.field.status().pending == 0
    assert _office_count(office, "SELECT count(*) FROM applied_commands") == len(bodies)
    for body in bodies:
        assert _office_count(office, "SELECT count(*) FROM ticket_events WHERE body = :b", b=body) == 1
    already = [c for c in laptop.field.outbox() if c.result.get("already")]
    assert len(already) == 20  # each cut command was found applied, not replayed


class pg_admin:
    """A superuser connection to the test server, outside the application's pool."""

    def __init__(self, pg: TemporaryPostgres) -> None:
        from sqlalchemy import create_engine

        self._engine = create_engine(pg.url("postgres"), isolation_level="AUTOCOMMIT")

    def __enter__(self):  # type: ignore[no-untyped-def]
        self._connection = self._engine.connect()
        return self._connection

    def __exit__(self, *exc: object) -> None:
        self._connection.close()
        self._engine.dispose()


def test_an_unreachable_office_loses_nothing_and_says_so(laptop: Services, tmp_path: Path) -> None:
    assert laptop.field is not None
    diego = _diego(laptop)
    ticket = _open_tickets(laptop, diego)[0]
    laptop.tickets.add_comment(ticket, "Sin red en la planta.", actor=diego, to_customer=False)
    with laptop.engine.begin() as connection:  # the office moved to a port nobody answers
        connection.execute(text("UPDATE field_copy SET office_url = 'postgresql+psycopg://x@127.0.0.1:9/nada'"))
    assert laptop.field.office_reachable() is False
    with pytest.raises(DatabaseUnavailableError) as refused:
        laptop.field.sync()
    assert "oficina" in refused.value.message
    status = laptop.field.status()
    assert status.pending == 1 and status.state.last_error
    exported = tmp_path / "pendientes.json"
    assert laptop.field.export_outbox(exported) == 1
    document = json.loads(exported.read_text(encoding="utf-8"))
    assert document["commands"][0]["payload"]["body"] == "Sin red en la planta."
    with pytest.raises(UserFacingError):  # never over an existing file
        laptop.field.export_outbox(exported)


def test_an_office_server_that_wants_a_password_asks_for_it_and_takes_the_typed_one(
    pg: TemporaryPostgres,
    laptop: Services,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A laptop with no keyring and no MAKERSUPPORT_OFFICE_PASSWORD: the office's server refuses it
    until the technician types the password (the window's dialog, or `field sync --ask-password`
    in a terminal); a wrong one is refused the same way."""
    from desktop_app.cli import main

    assert laptop.field is not None
    monkeypatch.delenv("MAKERSUPPORT_OFFICE_PASSWORD", raising=False)
    role = f"campo_{uuid.uuid4().hex[:8]}"
    pg.add_login_with_password(role, "clave-de-la-oficina")
    with laptop.engine.begin() as connection:  # the office is reached with a login that needs its password
        office_url = connection.execute(text("SELECT office_url FROM field_copy")).scalar_one()
        connection.execute(
            text("UPDATE field_copy SET office_url = :url"), {"url": office_url.replace("//postgres@", f"//{role}@")}
        )
    diego = _diego(laptop)
    ticket = _open_tickets(laptop, diego)[0]
    laptop.tickets.add_comment(ticket, "Revisado sin red.", actor=diego, to_customer=False)
    assert laptop.field.office_reachable() is False
    monkeypatch.setenv("MAKERSUPPORT_DATA_DIR", str(laptop.settings.data_dir))
    monkeypatch.setenv("MAKERSUPPORT_USER", "diego.martinez")
    monkeypatch.setenv("MAKERSUPPORT_PASSWORD", DEMO_PASSWORD)
    assert main(["field", "sync", "--db", laptop.settings.db_url]) == 2
    said = capsys.readouterr().err
    assert "pide la contraseña" in said and "field sync --ask-password" in said
    assert main(["field", "sync", "--ask-password", "--db", laptop.settings.db_url]) == 2  # no terminal here
    assert "solo se puede pedir en una terminal" in capsys.readouterr().err
    with pytest.raises(PasswordRefusedError) as refused:
        laptop.field.sync()
    assert f"{role}@127.0.0.1:{pg.port}" in refused.value.message
    laptop.field.use_office_password("otra-clave", remember=False)
    with pytest.raises(PasswordRefusedError):
        laptop.field.sync()
    with pytest.raises(UserFacingError):
        laptop.field.use_office_password("", remember=False)
    assert laptop.field.status().pending == 1  # nothing lost meanwhile
    laptop.field.use_office_password("clave-de-la-oficina", remember=False)
    report = laptop.field.sync()
    assert report.applied == 1 and laptop.field.status().pending == 0
    assert laptop.field.office_reachable() is True
    # From a terminal, with the password in the environment instead.
    laptop.tickets.add_comment(ticket, "Y otra nota.", actor=diego, to_customer=False)
    monkeypatch.setenv("MAKERSUPPORT_OFFICE_PASSWORD", "clave-de-la-oficina")
    assert main(["field", "sync", "--db", laptop.settings.db_url]) == 0
    assert laptop.field.status().pending == 0


def test_a_sync_stopped_by_the_technician_keeps_what_was_sent_and_the_next_one_sends_the_rest(
    office: Services, laptop: Services
) -> None:
    assert laptop.field is not None
    diego = _diego(laptop)
    ticket = _open_tickets(laptop, diego)[0]
    bodies = [f"Parada {n}: revisión del eje Z." for n in range(5)]
    for body in bodies:
        laptop.tickets.add_comment(ticket, body, actor=diego, to_customer=False)
    steps: list[tuple[str, int, int]] = []

    def seen(step: SyncProgress) -> None:
        steps.append((step.stage, step.done, step.total))

    with pytest.raises(SyncStoppedError) as stopped:  # "Detener" pressed while the second change went
        laptop.field.sync(seen, stop=lambda: ("push", 2, 5) in steps)
    assert "próxima sincronización" in stopped.value.message
    assert steps[-1] == ("push", 2, 5) and not any(stage == "pull" for stage, _done, _total in steps)
    said = "SELECT count(*) FROM ticket_events WHERE kind = 'comment' AND body LIKE 'Parada %'"
    assert _office_count(office, said) == 2
    assert laptop.field.status().pending == 3
    report = laptop.field.sync()
    assert (report.applied, report.already) == (3, 0)
    assert _office_count(office, said) == len(bodies)  # each once
    assert laptop.field.status().pending == 0


# -- conflicts -----------------------------------------------------------------------------------------


def test_two_laptops_and_the_office_on_one_ticket_keep_all_additions_and_list_the_clashes(
    office: Services, tmp_path: Path
) -> None:
    first = _laptop(office, tmp_path / "laptop-1")
    second = _laptop(office, tmp_path / "laptop-2")
    try:
        assert first.field is not None and second.field is not None
        ticket = _open_tickets(first, _diego(first))[0]
        severity = office.tickets.get_ticket(ticket).severity
        first.tickets.add_comment(ticket, "Desde el portátil 1.", actor=_diego(first), to_customer=False)
        first.tickets.change_severity(ticket, Severity.CRITICAL, actor=_diego(first))
        second.tickets.add_comment(ticket, "Desde el portátil 2.", actor=_diego(second), to_customer=False)
        second.tickets.change_severity(ticket, Severity.LOW, actor=_diego(second))
        admin = office.users.sign_in("admin", DEMO_PASSWORD)
        office.tickets.add_comment(ticket, "Desde la oficina.", actor=admin, to_customer=False)
        office_choice = Severity.MEDIUM if severity is not Severity.MEDIUM else Severity.HIGH
        office.tickets.change_severity(ticket, office_choice, actor=admin)

        one = first.field.sync()
        two = second.field.sync()

        assert (one.applied, one.conflicts) == (1, 1) and (two.applied, two.conflicts) == (1, 1)
        bodies = {e.body for e in office.tickets.get_ticket(ticket).timeline}
        assert {"Desde el portátil 1.", "Desde el portátil 2.", "Desde la oficina."} <= bodies
        assert office.tickets.get_ticket(ticket).severity is office_choice  # nothing overwritten silently
        [clash] = first.field.conflicts()[0].decision.clashes  # type: ignore[union-attr]
        assert (clash.field, clash.mine, clash.office) == ("severity", "critica", office_choice.value)
        assert first.tickets.get_ticket(ticket).severity is office_choice  # the laptop shows the office's now
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("resolution", [Resolution.KEEP_MINE, Resolution.TAKE_OFFICE, Resolution.MERGE])
def test_a_settled_conflict_reaches_the_office_with_who_settled_it(
    office: Services, laptop: Services, resolution: Resolution
) -> None:
    assert laptop.field is not None
    diego = _diego(laptop)
    ticket = _open_tickets(laptop, diego)[0]
    admin = office.users.sign_in("admin", DEMO_PASSWORD)
    office.tickets.edit_ticket(ticket, actor=admin, description="Texto de la oficina: falla de alimentación.")
    laptop.tickets.edit_ticket(ticket, actor=diego, description="Texto de campo: fuente quemada, cambiada.")
    assert laptop.field.sync().conflicts == 1
    [conflict] = laptop.field.conflicts()

    chosen = {"description": "Texto de campo: fuente quemada, cambiada."} if resolution is Resolution.MERGE else None
    laptop.field.settle(conflict.command_id, resolution, chosen)
    report = laptop.field.sync()

    expected = (
        "Texto de la oficina: falla de alimentación."
        if resolution is Resolution.TAKE_OFFICE
        else "Texto de campo: fuente quemada, cambiada."
    )
    assert office.tickets.get_ticket(ticket).description == expected
    assert laptop.tickets.get_ticket(ticket).description == expected
    assert (report.dropped == 1) is (resolution is Resolution.TAKE_OFFICE)
    assert laptop.field.conflicts() == []
    with office.engine.connect() as connection:
        audit = connection.execute(
            text("SELECT actor_id, changes FROM audit_log WHERE action = 'field_conflict' AND entity_id = :t"),
            {"t": str(ticket)},
        ).one()
    assert audit.actor_id == diego.user_id
    changes = json.loads(audit.changes)
    assert changes["field_resolution"] == ["", resolution.value]
    assert changes["description"][0] == "Texto de la oficina: falla de alimentación."
    assert changes["description"][1] == expected


def test_a_technician_removed_at_the_office_gets_a_conflict_with_the_reason_and_keeps_the_outbox(
    office: Services, laptop: Services
) -> None:
    assert laptop.field is not None
    diego = _diego(laptop)
    ticket = _open_tickets(laptop, diego)[0]
    laptop.tickets.add_comment(ticket, "Último comentario antes de salir.", actor=diego, to_customer=False)
    with office.engine.begin() as connection:
        connection.execute(text("UPDATE users SET active = false WHERE username = 'diego.martinez'"))
    report = laptop.field.sync()
    assert report.conflicts == 1
    [conflict] = laptop.field.conflicts()
    assert conflict.decision is not None and "oficina" in conflict.decision.refused
    assert len(laptop.field.outbox()) == 1  # never discarded without him choosing so


def test_a_machine_deleted_and_a_policy_changed_at_the_office_reach_the_laptop(
    office: Services, laptop: Services
) -> None:
    assert laptop.field is not None
    with office.engine.begin() as connection:
        spare = connection.execute(
            text(
                "SELECT m.id FROM machines m JOIN customers c ON c.id = m.customer_id WHERE c.city = 'Bogotá' "
                "AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.machine_id = m.id) "
                "AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.machine_id = m.id) "
                "AND NOT EXISTS (SELECT 1 FROM contract_machines cm WHERE cm.machine_id = m.id) LIMIT 1"
            )
        ).scalar_one()
    with office.session_factory() as session:  # type: ignore[misc]
        from desktop_app.persistence.tables import MachineRecord

        session.delete(session.get(MachineRecord, spare))
        session.commit()
    admin = office.users.sign_in("admin", DEMO_PASSWORD)
    policy = office.policy.policy()
    office.policy.save_policy(policy, actor=admin, note="Nueva versión de la política")

    laptop.field.sync()

    with laptop.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM machines WHERE id = :m"), {"m": spare}).scalar_one() == 0
        versions = connection.execute(text("SELECT count(*) FROM policy_versions")).scalar_one()
    assert versions == _office_count(office, "SELECT count(*) FROM policy_versions")


def test_a_laptop_clock_off_by_more_than_five_minutes_is_told(office: Services, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    clock = FixedClock(datetime.now(UTC) + timedelta(minutes=42))
    laptop = _laptop(office, tmp_path / "laptop", clock=clock)
    try:
        assert laptop.field is not None
        report = laptop.field.sync()
        assert report.clock_skew is not None and timedelta(minutes=40) < report.clock_skew < timedelta(minutes=44)
        assert laptop.field.status().state.clock_skew == report.clock_skew.__class__(
            seconds=int(report.clock_skew.total_seconds())
        )
        clock.set(datetime.now(UTC))
        assert laptop.field.sync().clock_skew is None
    finally:
        laptop.close()


# -- the story of the issue: Diego's day in Bogotá ------------------------------------------------------


def _cut(laptop: Services) -> str:
    """The laptop loses the network: its office address now leads nowhere; returns the real one."""
    with laptop.engine.begin() as connection:
        real = connection.execute(text("SELECT office_url FROM field_copy")).scalar_one()
        connection.execute(text("UPDATE field_copy SET office_url = 'postgresql+psycopg://x@127.0.0.1:9/nada'"))
    return str(real)


def _reconnect(laptop: Services, url: str) -> None:
    with laptop.engine.begin() as connection:
        connection.execute(text("UPDATE field_copy SET office_url = :u"), {"u": url})


def test_diegos_day_offline_ends_with_the_same_history_at_the_office_and_one_conflict_settled(
    office: Services, tmp_path: Path
) -> None:
    clock = FixedClock(DEMO_NOW)
    coordinator = office.users.sign_in("admin", DEMO_PASSWORD)
    diego_id = office.users.sign_in("diego.martinez", DEMO_PASSWORD).user_id
    assert diego_id is not None
    bogota = [
        row.entry.id
        for row in office.tickets.list_queue(QueueFilter(), limit=500).rows
        if row.entry.status is TicketStatus.IN_PROGRESS and row.entry.city == "Bogotá"
    ]
    closing, waiting = bogota[0], bogota[1]
    for ticket in (closing, waiting):  # the coordinator gives Diego two of the city's tickets for the day
        office.tickets.assign(ticket, diego_id, actor=coordinator)
    diego_laptop = _laptop(office, tmp_path / "diego", clock=clock)
    camilo_laptop = _laptop(office, tmp_path / "camilo", "camilo.herrera")
    try:
        field = diego_laptop.field
        assert field is not None and camilo_laptop.field is not None
        office_url = _cut(diego_laptop)
        camilo_url = _cut(camilo_laptop)
        diego = _diego(diego_laptop)

        # 8:05 — at the first customer: he scans the label and opens the machine's page.
        clock.set(DEMO_NOW + timedelta(minutes=35))
        machine = _onsite_machine(diego_laptop)
        with diego_laptop.engine.connect() as connection:
            payload = connection.execute(
                text("SELECT qr_payload FROM machines WHERE id = :m"), {"m": machine}
            ).scalar_one()
        scanned = diego_laptop.machines.resolve_scan(payload)
        assert scanned.machine_id == machine
        assert diego_laptop.machines.page(machine).detail.serial == scanned.serial
        # A new request on site, with two photos; then the visit that solves it.
        taken = diego_laptop.tickets.create_ticket(
            IntakeRequest(
                machine_id=machine,
                description="Capas desplazadas en el eje X desde ayer; revisado en sitio.",
                severity=Severity.HIGH,
                channel=Channel.ONSITE,
                assigned_agent_id=diego.user_id,
                attachments=(
                    NewAttachment("pieza.jpg", PHOTO, "image/jpeg"),
                    NewAttachment("correa.jpg", PHOTO[::-1], "image/jpeg"),
                ),
            ),
            actor=diego,
        )
        clock.set(DEMO_NOW + timedelta(hours=2))
        diego_laptop.tickets.record_visit(
            taken.id,
            VisitRequest(
                technician_id=diego.user_id,
                city="Bogotá",
                started_at=DEMO_NOW + timedelta(minutes=40),
                ended_at=DEMO_NOW + timedelta(hours=1, minutes=50),
                work_done="Correa del eje X tensada y poleas ajustadas.",
            ),
            actor=diego,
        )
        # 11:00 — another of his tickets: the customer must send a part; he calls, nobody answers.
        clock.set(DEMO_NOW + timedelta(hours=3))
        diego_laptop.tickets.set_waiting(waiting, actor=diego, reason="El cliente enviará la pieza rota.")
        diego_laptop.tickets.log_contact_attempt(waiting, actor=diego, method="phone", note="No contestan.")
        # 15:00 — he closes a third ticket, solved.
        clock.set(DEMO_NOW + timedelta(hours=5))
        diego_laptop.tickets.add_comment(closing, "Se cambió el hotend; pruebas de impresión correctas.", actor=diego)
        diego_laptop.tickets.close_solved(closing, actor=diego, solution="Hotend reemplazado.")
        camilo = camilo_laptop.users.sign_in("camilo.herrera", DEMO_PASSWORD)
        camilo_ticket = _open_tickets(camilo_laptop, camilo)[0]
        camilo_laptop.tickets.add_comment(
            camilo_ticket, "Medellín: revisión preventiva hecha.", actor=camilo, to_customer=False
        )

        # Meanwhile at the office: the customer called; the coordinator escalates and comments.
        office.tickets.escalate(closing, actor=coordinator, note="El cliente llamó molesto por la demora.")
        office.tickets.add_comment(
            closing, "Diego: llame al cliente antes de cerrar.", actor=coordinator, to_customer=False
        )

        # Still no network: nothing goes, nothing is lost, the window would say how much waits.
        with pytest.raises(DatabaseUnavailableError):
            field.sync()
        waiting_changes = field.status().pending
        assert waiting_changes == 6

        # Back at the office's network: he syncs.
        _reconnect(diego_laptop, office_url)
        _reconnect(camilo_laptop, camilo_url)
        report = field.sync()
        assert (report.applied, report.conflicts, report.files) == (5, 1, 2)
        [conflict] = field.conflicts()
        assert conflict.method == "close_solved" and conflict.decision is not None
        assert {c.field for c in conflict.decision.clashes} == {"escalation_level"}
        assert office.tickets.get_ticket(closing).status is TicketStatus.IN_PROGRESS  # not closed silently

        # He read the office's comment, called the customer, and keeps his closing.
        field.settle(conflict.command_id, Resolution.KEEP_MINE)
        assert field.sync().applied == 1
        assert camilo_laptop.field.sync().applied == 1

        assert office.tickets.get_ticket(closing).status is TicketStatus.CLOSED
        [new] = [c for c in field.outbox() if c.kind is CommandKind.NEW_TICKET]
        numbered = office.tickets.find_ticket_id(str(new.result["number"]))
        for ticket in (closing, waiting, numbered):
            assert _timeline(diego_laptop, ticket) == _timeline(office, ticket)
        assert len(office.tickets.get_ticket(numbered).attachments) == 2
        [visit] = office.tickets.get_ticket(numbered).visits
        assert visit.started_at == DEMO_NOW + timedelta(minutes=40)  # the laptop's moments, kept
        closed_at = office.tickets.get_ticket(closing).closed_at
        assert closed_at == DEMO_NOW + timedelta(hours=5)
        assert field.status().pending == 0 and field.conflicts() == []
        assert any(
            e.body == "Medellín: revisión preventiva hecha." for e in office.tickets.get_ticket(camilo_ticket).timeline
        )
    finally:
        diego_laptop.close()
        camilo_laptop.close()


def test_the_field_commands_prepare_show_and_export_a_copy(
    office: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop_app.cli import main

    folder = tmp_path / "portatil"
    monkeypatch.setenv("MAKERSUPPORT_DATA_DIR", str(folder))
    monkeypatch.setenv("MAKERSUPPORT_USER", "diego.martinez")
    monkeypatch.setenv("MAKERSUPPORT_PASSWORD", DEMO_PASSWORD)
    copy = folder / "campo.sqlite3"

    assert main(["field", "prepare", "--db", office.settings.db_url]) == 0
    assert copy.is_file() and "campo.sqlite3" in capsys.readouterr().out
    assert main(["field", "prepare", "--db", office.settings.db_url]) == 2  # never over an existing copy
    assert "ya existe" in capsys.readouterr().err
    assert main(["field", "status", "--db", office.settings.db_url]) == 2  # the office is no field copy
    assert "copia de campo" in capsys.readouterr().err

    field_db = f"sqlite:///{copy}"
    laptop = build_services(make_settings(folder, field_db), clock=FixedClock(DEMO_NOW))
    try:
        diego = _diego(laptop)
        laptop.tickets.add_comment(_open_tickets(laptop, diego)[0], "Desde la línea de órdenes.", actor=diego)
    finally:
        laptop.close()
    assert main(["field", "status", "--db", field_db]) == 0
    assert "1 cambio por sincronizar" in capsys.readouterr().out
    assert main(["field", "export", "--out", str(tmp_path / "salida.json"), "--db", field_db]) == 0
    assert json.loads((tmp_path / "salida.json").read_text(encoding="utf-8"))["commands"][0]["method"] == "add_comment"
    assert main(["field", "sync", "--db", field_db]) == 0
    capsys.readouterr()
    assert main(["field", "conflicts", "--json", "--db", field_db]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["field", "settle", "nada", "--keep-mine", "--db", field_db]) == 2
    assert "ya no espera" in capsys.readouterr().err


def test_an_edit_the_office_also_made_counts_as_already_there(office: Services, laptop: Services) -> None:
    assert laptop.field is not None
    diego = _diego(laptop)
    ticket = _open_tickets(laptop, diego)[0]
    same = Severity.LOW if office.tickets.get_ticket(ticket).severity is not Severity.LOW else Severity.MEDIUM
    office.tickets.change_severity(ticket, same, actor=office.users.sign_in("admin", DEMO_PASSWORD))
    laptop.tickets.change_severity(ticket, same, actor=diego)
    report = laptop.field.sync()
    assert (report.applied, report.already, report.conflicts) == (0, 1, 0)
    assert _office_count(office, "SELECT count(*) FROM applied_commands") == 0  # nothing was replayed
