"""The GUI's composition root: settings → services → QApplication → MainWindow. No logic here."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QLineEdit, QMessageBox

from desktop_app import i18n
from desktop_app.bootstrap import Services, build_services
from desktop_app.config import APP_AUTHOR, APP_NAME, Settings, load_settings, make_private_folder
from desktop_app.connection import Connection, load_connection, save_connection, stored_password
from desktop_app.domain.permissions import Actor
from desktop_app.errors import UserFacingError
from desktop_app.field_office import default_field_file, prepare_field_copy
from desktop_app.i18n import _
from desktop_app.persistence.migrate import DatabaseProbe
from desktop_app.ui import theme
from desktop_app.ui.views.sign_in_dialog import FirstAdminDialog, SignInDialog

if TYPE_CHECKING:
    from desktop_app.ui.views.field_prepare import FieldPreparation

log = logging.getLogger(__name__)

SMOKE_LIMIT_MS = 5000  # a smoke run leaves by then even if its window is never drawn


def _setup_logging(settings: Settings) -> None:
    try:
        make_private_folder(settings.data_dir)
        handler: logging.Handler = logging.FileHandler(settings.log_file, encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)


def _install_excepthook(settings: Settings) -> None:
    """A user-facing error becomes a message; anything else is logged and shown as a crash report,
    and the window stays open (PySide6 re-raises exceptions from slots into sys.excepthook)."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        parent = QApplication.activeWindow()
        if isinstance(exc, UserFacingError):
            QMessageBox.warning(parent, _("makeR Soporte"), exc.message)
            return
        log.error("unexpected error", exc_info=(kind, exc, tb))
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            _("Unexpected error"),
            _("Something went wrong. Your saved work is safe. The details were written to {log}.").format(
                log=settings.log_file
            ),
            parent=parent,
        )
        box.setDetailedText("".join(traceback.format_exception(kind, exc, tb)))
        box.exec()

    sys.excepthook = hook


def qsettings() -> QSettings:
    return QSettings(APP_AUTHOR, APP_NAME)


def run_gui(settings: Settings, *, smoke: bool = False) -> int:
    """Open the desk. Returns the process exit code.

    Args:
        smoke: open the window and quit at once (packaging smoke test).
    """
    _setup_logging(settings)
    stored = qsettings()
    language = i18n.install(settings.language or stored.value("language") or None)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_AUTHOR)
    # Wayland desktops match the window to its menu entry and icon by this name (packaging: makersupport.desktop).
    app.setDesktopFileName("makersupport")
    app.setApplicationDisplayName(_("makeR Soporte"))
    theme.apply_theme(app)
    translator = theme.install_qt_translator(app, language)  # noqa: F841 - keep it alive while the app runs
    settings = _with_password_if_needed(settings)
    while True:
        reopen: list[Settings] = []
        code = _open_desk(app, settings, stored, smoke=smoke, reopen=reopen)
        if not reopen:
            return code
        settings = reopen[0]  # the window switched database ("Prepare for field work"): open it on that one


