"""The main window: navigation on the left, the working area on the right, the status bar below."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app import __version__
from desktop_app.devices.scanning import Scanner, default_scanner
from desktop_app.domain.ids import MachineId
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _, current_language
from desktop_app.services.desk import Desk
from desktop_app.services.jobs import JobOutcome, JobStatus, round_summary
from desktop_app.ui import theme
from desktop_app.ui.models.queue_model import QueueColumn
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.audit_view import AuditView
from desktop_app.ui.views.breach_notifier import BreachNotifier
from desktop_app.ui.views.connection_dialog import ConnectionDialog
from desktop_app.ui.views.contract_view import ContractView
from desktop_app.ui.views.intake_dialog import IntakeDialog
from desktop_app.ui.views.machine_view import MachineView
from desktop_app.ui.views.policy_view import PolicyView
from desktop_app.ui.views.queue_view import QueueView
from desktop_app.ui.views.scan_dialog import ScanDialog
from desktop_app.ui.views.ticket_actions import TicketActions
from desktop_app.ui.views.ticket_detail_view import TicketDetailView
from desktop_app.ui.views.ticket_editor import TicketEditor
from desktop_app.ui.views.users_dialog import UsersDialog
from desktop_app.wording import role_label

log = logging.getLogger(__name__)

COUNTS_REFRESH_MS = 60_000
JOBS_ROUND_MS = 60_000  # how often the window looks for due periodic jobs
CHANGES_POLL_MS = 10_000
ATTENTION_CHECK_MS = 60_000
BUSY_INDICATOR_DELAY_MS = 400
COMPACT_NAVIGATION_BELOW = 1500  # px of window width
_GEOMETRY_KEY = "window/geometry"
_SPLITTER_KEY = "window/queue_splitter"
# A saved header only fits the columns it was saved with: a new column starts a new key.
_HEADER_KEY = f"window/queue_header_{len(QueueColumn)}"


class Page:
    QUEUE = 0
    TICKET = 1
    MACHINES = 2
    CONTRACTS = 3
    SETTINGS = 4
    AUDIT = 5


def _page(title: str, body: QWidget, header: QWidget | None = None) -> QWidget:
    """A working-area page: the title (with optional tools to its right) above the body."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(16, 12, 16, 8)
    layout.setSpacing(8)
    title_row = QHBoxLayout()
    title_row.addWidget(QLabel(title, objectName="pageTitle"))
    title_row.addStretch(1)
    if header is not None:
        title_row.addWidget(header, 2)
    layout.addLayout(title_row)
    layout.addWidget(body, 1)
    return page


