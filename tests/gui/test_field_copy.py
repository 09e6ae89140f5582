"""Issue 16 in the window: Diego prepares a field copy at the office, works on it offline, the
status bar says so, the sync dialog shows its stages and what it did (or that nothing was lost),
and a clash with the office's escalation is settled in the conflict list and reaches the office.

Real PostgreSQL for the office, a real SQLite field copy, the real window and buttons."""

from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from desktop_app import app
from desktop_app.bootstrap import Services, build_services
from desktop_app.connection import CONFIG_DIR_ENV, load_connection
from desktop_app.domain.field_sync import (
    CommandKind,
    CommandState,
    Decision,
    FieldCommand,
    Resolution,
    TicketRef,
    Verdict,
)
from desktop_app.domain.ids import TicketId
from desktop_app.domain.model import Severity, TicketStatus
from desktop_app.domain.permissions import Actor
from desktop_app.errors import UserFacingError
from desktop_app.field_office import prepare_field_copy
from desktop_app.services.clock import FixedClock
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.services.dto import QueueEntry, QueueFilter
from desktop_app.ui import theme
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.field_conflicts import ConflictsDialog, MergeDialog
from desktop_app.ui.views.field_prepare import FieldPreparation
from desktop_app.ui.views.ticket_actions import TicketActions
from desktop_app.wording.tickets import severity_label
from tests.conftest import DEMO_NOW, make_settings
from tests.gui.conftest import ARTIFACTS, save_screenshot
from tests.pg_server import TemporaryPostgres

SHOTS = ARTIFACTS / "field"


@dataclass
class Office:
    pg: TemporaryPostgres
    name: str
    services: Services
    folder: Path

    def cut(self) -> None:
        """The office's database stops answering: connections cut, new ones refused."""
        with self._admin() as admin:
            admin.execute(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS false')
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (self.name,))

    def restore(self) -> None:
        with self._admin() as admin:
            admin.execute(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS true')
        self.services.engine.dispose()  # its pooled connections were cut

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.pg.port, user="postgres", dbname="postgres", autocommit=True)


@pytest.fixture
def office(
    pg: TemporaryPostgres, pg_demo_template: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Office]:
    """The office: the demo data on its own PostgreSQL database (a copy of the session's template:
    a second or so; the office window's jobs round changes tickets, so no test shares it)."""
    template, template_folder = pg_demo_template
    folder = tmp_path_factory.mktemp("office") / "data"
    shutil.copytree(template_folder, folder)
    name = pg.create_database(template=template)
    services = build_services(make_settings(folder, pg.url(name)), clock=FixedClock(DEMO_NOW))
    yield Office(pg, name, services, folder)
    services.close()
    pg.drop_database(name)