def _open_desk(
    app: QCoreApplication, settings: Settings, stored: QSettings, *, smoke: bool, reopen: list[Settings]
) -> int:
    """Services, sign-in and the window on one database, until the window closes. A window that
    switches this computer to another database puts its settings in `reopen` before it closes."""
    try:
        services = build_services(settings)
    except UserFacingError as exc:
        QMessageBox.critical(None, _("makeR Soporte"), exc.message)
        return 2
    _install_excepthook(settings)
    try:
        # Asked once: it picks the first dialog, and after it the guide of a new installation.
        first_admin = services.users.needs_first_admin()
        actor = _sign_in(services, first_admin=first_admin, smoke=smoke)
        if actor is None:
            return 0 if smoke else 1
        # The main window's pages (and what they import) load after sign-in, while the sign-in
        # dialog is what a user waits for.
        from desktop_app.documents.report_documents import ReportDocuments  # ReportLab loads with the first PDF
        from desktop_app.ui.main_window import MainWindow
        from desktop_app.ui.tasks import TaskRunner
        from desktop_app.ui.views.first_run_guide import offer_guide

        documents = None
        if services.reports is not None:
            documents = ReportDocuments(services.reports, services.company.profile, services.tickets.now)
        tasks = TaskRunner()
        window_box: list[MainWindow] = []

        def switch_to(path: Path) -> None:
            save_connection(Connection("sqlite", str(path)))
            reopen.append(replace(settings, db_url=f"sqlite:///{path}"))
            window_box[0].setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # its tray icon goes with it
            window_box[0].close()

        window = MainWindow(
            services.desk,
            stored,
            actor,
            tasks,
            report_documents=documents,
            field_preparation=field_preparation(services, switch_to),
        )
        window_box.append(window)
        tasks.setParent(window)  # it goes with the window, as the runner a window makes itself does
        window.show()
        offer_guide(window.menus, services.desk, actor, stored, first_admin_created=first_admin and not smoke)
        return app.exec()
    finally:
        services.close()


def field_preparation(services: Services, switch_to: Callable[[Path], None]) -> FieldPreparation | None:
    """ "Prepare for field work" for the window: on the office's database only (None on a field copy)."""
    from desktop_app.ui.views.field_prepare import FieldPreparation

    if services.field is not None:
        return None
    return FieldPreparation(
        lambda person, target: prepare_field_copy(services, person, target).written,
        lambda: _new_field_file(services),
        switch_to,
    )


def _new_field_file(services: Services) -> Path:
    """Where a new field copy goes: campo.sqlite3 in the data folder, or a dated name beside it
    when that one exists (an older copy may hold changes not synced yet: never replaced)."""
    target = default_field_file(services.settings.data_dir)
    if target.exists():
        stamp = services.tickets.now().strftime("%Y%m%d-%H%M%S")
        target = target.with_name(f"campo-{stamp}.sqlite3")
    return target


def _with_password_if_needed(settings: Settings) -> Settings:
    """A team server whose password is not in a keyring: ask for it (kept in memory only)."""
    if settings.db_url != load_settings(language=settings.language).db_url:
        return settings  # --db or MAKERSUPPORT_DB_URL: used as given
    connection = load_connection()
    if connection is None or connection.kind != "postgresql" or stored_password(connection):
        return settings
    password, ok = QInputDialog.getText(
        None,
        _("makeR Soporte"),
        _("Password of {user} on the team server {host}:").format(user=connection.user, host=connection.host),
        QLineEdit.EchoMode.Password,
    )
    if not ok:
        return settings
    return replace(settings, db_url=connection.url(password) or settings.db_url)


def _sign_in(services: Services, *, first_admin: bool, smoke: bool) -> Actor | None:
    """The first administrator on a new installation, then the sign-in dialog. None: cancelled."""
    # The probe's message for a damaged database names the newest automatic backup to restore.
    probe = DatabaseProbe(services.backups.newest_automatic)
    dialog = FirstAdminDialog(services.users) if first_admin else SignInDialog(services.users, probe)
    if smoke:
        # The packaging smoke test shows the first window a user sees, then leaves once it is drawn.
        _LeaveOncePainted(dialog)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.actor


class _LeaveOncePainted(QObject):
    """For --smoke: closes the dialog right after its first paint, which proves it was drawn and keeps
    the run as long as the start-up itself (bench/startup_bench.py times it); SMOKE_LIMIT_MS at most."""

    def __init__(self, dialog: QDialog) -> None:
        super().__init__(dialog)
        self._dialog = dialog
        dialog.installEventFilter(self)
        limit = QTimer(self)
        limit.setSingleShot(True)
        limit.timeout.connect(dialog.reject)
        limit.start(SMOKE_LIMIT_MS)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._dialog and event.type() == QEvent.Type.Paint:
            self._dialog.removeEventFilter(self)
            QTimer.singleShot(0, self._dialog.reject)  # after the paint has finished
        return False


def main() -> int:
    return run_gui(load_settings())