class MainWindow(QMainWindow):
    """Args:
    desk: the services the views use, and what the status bar says about the database.
    settings: where the window layout and the language choice are remembered.
    actor: who signed in; what they are not allowed to do is not offered.
    """

    def __init__(
        self,
        desk: Desk,
        settings: QSettings,
        actor: Actor,
        tasks: TaskRunner | None = None,
        scanner: Scanner | None = None,
    ) -> None:
        super().__init__()
        self._scanner = scanner
        self._desk = desk
        self._actor = actor
        tickets, contracts, policy = desk.tickets, desk.contracts, desk.policy
        database_label, is_local_file = desk.database_label, desk.database_is_local_file
        self._tickets = tickets
        self._settings = settings
        self._tasks = tasks or TaskRunner(self)
        self._change_marker: int | None = None
        self.setWindowTitle(_("makeR Soporte"))
        self.setWindowIcon(theme.app_icon())
        self.setMinimumSize(QSize(1024, 640))

        self.queue_view = QueueView(tickets, actor.user_id)
        if allows(actor, Permission.CREATE_TICKET):
            new_ticket_button = QPushButton(theme.icon("ticket"), _("New ticket"), objectName="primary")
            new_ticket_button.setToolTip(_("New ticket (Ctrl+N)"))
            new_ticket_button.clicked.connect(lambda _checked=False: self.new_ticket())  # not checked as machine_id
            self.queue_view.header_widget.layout().addWidget(new_ticket_button)
        self.preview = TicketDetailView(tickets)
        self.queue_splitter = QSplitter(Qt.Orientation.Vertical)
        self.queue_splitter.addWidget(self.queue_view)
        self.queue_splitter.addWidget(self.preview)
        self.queue_splitter.setStretchFactor(0, 3)
        self.queue_splitter.setStretchFactor(1, 2)
        self.queue_splitter.setChildrenCollapsible(False)
        self.editor = TicketEditor(tickets, desk.audit, self._tasks, actor)
        self.actions = TicketActions(tickets, self._tasks, actor, policy.policy)
        self.actions.ticket_changed.connect(self._on_ticket_saved)
        self.ticket_view = TicketDetailView(
            tickets, self.editor, lambda ticket_id: desk.audit.history_of(actor, "ticket", ticket_id), self.actions
        )
        self.editor.ticket_saved.connect(self._on_ticket_saved)
        self.machine_view = MachineView(
            desk.machines, contracts, self._tasks, actor, lambda: tickets.now().astimezone(tickets.timezone()).date()
        )
        self.machine_view.ticket_open_requested.connect(self.open_ticket)
        self.machine_view.new_ticket_requested.connect(lambda machine_id: self.new_ticket(MachineId(machine_id)))
        self.machine_view.scan_requested.connect(self.scan_label)
        self.machine_view.message.connect(lambda text: self.statusBar().showMessage(text, 15_000))
        self.contract_view = ContractView(contracts, desk.certificates, self._tasks, actor, desk.billing)
        self.contract_view.message.connect(lambda text: self.statusBar().showMessage(text, 15_000))
        self.policy_view = PolicyView(policy, actor)
        self.policy_view.policy_saved.connect(self._on_policy_saved)

        self.pages = QStackedWidget()
        self.pages.addWidget(_page(_("Ticket queue"), self.queue_splitter, self.queue_view.header_widget))
        self.pages.addWidget(_page(_("Ticket"), self.ticket_view))
        self.pages.addWidget(_page(_("Machines"), self.machine_view, self.machine_view.header_widget))
        self.pages.addWidget(_page(_("Contracts and plans"), self.contract_view))
        self.pages.addWidget(_page(_("Support policy settings"), self.policy_view))
        self.audit_view = AuditView(desk.audit, actor, tickets.timezone())
        self.pages.addWidget(_page(_("Audit log"), self.audit_view))

        self.navigation = QListWidget(objectName="navigation")
        self.navigation.setIconSize(QSize(20, 20))
        self.navigation.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for icon_name, text, shortcut in (
            ("queue", _("Queue"), "Ctrl+1"),
            ("ticket", _("Ticket"), "Ctrl+2"),
            ("printer", _("Machines"), "Ctrl+3"),
            ("contract", _("Contracts and plans"), "Ctrl+4"),
            ("settings", _("Settings"), "Ctrl+5"),
            ("audit", _("Audit"), "Ctrl+6"),
        ):
            item = QListWidgetItem(theme.icon(icon_name), text)
            item.setToolTip(f"{text} ({shortcut})")
            item.setData(Qt.ItemDataRole.UserRole, text)
            item.setSizeHint(QSize(0, 36))
            self.navigation.addItem(item)
        self.navigation.currentRowChanged.connect(self.pages.setCurrentIndex)
        # The service refuses policy edits to anyone else; the page is not offered either.
        self.navigation.item(Page.SETTINGS).setHidden(not allows(actor, Permission.EDIT_POLICY))
        self.navigation.item(Page.AUDIT).setHidden(not allows(actor, Permission.VIEW_AUDIT))
        self._navigation_compact: bool | None = None
        self._set_navigation_compact(False)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.database_status = QLabel()
        self.database_status.setText(
            _("Local database: {path}").format(path=database_label)
            if is_local_file
            else _("Team server: {url}").format(url=database_label)
        )
        self.database_status.setToolTip(database_label)
        self.counts_status = QLabel()
        self.user_status = QLabel(_("{name} · {role}").format(name=actor.name, role=role_label(actor.role)))
        self.statusBar().addWidget(self.user_status)
        self.statusBar().addWidget(self.database_status, 1)
        # Long work runs off the GUI thread; this says so, after a moment, so quick saves do not flicker.
        self.busy_indicator = QProgressBar(maximumWidth=120, maximumHeight=14, textVisible=False)
        self.busy_indicator.setRange(0, 0)
        self.busy_indicator.hide()
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_INDICATOR_DELAY_MS)
        self._busy_timer.timeout.connect(self.busy_indicator.show)
        self._tasks.busy_changed.connect(self._on_busy_changed)
        self.breach_notifier = BreachNotifier()
        self.breach_notifier.ticket_open_requested.connect(self.open_ticket)
        self.breach_notifier.announced.connect(lambda message: self.statusBar().showMessage(message, 30_000))
        self.statusBar().addPermanentWidget(self.busy_indicator)
        self.statusBar().addPermanentWidget(self.breach_notifier)
        self.statusBar().addPermanentWidget(self.counts_status)

        self._build_menus()
        self.queue_view.ticket_selected.connect(self.preview.show_ticket)
        self.queue_view.ticket_open_requested.connect(self.open_ticket)
        self.queue_view.filter_changed.connect(self._on_filter_changed)
        self._counts_timer = QTimer(self, interval=COUNTS_REFRESH_MS)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._counts_timer.start()
        # The periodic jobs (R11's escalation round, the daily backup of the embedded database):
        # the same JobRunner as `makersupport worker`, off the GUI thread; each job's lock keeps
        # it running in one place at a time however many windows and workers are up.
        self._jobs_timer = QTimer(self, interval=JOBS_ROUND_MS)
        self._jobs_timer.timeout.connect(self.run_jobs)
        self._jobs_timer.start()
        QTimer.singleShot(0, self.run_jobs)
        # What others change shows up within seconds (polling the audit log's last entry).
        self._refresh_timer = QTimer(self, interval=CHANGES_POLL_MS)
        self._refresh_timer.timeout.connect(self.poll_changes)
        self._refresh_timer.start()

        # Warn me before my tickets breach (checked with the counts, off the GUI thread).
        self._attention_timer = QTimer(self, interval=ATTENTION_CHECK_MS)
        self._attention_timer.timeout.connect(self.check_attention)
        self._attention_timer.start()
        QTimer.singleShot(0, self.check_attention)

        self.navigation.setCurrentRow(Page.QUEUE)
        self.refresh_counts()
        self._restore_layout()

    # -- own API ---------------------------------------------------------------------------------

    def open_ticket(self, ticket_id: int) -> None:
        self.ticket_view.show_ticket(ticket_id)
        self.navigation.setCurrentRow(Page.TICKET)

    def new_ticket(self, machine_id: MachineId | None = None) -> IntakeDialog | None:
        """Ctrl+N: the intake dialog; the new ticket opens when it is saved."""
        if not allows(self._actor, Permission.CREATE_TICKET):
            return None
        if machine_id is None and self.pages.currentIndex() == Page.MACHINES and self.machine_view.page:
            machine_id = self.machine_view.page.detail.id  # Ctrl+N on a machine's page starts from it
        dialog = IntakeDialog(self._tickets, self._desk.machines, self._tasks, self._actor, machine_id, self)
        dialog.ticket_created.connect(self._on_ticket_created)
        dialog.open()
        return dialog

    def scan_label(self) -> ScanDialog:
        """Ctrl+Shift+Q: the webcam (or a photo) finds the machine, whose page opens (R2), or
        verifies a certificate (R15)."""
        if self._scanner is None:
            self._scanner = default_scanner()
        dialog = ScanDialog(self._scanner, self._desk.machines, self._desk.certificates, self)
        dialog.machine_found.connect(self.open_machine)
        dialog.open()
        return dialog

    def open_machine(self, machine_id: int) -> None:
        self.machine_view.show_machine(machine_id)
        self.navigation.setCurrentRow(Page.MACHINES)

    def _on_ticket_created(self, ticket_id: int) -> None:
        self._on_ticket_saved(ticket_id)
        self.open_ticket(ticket_id)
        number = self.ticket_view.detail.number if self.ticket_view.detail else ""
        self.statusBar().showMessage(_("Ticket {number} created.").format(number=number), 10_000)

    def check_attention(self) -> None:
        if self._actor.user_id is None:
            return
        user_id = self._actor.user_id
        self._tasks.run(
            lambda: self._tickets.needing_attention(user_id),
            self.breach_notifier.update_rows,
            self._on_background_failed,
        )

    def _on_busy_changed(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy_indicator.hide()

    def show_page(self, page: int) -> None:
        self.navigation.setCurrentRow(page)

    def refresh(self) -> None:
        """F5: read everything again from the database."""
        self.queue_view.reload()
        self.contract_view.reload()
        self.machine_view.reload()
        if self.machine_view.page is not None:
            self.machine_view.show_machine(int(self.machine_view.page.detail.id))
        if self.ticket_view.detail is not None:
            self.ticket_view.show_ticket(self.ticket_view.detail.id)
        self.refresh_counts()

    def poll_changes(self) -> None:
        self._tasks.run(self._tickets.change_marker, self._on_change_marker, self._on_background_failed)

    def _on_change_marker(self, marker: int) -> None:
        previous, self._change_marker = self._change_marker, marker
        if previous is None or marker == previous:
            return
        self.queue_view.reload()
        self.refresh_counts()
        if self.preview.detail is not None:
            self.preview.show_ticket(self.preview.detail.id)
        shown = self.ticket_view.detail
        if shown is not None:
            if self.editor.is_dirty():
                # Never under someone's typing: the save will compare versions and offer to merge.
                self.statusBar().showMessage(
                    _("Someone else changed tickets; yours will be checked when you save."), 10_000
                )
            else:
                self.ticket_view.show_ticket(shown.id)

    def _on_ticket_saved(self, ticket_id: int) -> None:
        self.statusBar().showMessage(_("Ticket saved."), 5_000)
        self.queue_view.reload()
        self.refresh_counts()

    def backup_now(self) -> None:
        """File → Back up now (administrators): a copy where the user chooses, never over a file."""
        name = f"makersupport-{self._tickets.now().strftime('%Y%m%d-%H%M')}.backup"
        path, _filter = QFileDialog.getSaveFileName(self, _("Back up the database"), name)
        if not path:
            return
        self._tasks.run(
            lambda: self._desk.backups.backup_now(self._actor, Path(path)),
            lambda made: self.statusBar().showMessage(_("Backup written: {path}").format(path=made), 15_000),
            self._on_task_failed,
        )

    # -- periodic jobs (services/jobs.py) ------------------------------------------------------

    def run_jobs(self) -> None:
        """One round of the due periodic jobs, off the GUI thread."""
        self._tasks.run(self._desk.jobs.run_due, self._on_jobs_ran, self._on_background_failed)

    def _on_jobs_ran(self, outcomes: list[JobOutcome]) -> None:
        for failed in (o for o in outcomes if o.status is JobStatus.FAILED):
            self.statusBar().showMessage(failed.summary, 15_000)  # already logged by the runner
        summary = round_summary(outcomes)
        if not summary:
            return
        self.statusBar().showMessage(summary, 15_000)
        self.queue_view.reload()  # escalation levels changed
        self.refresh_counts()

    # -- end of periodic jobs --------------------------------------------------------------------

    def _on_policy_saved(self, version: int) -> None:
        self.statusBar().showMessage(_("Policy version {version} is in force.").format(version=version), 15_000)
        self.queue_view.reload()  # plan ranks and response times may have changed
        self.refresh_counts()

    def _on_task_failed(self, error: UserFacingError) -> None:
        QMessageBox.warning(self, _("makeR Soporte"), error.message)

    def _on_background_failed(self, error: UserFacingError) -> None:
        """Work nobody asked for (polling, escalation rounds, automatic backups) never pops a
        dialog: it says so in the status bar and tries again on its next turn."""
        log.warning("background task failed: %s", error.message)
        self.statusBar().showMessage(error.message, 15_000)

    def refresh_counts(self) -> None:
        counts = self._tickets.counts()
        self.counts_status.setText(
            _("Open: {open} · Waiting: {waiting} · Overdue: {breached}").format(
                open=counts.open, waiting=counts.waiting, breached=counts.breached
            )
        )

    # -- internals -------------------------------------------------------------------------------

    def _set_navigation_compact(self, compact: bool) -> None:
        """Icons only on a laptop screen, so the queue keeps its columns; labels stay in tooltips.
        Otherwise wide enough for the longest label in the language in force, never clipped."""
        if compact == self._navigation_compact:
            return
        self._navigation_compact = compact
        nav = self.navigation
        for i in range(nav.count()):
            item = nav.item(i)
            item.setText("" if compact else item.data(Qt.ItemDataRole.UserRole))
        if compact:
            nav.setFixedWidth(nav.iconSize().width() + 44)
            return
        metrics = nav.fontMetrics()
        longest = max(metrics.horizontalAdvance(nav.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(nav.count()))
        nav.setFixedWidth(longest + nav.iconSize().width() + 50)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(_("&File"))
        if allows(self._actor, Permission.CREATE_TICKET):
            new_ticket = QAction(theme.icon("ticket"), _("&New ticket…"), self, shortcut=QKeySequence.StandardKey.New)
            new_ticket.triggered.connect(lambda _checked=False: self.new_ticket())
            file_menu.addAction(new_ticket)
        scan = QAction(_("&Scan a machine label…"), self, shortcut=QKeySequence("Ctrl+Shift+Q"))
        scan.triggered.connect(self.scan_label)
        file_menu.addAction(scan)
        file_menu.addSeparator()
        refresh = QAction(theme.icon("refresh"), _("&Refresh"), self, shortcut=QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        file_menu.addAction(refresh)
        connection = QAction(_("Database &connection…"), self)
        connection.triggered.connect(self._on_connection_requested)
        file_menu.addAction(connection)
        if allows(self._actor, Permission.MANAGE_USERS):
            users = QAction(_("&Users…"), self)
            users.triggered.connect(lambda: UsersDialog(self._desk.users, self._actor, self).exec())
            file_menu.addAction(users)
        if allows(self._actor, Permission.BACKUP):
            backup = QAction(_("&Back up now…"), self)
            backup.triggered.connect(self.backup_now)
            file_menu.addAction(backup)
        file_menu.addSeparator()
        quit_action = QAction(_("&Quit"), self, shortcut=QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu(_("&View"))
        for page, text, key in (
            (Page.QUEUE, _("Queue"), "Ctrl+1"),
            (Page.TICKET, _("Ticket"), "Ctrl+2"),
            (Page.MACHINES, _("Machines"), "Ctrl+3"),
            (Page.CONTRACTS, _("Contracts and plans"), "Ctrl+4"),
            (Page.SETTINGS, _("Settings"), "Ctrl+5"),
            (Page.AUDIT, _("Audit"), "Ctrl+6"),
        ):
            action = QAction(text, self, shortcut=QKeySequence(key))
            action.triggered.connect(lambda _checked=False, p=page: self.show_page(p))
            view_menu.addAction(action)
        search = QAction(_("&Search the queue"), self, shortcut=QKeySequence.StandardKey.Find)
        search.triggered.connect(self._on_search_requested)
        view_menu.addAction(search)
        view_menu.addSeparator()
        language_menu = view_menu.addMenu(_("&Language"))
        group = QActionGroup(self)
        for code, name in (("es_CO", "Español (Colombia)"), ("en", "English")):
            action = QAction(name, self, checkable=True)
            action.setChecked(current_language() == code)
            action.triggered.connect(lambda _checked=False, c=code: self._on_language_chosen(c))
            group.addAction(action)
            language_menu.addAction(action)

        help_menu = self.menuBar().addMenu(_("&Help"))
        about = QAction(_("&About makeR Soporte"), self)
        about.triggered.connect(self._on_about_requested)
        help_menu.addAction(about)

    def _on_connection_requested(self) -> None:
        ConnectionDialog(self._desk.connection_check, self).exec()

    def _on_search_requested(self) -> None:
        self.show_page(Page.QUEUE)
        self.queue_view.focus_search()

    def _on_filter_changed(self) -> None:
        if self.queue_view.selected_ticket_id() is None:
            self.preview.clear()

    def _on_language_chosen(self, code: str) -> None:
        self._settings.setValue("language", code)
        QMessageBox.information(
            self,
            _("Language"),
            _("The language will change the next time makeR Soporte starts."),
        )

    def _on_about_requested(self) -> None:
        QMessageBox.about(
            self,
            _("About makeR Soporte"),
            _("makeR Soporte {version}\nSupport desk of 3D makeR Technologies SAS.\nsoporte@somosmaker.com").format(
                version=__version__
            ),
        )

    def _restore_layout(self) -> None:
        """The last session's window, splitter and columns; a sensible first-run layout otherwise."""
        geometry = self._settings.value(_GEOMETRY_KEY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            available = self.screen().availableGeometry()
            if available.width() <= 1366 or available.height() <= 800:
                # A technician's laptop: use the whole screen.
                self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
            self.resize(min(1600, available.width()), min(900, available.height()))
        splitter_state = self._settings.value(_SPLITTER_KEY)
        if isinstance(splitter_state, QByteArray):
            self.queue_splitter.restoreState(splitter_state)
        else:
            self.queue_splitter.setSizes([600, 400])
        header_state = self._settings.value(_HEADER_KEY)
        if isinstance(header_state, QByteArray):
            self.queue_view.table.horizontalHeader().restoreState(header_state)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._set_navigation_compact(event.size().width() < COMPACT_NAVIGATION_BELOW)
        super().resizeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._jobs_timer.stop()
        self._refresh_timer.stop()
        self._attention_timer.stop()
        self._tasks.wait()
        self._settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
        self._settings.setValue(_SPLITTER_KEY, self.queue_splitter.saveState())
        self._settings.setValue(_HEADER_KEY, self.queue_view.table.horizontalHeader().saveState())
        self._settings.sync()
        super().closeEvent(event)
