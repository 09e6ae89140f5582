"""The menu bar: File (new ticket, scan, refresh, connection, users, backup, import and export, quit), View (one entry
per page of the page table with its Ctrl+n, search, language) and Help. What the person may not
do is not offered."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

from desktop_app import __version__
from desktop_app.domain.importing import ImportKind
from desktop_app.domain.permissions import Actor, Permission
from desktop_app.errors import UserFacingError
from desktop_app.files import write_file
from desktop_app.i18n import _, current_language, ngettext
from desktop_app.services.access import may
from desktop_app.services.desk import Desk
from desktop_app.ui import theme
from desktop_app.ui.shell.pages import Page, PageSpec
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.connection_dialog import ConnectionDialog
from desktop_app.ui.views.import_dialog import ImportDialog
from desktop_app.ui.views.mail_import import SavedMailImport
from desktop_app.ui.views.users_dialog import UsersDialog
from desktop_app.wording.importing import import_kind_label

if TYPE_CHECKING:
    from desktop_app.ui.views.field_prepare import FieldPreparation
    from desktop_app.ui.views.first_run_guide import FirstRunGuide

LANGUAGES = (("es_CO", "Español (Colombia)"), ("en", "English"))


class MenuHost(Protocol):
    """What the menus ask of the window."""

    def new_ticket(self) -> object: ...
    def scan_label(self) -> object: ...
    def refresh(self) -> None: ...
    def show_page(self, page: int) -> None: ...
    def search_queue(self) -> None: ...
    def prepare_field_copy(self) -> object: ...
    def sync_field(self) -> object: ...
    def show_field_conflicts(self) -> object: ...
    def export_field_changes(self) -> None: ...


class MainMenus(QObject):
    """Builds the window's menu bar and handles what only the menus do.

    Args:
        window: the main window; its menu bar is filled, and it parents the dialogs.
        host: the window's own actions (usually the window itself).
        specs: the page table, for the View menu.
        say: shows a line in the status bar.
    """

    def __init__(
        self,
        window: QMainWindow,
        host: MenuHost,
        desk: Desk,
        actor: Actor,
        settings: QSettings,
        tasks: TaskRunner,
        specs: Sequence[PageSpec],
        say: Callable[[str], None],
        field_preparation: FieldPreparation | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._host = host
        self._desk = desk
        self._actor = actor
        self._settings = settings
        self._tasks = tasks
        self._say = say
        self.page_actions: dict[Page, QAction] = {}
        # File → Prepare for field work (office side), and the Field menu on a field copy (issue 16).
        self.prepare_field_action: QAction | None = None
        self.sync_field_action: QAction | None = None
        self.field_conflicts_action: QAction | None = None
        self.export_field_action: QAction | None = None
        self._field_preparation = field_preparation
        self.import_action: QAction | None = None  # File → Import, for those who may import
        # File → Import saved mail and .eml files dropped on the window, for those who handle mail.
        self.mail_import: SavedMailImport | None = None
        self.mail_import_action: QAction | None = None
        if desk.mail is not None and may(actor, Permission.HANDLE_MAIL):
            self.mail_import = SavedMailImport(desk.mail, actor, tasks, window)
            self.mail_import.imported.connect(lambda _results: host.refresh())
        bar = window.menuBar()
        self._build_file_menu(bar.addMenu(_("&File")))
        self._build_view_menu(bar.addMenu(_("&View")), specs)
        if desk.field is not None:
            self._build_field_menu(bar.addMenu(_("F&ield")))
        help_menu = bar.addMenu(_("&Help"))
        self.guide_action: QAction | None = None  # Help → Getting started guide, for administrators
        if desk.first_run is not None and may(actor, Permission.MANAGE_USERS):
            self.guide_action = self._add(help_menu, _("&Getting started guide"), self.open_guide)
        self._add(help_menu, _("&About makeR Soporte"), self._on_about_requested)

    def backup_now(self) -> None:
        """File → Back up now (administrators): a copy where the user chooses, never over a file."""
        name = f"makersupport-{self._desk.tickets.now().strftime('%Y%m%d-%H%M')}.backup"
        path, _filter = QFileDialog.getSaveFileName(self._window, _("Back up the database"), name)
        if not path:
            return
        self._tasks.run(
            lambda: self._desk.backups.backup_now(self._actor, Path(path)),
            lambda made: self._say(_("Backup written: {path}").format(path=made)),
            self._on_backup_failed,
        )

    def import_file(self, kind: ImportKind = ImportKind.CUSTOMERS) -> ImportDialog:
        """File → Import (coordinators and administrators): the import dialog, over the window."""
        dialog = ImportDialog(self._desk.imports, self._actor, self._window, kind)
        dialog.imported.connect(lambda _report: self._host.refresh())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def import_saved_mail(self, paths: list[Path] | None = None) -> bool:
        """File → Import saved mail…, or .eml files dropped on the window: each goes through the
        inbound pipeline off the GUI thread, then a summary says where it went. False when there
        was nothing to import."""
        if self.mail_import is None:
            return False
        if paths is None:
            names, _filter = QFileDialog.getOpenFileNames(
                self._window, _("Import saved mail"), "", _("Saved mail (*.eml);;All files (*)")
            )
            paths = [Path(name) for name in names]
        if not paths:
            return False
        if not self.mail_import.import_paths(paths):
            QMessageBox.warning(
                self._window, _("Import saved mail"), _("Only saved mails (.eml files) can be imported here.")
            )
            return False
        return True

    def open_guide(self) -> FirstRunGuide:
        """Help → Getting started guide (administrators): the first-run guide at the step reached."""
        from desktop_app.ui.views.first_run_guide import open_guide  # loads with the guide, not the window

        tz = self._desk.tickets.timezone()
        return open_guide(self._desk, self._actor, self._tasks, self._settings, tz, self._window, self._host.refresh)

    def export(self, kind: ImportKind) -> None:
        """File → Export → a kind: every record of it to a new XLSX or CSV file the person names."""
        name = f"{import_kind_label(kind).lower()}-{self._desk.tickets.now().strftime('%Y%m%d')}.xlsx"
        path, _filter = QFileDialog.getSaveFileName(self._window, _("Export"), name, _("Excel (*.xlsx);;CSV (*.csv)"))
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() not in (".xlsx", ".csv"):
            target = target.with_suffix(".xlsx")
        file_format = target.suffix.lower()[1:]

        def work() -> int:
            data, count = self._desk.imports.export(kind, file_format)
            write_file(target, data, replace=True)  # the save dialog asked before replacing
            return count

        self._tasks.run(
            work,
            lambda count: self._say(
                ngettext("{n} record written to {path}", "{n} records written to {path}", count).format(
                    n=count, path=target
                )
            ),
            self._on_backup_failed,
        )

    def _build_file_menu(self, menu: QMenu) -> None:
        host = self._host
        if may(self._actor, Permission.CREATE_TICKET):
            self._add(menu, _("&New ticket…"), host.new_ticket, QKeySequence.StandardKey.New, "ticket")
        self._add(menu, _("&Scan a machine label…"), host.scan_label, QKeySequence("Ctrl+Shift+Q"))
        menu.addSeparator()
        self._add(menu, _("&Refresh"), host.refresh, QKeySequence.StandardKey.Refresh, "refresh")
        self._add(menu, _("Database &connection…"), self._on_connection_requested)
        if may(self._actor, Permission.MANAGE_USERS):
            self._add(menu, _("&Users…"), self._on_users_requested)
        if may(self._actor, Permission.BACKUP):
            self._add(menu, _("&Back up now…"), self.backup_now)
        if may(self._actor, Permission.IMPORT_DATA):
            menu.addSeparator()
            self.import_action = self._add(menu, _("&Import from a spreadsheet…"), self.import_file)
            export_menu = menu.addMenu(_("E&xport"))
            for kind in ImportKind:
                self._add(export_menu, _("{kind}…").format(kind=import_kind_label(kind)), lambda k=kind: self.export(k))
        if (
            self._field_preparation is not None
            and self._desk.field is None
            and may(self._actor, Permission.WORK_TICKET)
        ):
            menu.addSeparator()
            self.prepare_field_action = self._add(menu, _("&Prepare for field work…"), host.prepare_field_copy)
        if self.mail_import is not None:
            menu.addSeparator()
            self.mail_import_action = self._add(
                menu, _("Import saved &mail…"), lambda: self.import_saved_mail(), icon="mail"
            )
        menu.addSeparator()
        self._add(menu, _("&Quit"), self._window.close, QKeySequence("Ctrl+Q"))

    def _build_field_menu(self, menu: QMenu) -> None:
        host = self._host
        self.sync_field_action = self._add(menu, _("&Sync now"), host.sync_field, QKeySequence("F9"), "refresh")
        self.field_conflicts_action = self._add(menu, _("Field &conflicts…"), host.show_field_conflicts)
        menu.addSeparator()
        self.export_field_action = self._add(menu, _("&Export pending changes…"), host.export_field_changes)

    def _build_view_menu(self, menu: QMenu, specs: Sequence[PageSpec]) -> None:
        for spec in specs:
            if spec.allowed_for(self._actor):
                self.page_actions[spec.key] = self._add(
                    menu, spec.label, lambda p=spec.key: self._host.show_page(p), spec.shortcut
                )
        self._add(menu, _("&Search the queue"), self._host.search_queue, QKeySequence.StandardKey.Find)
        menu.addSeparator()
        language_menu = menu.addMenu(_("&Language"))
        group = QActionGroup(self)
        for code, name in LANGUAGES:
            action = self._add(language_menu, name, lambda c=code: self._on_language_chosen(c))
            action.setCheckable(True)
            action.setChecked(current_language() == code)
            group.addAction(action)

    def _add(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | None = None,
        icon: str | None = None,
    ) -> QAction:
        action = QAction(text, self._window)
        if icon is not None:
            action.setIcon(theme.icon(icon))
        if shortcut is not None:
            action.setShortcut(shortcut)
        # triggered(bool) passes `checked`; the slot takes nothing (convention 20).
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _on_connection_requested(self) -> None:
        ConnectionDialog(self._desk.connection_check, self._window).exec()

    def _on_users_requested(self) -> None:
        UsersDialog(self._desk.users, self._actor, self._window).exec()

    def _on_backup_failed(self, error: UserFacingError) -> None:
        QMessageBox.warning(self._window, _("makeR Soporte"), error.message)

    def _on_language_chosen(self, code: str) -> None:
        self._settings.setValue("language", code)
        QMessageBox.information(
            self._window,
            _("Language"),
            _("The language will change the next time makeR Soporte starts."),
        )

    def _on_about_requested(self) -> None:
        QMessageBox.about(
            self._window,
            _("About makeR Soporte"),
            _("makeR Soporte {version}\nSupport desk of 3D makeR Technologies SAS.\nsoporte@somosmaker.com").format(
                version=__version__
            ),
        )