def _window(qtbot: QtBot, qapp: QApplication, services: Services, folder: Path, **kwargs: object) -> MainWindow:
    theme.apply_theme(qapp)
    actor = services.users.sign_in("diego.martinez", DEMO_PASSWORD)
    settings = QSettings(str(folder / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(services.desk, settings, actor, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1366, 768)  # a technician's laptop
    window.show()
    qtbot.waitExposed(window)
    return window


def _field_copy(office: Office, technician: Actor, laptop: Path) -> Services:
    """A field copy of `technician`'s work prepared from the office, opened on the laptop's folder."""
    prepare_field_copy(office.services, technician, laptop / "campo.sqlite3")
    return build_services(make_settings(laptop, f"sqlite:///{laptop / 'campo.sqlite3'}"), clock=FixedClock(DEMO_NOW))


def _an_open_ticket(field_services: Services) -> tuple[QueueEntry, Actor]:
    """An open ticket of the copy, and Diego signed in on the laptop."""
    ticket = next(r.entry for r in field_services.tickets.list_queue(QueueFilter()).rows if r.entry.status.is_open)
    return ticket, field_services.users.sign_in("diego.martinez", DEMO_PASSWORD)


def _answer(monkeypatch: pytest.MonkeyPatch, answers: list[QMessageBox.StandardButton], asked: list[str]) -> None:
    def question(_parent: object, _title: str, text: str, *_args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)


def test_diego_prepares_a_field_copy_and_the_window_reopens_on_it(
    office: Office, qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """app.run_gui as a person meets it: the office's window, File → Preparar para salir a campo,
    yes and yes; the window closes and opens again, signed in anew, on the field copy."""
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path / "config"))
    monkeypatch.setattr(app, "_setup_logging", lambda _settings: None)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own: put back after
    monkeypatch.setattr(app, "qsettings", lambda: QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    asked: list[str] = []
    _answer(monkeypatch, [QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Yes], asked)
    opened: list[tuple[bool, object]] = []  # per sign-in: a field copy?, what the window offered

    def window() -> MainWindow:
        return next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())

    def prepare() -> None:
        action = window().menus.prepare_field_action
        opened.append((False, action.text() if action is not None else None))
        assert action is not None
        action.trigger()
        preparer = window().field_preparer
        assert preparer is not None and preparer.progress is not None  # busy while the copy is written
        save_screenshot(preparer.progress, "field/preparing")

    def leave() -> None:
        shown = window()
        opened.append((True, shown.field_status.text() if shown.field_status is not None else None))
        shown.close()

    def sign_in(services: Services, *, first_admin: bool, smoke: bool) -> object:
        QTimer.singleShot(200, leave if services.field is not None else prepare)
        return services.users.sign_in("diego.martinez", DEMO_PASSWORD)

    monkeypatch.setattr(app, "_sign_in", sign_in)
    data = tmp_path / "data"
    settings = replace(make_settings(data, office.services.settings.db_url), language="es_CO")
    assert app.run_gui(settings) == 0
    assert opened[0] == (False, "&Preparar para salir a campo…")
    assert "Bogotá" in asked[0] and "campo.sqlite3" in asked[0]
    assert "La copia de campo está lista: 8 clientes" in asked[1]
    field_copy = data / "campo.sqlite3"
    assert opened[1] == (True, "todo sincronizado · sin sincronizar desde que se preparó")  # the office not asked yet
    saved = load_connection()
    assert saved is not None and (saved.kind, saved.sqlite_path) == ("sqlite", str(field_copy))
    # A second copy never replaces the first (it may hold changes not synced yet).
    services = build_services(make_settings(data, office.services.settings.db_url), clock=FixedClock(DEMO_NOW))
    try:
        preparation = app.field_preparation(services, lambda _path: None)
        assert preparation is not None and preparation.target().name.startswith("campo-")
    finally:
        services.close()


def test_a_day_offline_the_sync_and_a_conflict_settled(
    office: Office, qtbot: QtBot, qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    diego = office.services.users.sign_in("diego.martinez", DEMO_PASSWORD)
    admin = office.services.users.sign_in("admin", DEMO_PASSWORD)
    laptop = tmp_path / "laptop"
    field_services = _field_copy(office, diego, laptop)
    try:
        _play(office, field_services, admin, qtbot, qapp, laptop, monkeypatch)
    finally:
        office.restore()
        field_services.close()


def _play(  # type: ignore[no-untyped-def]
    office: Office, field_services: Services, admin, qtbot: QtBot, qapp: QApplication, laptop: Path, monkeypatch
) -> None:
    mine = [
        r.entry
        for r in field_services.tickets.list_queue(QueueFilter()).rows
        if r.entry.status is TicketStatus.IN_PROGRESS
    ]
    clashing, quiet, edited = mine[0], mine[1], mine[2]
    # While he is away the office escalates one of his tickets and changes another's severity.
    before = office.services.tickets.get_ticket(TicketId(clashing.id)).escalation_level
    office.services.tickets.escalate(TicketId(clashing.id), actor=admin, note="Cliente llamó a gerencia")
    seen_severity = office.services.tickets.get_ticket(TicketId(edited.id)).severity
    office_severity, my_severity = [s for s in Severity if s is not seen_severity][:2]
    office.services.tickets.change_severity(TicketId(edited.id), office_severity, actor=admin)

    window = _window(qtbot, qapp, field_services, laptop)
    field_sync = window.field_sync
    assert field_sync is not None and window.field_status is not None
    qtbot.waitUntil(lambda: field_sync.online is True, timeout=15_000)
    assert window.field_status.text().startswith("Conectado a la oficina · todo sincronizado")
    assert window.database_status.text() == "Copia de campo"

    # The network goes: the periodic check says so.
    office.cut()
    with qtbot.waitSignal(field_sync.online_changed, timeout=15_000):
        field_sync.check_office()
    assert window.field_status.text().startswith("Sin conexión · todo sincronizado")

    # He works offline through the ticket toolbar: two tickets wait on their customers.
    monkeypatch.setattr(TicketActions, "_ask", lambda self, *a, **k: {"text": "Sin acceso a la planta hoy"})
    for ticket in (clashing, quiet):
        window.open_ticket(ticket.id)
        with qtbot.waitSignal(window.actions.ticket_changed, timeout=10_000):
            window.actions.waiting.trigger()
    # …and the ticket page's editor: another severity, with an internal note.
    window.open_ticket(edited.id)
    editor = window.editor
    editor.severity.setCurrentIndex(editor.severity.findData(my_severity.value))
    editor.comment.setPlainText("Revisé el equipo en sitio.")
    editor.to_customer.setChecked(False)
    with qtbot.waitSignal(editor.ticket_saved, timeout=10_000):
        editor.save_button.click()
    qtbot.waitUntil(lambda: "4 cambios por sincronizar" in window.field_status.text(), timeout=5_000)
    assert window.field_status.text().startswith("Sin conexión · 4 cambios por sincronizar")
    SHOTS.mkdir(parents=True, exist_ok=True)
    save_screenshot(window, "field/offline_window")
    save_screenshot(window.status_bar, "field/offline_status_bar")

    # A click on the status bar syncs: the office does not answer; nothing is lost.
    with qtbot.waitSignal(field_sync.sync_failed, timeout=30_000):
        window.field_status.click()
    dialog = window.sync_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.heading.text() == "La sincronización se detuvo."
    assert "No se perdió nada" in dialog.summary.text()
    assert dialog.retry_button.isVisible()
    assert "Último intento: No se puede conectar" in window.field_status.toolTip()
    assert field_services.field is not None and field_services.field.status().pending == 4
    save_screenshot(dialog, "field/sync_failed")

    # The office answers again: "Try again" in the dialog.
    office.restore()
    progress: list[tuple[str, int, int]] = []

    def seen(p) -> None:  # type: ignore[no-untyped-def]
        progress.append((p.stage, p.done, p.total))
        if (p.stage, p.done, p.total) == ("push", 2, 4):  # the dialog shows this step already
            save_screenshot(dialog, "field/sync_progress")

    field_sync.sync_progressed.connect(seen)
    with qtbot.waitSignal(field_sync.sync_finished, timeout=60_000) as finished:
        dialog.retry_button.click()
    report = finished.args[0]
    assert (report.applied, report.conflicts) == (2, 2)  # a wait and the note; the two clashes
    assert ("push", 4, 4) in progress and progress[-1] == ("pull", 1, 1)
    assert dialog.heading.text().startswith("Sincronizado en ")
    assert "2 cambios aplicados en la oficina" in dialog.summary.text()
    assert "2 conflictos esperan su decisión" in dialog.summary.text()
    assert [dialog.stage_counts[s].text() for s in ("push", "pull")] == ["4 de 4", "hecho"]
    # The laptop's clock says 26 nov (the demo's), the office's database today's: he is told.
    assert dialog.skew.isVisible() and "días atrasado" in dialog.skew.text()
    assert window.status_bar.clock_warning.text() == "⚠ Reloj atrasado 6 días"
    save_screenshot(dialog, "field/sync_finished")
    assert window.field_status.text().startswith("Conectado a la oficina · todo sincronizado · 2 conflictos")
    qtbot.wait(50)  # the status bar lays out its items again
    save_screenshot(window, "field/online_window")
    applied_quiet = office.services.tickets.get_ticket(TicketId(quiet.id))
    assert applied_quiet.status is TicketStatus.WAITING_CUSTOMER

    # The conflict list ("Ver conflictos"): the waiting status against the office's escalation, side by side.
    assert dialog.conflicts_button.isVisible()
    dialog.conflicts_button.click()
    assert not dialog.isVisible()
    conflicts = window.findChildren(ConflictsDialog)[-1]
    assert conflicts.model.rowCount() == 2
    assert conflicts.model.index(0, 1).data() == clashing.number
    assert conflicts.model.index(0, 0).data() == "Esperando al cliente"
    rows = [[conflicts.versions.item(r, c).text() for c in range(4)] for r in range(conflicts.versions.rowCount())]
    assert ["Nivel de escalamiento", f"Nivel {before}", f"Nivel {before}", f"Nivel {before + 1}"] in rows
    assert ["Estado", "En progreso", "Esperando al cliente", "sin conflicto"] in rows  # his change, whole
    assert conflicts.keep_button.isEnabled() and conflicts.take_button.isEnabled()
    assert not conflicts.merge_button.isEnabled()  # a status change is kept or dropped, not merged
    save_screenshot(conflicts, "field/conflicts")

    # "Conservar lo mío", and "sync now?" — yes.
    asked: list[str] = []
    _answer(monkeypatch, [QMessageBox.StandardButton.Yes], asked)
    with qtbot.waitSignal(field_sync.sync_finished, timeout=60_000) as finished:
        conflicts.keep_button.click()
    assert "próxima sincronización" in asked[0]
    assert finished.args[0].applied == 1 and finished.args[0].conflicts == 0
    assert conflicts.model.rowCount() == 1
    at_office = office.services.tickets.get_ticket(TicketId(clashing.id))
    assert at_office.status is TicketStatus.WAITING_CUSTOMER
    assert at_office.escalation_level == before + 1  # the office's escalation stays
    settled = [
        e for e in office.services.audit.history_of(admin, "ticket", clashing.id) if e.action == "field_conflict"
    ]
    assert settled and settled[0].actor_name == "Diego Martínez"

    # The severity: "Combinar…" keeps the value he saw before either change.
    assert conflicts.model.index(0, 1).data() == edited.number
    assert conflicts.model.index(0, 0).data() == "Ticket editado"
    rows = [[conflicts.versions.item(r, c).text() for c in range(4)] for r in range(conflicts.versions.rowCount())]
    labels = [severity_label(s) for s in (seen_severity, my_severity, office_severity)]
    assert rows == [["Severidad", *labels]]
    assert conflicts.merge_button.isEnabled()
    conflicts.merge_button.click()
    merge = conflicts.findChildren(MergeDialog)[-1]
    options = merge.choices["severity"]
    assert [button.text() for button, _value in options] == [
        f"Lo que usted vio: {labels[0]}",
        f"Lo suyo: {labels[1]}",
        f"La oficina: {labels[2]}",
    ]
    assert options[1][0].isChecked()  # his by default
    options[0][0].setChecked(True)
    save_screenshot(merge, "field/combine")
    assert merge.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancelar"
    _answer(monkeypatch, [QMessageBox.StandardButton.No], asked)  # not now: the automatic sync will
    merge.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: conflicts.model.rowCount() == 0, timeout=10_000)
    assert conflicts.empty.isVisible()
    # The next check finds the office in reach and a change waiting: it syncs on its own.
    with qtbot.waitSignal(field_sync.sync_finished, timeout=60_000) as finished:
        field_sync.check_office()
    assert finished.args[0].applied == 1
    assert office.services.tickets.get_ticket(TicketId(edited.id)).severity is seen_severity
    assert [e for e in office.services.audit.history_of(admin, "ticket", edited.id) if e.action == "field_conflict"]
    assert window.field_status.text().startswith("Conectado a la oficina · todo sincronizado · última sincronización")
    states = {c.state for c in field_services.field.outbox()}
    assert states == {CommandState.DONE}

    # In reach of the office a change goes on its own a moment later.
    field_sync.soon_timer.setInterval(300)
    window.open_ticket(quiet.id)
    with qtbot.waitSignal(field_sync.sync_finished, timeout=30_000) as finished:
        window.actions.resumed.trigger()
    assert finished.args[0].applied == 1
    assert office.services.tickets.get_ticket(TicketId(quiet.id)).status is TicketStatus.IN_PROGRESS

    # The outbox can always go to a file; an existing one is replaced only when the dialog asked.
    target = laptop / "cambios.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    window.export_field_changes()
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    assert told[0] == f"5 cambios escritos en {target}."
    assert '"state": "done"' in target.read_text(encoding="utf-8")


def test_a_field_copy_that_cannot_be_written_says_why(
    demo_services: Services, qapp: QApplication, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The office's side when the copy fails (here: no room on the disk): a message, no switch."""

    def prepare(_actor: object, _target: Path) -> dict[str, int]:
        raise UserFacingError("No queda espacio en el disco.")

    switched: list[Path] = []
    preparation = FieldPreparation(prepare, lambda: tmp_path / "campo.sqlite3", switched.append)
    main = _window(qtbot, qapp, demo_services, tmp_path, field_preparation=preparation)
    asked: list[str] = []
    _answer(monkeypatch, [QMessageBox.StandardButton.Yes], asked)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))
    assert main.menus.prepare_field_action is not None
    main.menus.prepare_field_action.trigger()
    qtbot.waitUntil(lambda: bool(warned), timeout=10_000)
    assert warned == ["No se pudo preparar la copia de campo: No queda espacio en el disco."]
    assert main.field_preparer is not None and main.field_preparer.progress is None  # the busy dialog went
    assert switched == [] and not (tmp_path / "campo.sqlite3").exists()
    main.close()


class _Conflicts:
    """A field copy's conflicts as the dialog reads them (the real ones come from a sync above)."""

    def __init__(self, commands: list[FieldCommand]) -> None:
        self.commands = commands
        self.settled: list[tuple[str, Resolution]] = []

    def conflicts(self) -> list[FieldCommand]:
        return list(self.commands)

    def settle(self, command_id: str, resolution: Resolution, chosen: object = None) -> None:
        self.settled.append((command_id, resolution))
        self.commands = [c for c in self.commands if c.command_id != command_id]


def test_a_refused_change_shows_the_office_s_reason_and_can_be_set_aside(
    qtbot: QtBot,
    qtmodeltester,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    refused = FieldCommand(
        command_id="c-1",
        kind=CommandKind.CONTACT_ATTEMPT,
        method="log_contact_attempt",
        ticket=TicketRef(office=7, local=7, number="SOP-2026-00012"),
        payload={},
        happened_at=DEMO_NOW,
        copied_at=DEMO_NOW,
        state=CommandState.CONFLICT,
        decision=Decision(Verdict.CONFLICT, refused="El ticket ya está cerrado."),
    )
    field = _Conflicts([refused])
    tasks = TaskRunner()
    dialog = ConflictsDialog(field, tasks, DEMO_NOW.tzinfo)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    assert [dialog.model.index(0, c).data() for c in range(2)] == ["Intento de contacto", "SOP-2026-00012"]
    assert dialog.explanation.text() == "La oficina rechazó este cambio: El ticket ya está cerrado."
    assert dialog.versions.isHidden()
    assert dialog.keep_button.isEnabled() and not dialog.merge_button.isEnabled()
    asked: list[str] = []
    _answer(monkeypatch, [QMessageBox.StandardButton.Yes], asked)
    dialog.take_button.click()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0, timeout=10_000)
    assert field.settled == [("c-1", Resolution.TAKE_OFFICE)]
    assert asked == ["Su cambio (Intento de contacto en SOP-2026-00012) no llegará a la oficina. ¿Descartarlo?"]
    assert dialog.empty.isVisible() or not dialog.isVisible()
    tasks.wait()


def test_the_sync_dialog_asks_for_the_office_server_s_password_and_connects_with_it(
    office: Office, qtbot: QtBot, qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A laptop without a keyring entry or MAKERSUPPORT_OFFICE_PASSWORD, and an office server
    that lets the copy's login in only with its password: the sync dialog asks for it, refuses a
    wrong one the same way, and syncs with the right one."""
    monkeypatch.delenv("MAKERSUPPORT_OFFICE_PASSWORD", raising=False)
    diego = office.services.users.sign_in("diego.martinez", DEMO_PASSWORD)
    laptop = tmp_path / "laptop"
    field_services = _field_copy(office, diego, laptop)
    role = f"campo_{uuid.uuid4().hex[:8]}"
    office.pg.add_login_with_password(role, "clave-de-la-oficina")
    try:
        with field_services.engine.begin() as connection:
            url = connection.execute(text("SELECT office_url FROM field_copy")).scalar_one()
            needs_password = url.replace("//postgres@", f"//{role}@")
            connection.execute(text("UPDATE field_copy SET office_url = :url"), {"url": needs_password})
        window = _window(qtbot, qapp, field_services, laptop)
        field_sync = window.field_sync
        assert field_sync is not None and window.field_status is not None
        qtbot.waitUntil(lambda: field_sync.online is False, timeout=15_000)
        ticket, on_laptop = _an_open_ticket(field_services)
        field_services.tickets.add_comment(TicketId(ticket.id), "Revisado sin red.", actor=on_laptop, to_customer=False)

        with qtbot.waitSignal(field_sync.password_needed, timeout=30_000):
            window.field_status.click()
        dialog = window.sync_dialog
        assert dialog is not None and dialog.isVisible()
        assert dialog.password_box.isVisible() and dialog.retry_button.text() == "Conectar"
        assert f"El servidor de la oficina pide la contraseña de {role}@127.0.0.1" in dialog.summary.text()
        assert "No se perdió nada" in dialog.summary.text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        save_screenshot(dialog, "field/sync_password")

        qtbot.keyClicks(dialog.password, "otra-clave")  # a wrong one: asked again
        with qtbot.waitSignal(field_sync.password_needed, timeout=30_000):
            dialog.retry_button.click()
        assert dialog.password_box.isVisible() and dialog.password.text() == ""

        qtbot.keyClicks(dialog.password, "clave-de-la-oficina")
        with qtbot.waitSignal(field_sync.sync_finished, timeout=60_000) as finished:
            dialog.retry_button.click()
        assert finished.args[0].applied == 1
        assert not dialog.password_box.isVisible() and dialog.retry_button.text() == "Intentar de nuevo"
        assert field_services.field is not None and field_services.field.status().pending == 0
        qtbot.waitUntil(lambda: window.field_status.text().startswith("Conectado a la oficina"), timeout=5_000)
    finally:
        field_services.close()


def test_detener_stops_a_running_sync_and_nothing_is_lost(
    office: Office, qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    diego = office.services.users.sign_in("diego.martinez", DEMO_PASSWORD)
    laptop = tmp_path / "laptop"
    field_services = _field_copy(office, diego, laptop)
    try:
        window = _window(qtbot, qapp, field_services, laptop)
        field_sync = window.field_sync
        assert field_sync is not None and window.field_status is not None and field_services.field is not None
        qtbot.waitUntil(lambda: field_sync.online is True, timeout=15_000)
        field_sync.automatic = False  # the sync starts when he asks for it, not on its own
        ticket, on_laptop = _an_open_ticket(field_services)
        for n in range(12):
            field_services.tickets.add_comment(TicketId(ticket.id), f"Nota {n}", actor=on_laptop, to_customer=False)

        window.field_status.click()
        dialog = window.sync_dialog
        assert dialog is not None and dialog.stop_button.isVisible() and dialog.stop_button.text() == "Detener"
        SHOTS.mkdir(parents=True, exist_ok=True)
        save_screenshot(dialog, "field/sync_with_stop")
        with qtbot.waitSignal(field_sync.sync_failed, timeout=30_000):
            dialog.stop_button.click()
            assert dialog.stop_button.text() == "Deteniendo…" and not dialog.stop_button.isEnabled()
        assert dialog.heading.text() == "La sincronización se detuvo."
        assert "Sincronización detenida" in dialog.summary.text() and "No se perdió nada" in dialog.summary.text()
        assert not dialog.stop_button.isVisible() and dialog.retry_button.isVisible()
        left = field_services.field.status().pending
        assert 0 < left < 12
        assert field_sync.online is True  # stopped by him: the office was in reach all along

        with qtbot.waitSignal(field_sync.sync_finished, timeout=60_000) as finished:
            dialog.retry_button.click()
        assert finished.args[0].applied == left
        assert field_services.field.status().pending == 0
    finally:
        field_services.close()
