"""The main window: navigation on the left, the working area on the right, the status bar below.

It builds the views and wires them to each other; its frame lives in ui/shell/: the page table
(pages.py), the status bar (status_bar.py), the periodic work (periodic.py) and the menus (menus.py).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QPushButton, QSplitter, QWidget

from desktop_app.domain.ids import MachineId
from desktop_app.domain.importing import ImportKind
from desktop_app.domain.permissions import Actor, Permission
from desktop_app.i18n import _
from desktop_app.services.access import may
from desktop_app.services.desk import Desk
from desktop_app.services.dto import TicketDetail
from desktop_app.ui import theme
from desktop_app.ui.models.queue_model import QueueColumn
from desktop_app.ui.shell.menus import MainMenus
from desktop_app.ui.shell.pages import NavigationRail, Page, PageContent, PageSpec, build_stack
from desktop_app.ui.shell.periodic import PeriodicWork
from desktop_app.ui.shell.status_bar import DeskStatusBar
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.tray import DesktopNotifier
from desktop_app.ui.views.audit_view import AuditView
from desktop_app.ui.views.contract_view import ContractView
from desktop_app.ui.views.customers_view import CustomersView
from desktop_app.ui.views.field_prepare import FieldCopyPreparer, FieldPreparation
from desktop_app.ui.views.intake_dialog import IntakeDialog
from desktop_app.ui.views.machine_view import MachineView
from desktop_app.ui.views.mail_import import is_saved_mail
from desktop_app.ui.views.notices_view import NoticeBell, NoticesView
from desktop_app.ui.views.queue_view import QueueView
from desktop_app.ui.views.reports_view import ReportDocuments, ReportsView
from desktop_app.ui.views.settings_view import SettingsView
from desktop_app.ui.views.ticket_actions import TicketActions
from desktop_app.ui.views.ticket_detail_view import TicketDetailView
from desktop_app.ui.views.ticket_editor import TicketEditor
from desktop_app.ui.views.unclassified_mail_view import UnclassifiedMailView

if TYPE_CHECKING:  # the camera stack (OpenCV, NumPy) loads with the first scan, not with the window
    from desktop_app.devices.scanning import Scanner
    from desktop_app.services.field.sync import SyncReport
    from desktop_app.ui.views.field_conflicts import ConflictsDialog
    from desktop_app.ui.views.field_sync import FieldStatusButton, FieldSync, SyncDialog
    from desktop_app.ui.views.scan_dialog import ScanDialog

__all__ = ["MainWindow", "Page"]

log = logging.getLogger(__name__)

COMPACT_NAVIGATION_BELOW = 1500  # px of window width
_GEOMETRY_KEY = "window/geometry"
_SPLITTER_KEY = "window/queue_splitter"
# A saved header only fits the columns it was saved with: a new column starts a new key.
_HEADER_KEY = f"window/queue_header_{len(QueueColumn)}"


class MainWindow(QMainWindow):
    """Args:
    desk: the services the views use, and what the status bar says about the database.
    settings: where the window layout and the language choice are remembered.
    actor: who signed in; what they are not allowed to do is not offered.
    tasks: the task runner (one is made when not given).
    scanner: the camera and decoder for label scans (the default one on first use when not given).
    report_documents: the report PDFs for the Informes page (no PDF buttons when not given).
    field_preparation: "Prepare for field work" (app.py's; not offered when not given).
    """

    def __init__(
        self,
        desk: Desk,
        settings: QSettings,
        actor: Actor,
        tasks: TaskRunner | None = None,
        scanner: Scanner | None = None,
        report_documents: ReportDocuments | None = None,
        field_preparation: FieldPreparation | None = None,
    ) -> None:
        super().__init__()
        self._scanner = scanner
        self._report_documents = report_documents
        self._desk = desk
        self._actor = actor
        self._tickets = desk.tickets
        self._settings = settings
        self._tasks = tasks or TaskRunner(self)
        self.setWindowTitle(_("makeR Soporte"))
        self.setWindowIcon(theme.app_icon())
        self.setMinimumSize(QSize(1024, 640))

        self.page_table = self._page_table()
        self.pages = build_stack(self.page_table)
        self.navigation = NavigationRail(self.page_table, actor)
        self.navigation.currentRowChanged.connect(self.pages.setCurrentIndex)
        if self.mail_view is None:  # a desk without the mail service: no mail page either
            self.navigation.item(Page.MAIL).setHidden(True)
        if self.reports_view is None:
            self.navigation.item(Page.REPORTS).setHidden(True)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        # One tray icon for the window's desktop notifications (a breach coming, new notices).
        self.desktop_notifier = DesktopNotifier(self)
        self.status_bar = DeskStatusBar(
            actor, desk.database_label, desk.database_is_local_file, desktop=self.desktop_notifier
        )
        self.setStatusBar(self.status_bar)
        self.user_status = self.status_bar.user_status
        self.database_status = self.status_bar.database_status
        self.counts_status = self.status_bar.counts_status
        self.breach_notifier = self.status_bar.breach_notifier
        self.breach_notifier.ticket_open_requested.connect(self.open_ticket)
        self._tasks.busy_changed.connect(self.status_bar.show_busy)

        self._field_preparation = field_preparation
        self.field_preparer: FieldCopyPreparer | None = None
        self.menus = MainMenus(
            self, self, desk, actor, settings, self._tasks, self.page_table, self._say, field_preparation
        )
        self.notice_bell = self._build_notice_bell()

        self.periodic = PeriodicWork(desk, actor, self._tasks, self)
        self.periodic.counts_read.connect(self.status_bar.show_counts)
        self.periodic.others_changed.connect(self._on_others_changed)
        self.periodic.attention_read.connect(self.breach_notifier.update_rows)
        self.periodic.jobs_changed.connect(self._on_jobs_changed)
        self.periodic.job_failed.connect(self._say)
        self.periodic.unread_read.connect(self.notices_view.set_unread_count)
        self.periodic.failed.connect(self._say)  # work nobody asked for never pops a dialog
        self.periodic.start()
        self.field_sync: FieldSync | None = None
        self.field_status: FieldStatusButton | None = None
        self.sync_dialog: SyncDialog | None = None
        if desk.field is not None:
            self._build_field_status()

        self.navigation.currentRowChanged.connect(self._on_page_changed)
        self.navigation.setCurrentRow(Page.QUEUE)
        self.refresh_counts()
        self.notices_view.reload()
        self._restore_layout()
        # Saved mails (.eml) dropped anywhere on the window are imported (issue 14).
        self.setAcceptDrops(self.menus.mail_import is not None)

    # -- the page table --------------------------------------------------------------------------

    def _page_table(self) -> tuple[PageSpec, ...]:
        """Every page, once: the stack, the rail, the View menu and its shortcuts come from here."""
        return (
            PageSpec(Page.QUEUE, "queue", _("Queue"), _("Ticket queue"), None, self._build_queue_page),
            PageSpec(Page.TICKET, "ticket", _("Ticket"), _("Ticket"), None, self._build_ticket_page),
            PageSpec(Page.MACHINES, "printer", _("Machines"), _("Machines"), None, self._build_machines_page),
            PageSpec(
                Page.CONTRACTS,
                "contract",
                _("Contracts and plans"),
                _("Contracts and plans"),
                None,
                self._build_contracts_page,
            ),
            PageSpec(
                Page.SETTINGS,
                "settings",
                _("Settings"),
                _("Settings"),
                Permission.MANAGE_CATALOGUE,  # the catalogue for coordinators; the policy tab for administrators
                self._build_settings_page,
            ),
            PageSpec(Page.AUDIT, "audit", _("Audit"), _("Audit log"), Permission.VIEW_AUDIT, self._build_audit_page),
            PageSpec(Page.NOTICES, "bell", _("Notices"), _("Notices"), None, self._build_notices_page),
            PageSpec(Page.CUSTOMERS, "customers", _("Customers"), _("Customers"), None, self._build_customers_page),
            PageSpec(
                Page.MAIL,
                "mail",
                _("Unclassified mail"),
                _("Unclassified mail"),
                Permission.HANDLE_MAIL,
                self._build_mail_page,
            ),
            # Everyone: coordinators and administrators read every ticket, others their own (the service says which).
            PageSpec(Page.REPORTS, "chart", _("Reports"), _("Reports"), None, self._build_reports_page),
        )

    def _build_queue_page(self) -> PageContent:
        tickets = self._tickets
        self.queue_view = QueueView(tickets, self._actor.user_id, my_levels=tickets.escalation_levels_of(self._actor))
        if may(self._actor, Permission.CREATE_TICKET):
            new_ticket_button = QPushButton(theme.icon("ticket"), _("New ticket"), objectName="primary")
            new_ticket_button.setToolTip(_("New ticket (Ctrl+N)"))
            new_ticket_button.clicked.connect(lambda _checked=False: self.new_ticket())  # not checked as machine_id
            self.queue_view.header_widget.layout().addWidget(new_ticket_button)
        self.preview = TicketDetailView(tickets, mail=self._desk.mail, tasks=self._tasks)
        self.queue_splitter = QSplitter(Qt.Orientation.Vertical)
        self.queue_splitter.addWidget(self.queue_view)
        self.queue_splitter.addWidget(self.preview)
        self.queue_splitter.setStretchFactor(0, 3)
        self.queue_splitter.setStretchFactor(1, 2)
        self.queue_splitter.setChildrenCollapsible(False)
        self.queue_view.ticket_selected.connect(self.preview.show_ticket)
        self.queue_view.ticket_open_requested.connect(self.open_ticket)
        self.queue_view.filter_changed.connect(self._on_filter_changed)
        return PageContent(self.queue_splitter, self.queue_view.header_widget)

    def _build_ticket_page(self) -> PageContent:
        desk, actor, tickets = self._desk, self._actor, self._tickets
        self.editor = TicketEditor(tickets, desk.audit, self._tasks, actor)
        self.editor.ticket_saved.connect(self._on_ticket_saved)
        self.actions = TicketActions(tickets, self._tasks, actor, desk.policy.policy, mail=desk.mail)
        self.actions.ticket_changed.connect(self._on_ticket_saved)
        self.ticket_view = TicketDetailView(
            tickets,
            self.editor,
            lambda ticket_id: desk.audit.history_of(actor, "ticket", ticket_id),
            self.actions,
            mail=desk.mail,
            tasks=self._tasks,
        )
        return PageContent(self.ticket_view)

    def _build_machines_page(self) -> PageContent:
        tickets = self._tickets
        self.machine_view = MachineView(
            self._desk.machines,
            self._desk.contracts,
            self._tasks,
            self._actor,
            lambda: tickets.now().astimezone(tickets.timezone()).date(),
        )
        self.machine_view.ticket_open_requested.connect(self.open_ticket)
        self.machine_view.new_ticket_requested.connect(lambda machine_id: self.new_ticket(MachineId(machine_id)))
        self.machine_view.scan_requested.connect(self.scan_label)
        self.machine_view.message.connect(self._say)
        return PageContent(self.machine_view, self.machine_view.header_widget)

    def _build_contracts_page(self) -> PageContent:
        desk = self._desk
        self.contract_view = ContractView(desk.contracts, desk.certificates, self._tasks, self._actor, desk.billing)
        self.contract_view.message.connect(self._say)
        return PageContent(self.contract_view)

    def _build_settings_page(self) -> PageContent:
        desk = self._desk
        self.settings_view = SettingsView(
            desk.policy,
            desk.catalogue,
            desk.company,
            self._tasks,
            self._actor,
            self._tickets.timezone(),
            mail=desk.mail,
            find_ticket=desk.tickets.find_ticket_id,
        )
        self.policy_view = self.settings_view.policy_view
        if self.policy_view is not None:
            self.policy_view.policy_saved.connect(self._on_policy_saved)
        self.settings_view.catalogue_view.model_saved.connect(self._on_model_saved)
        self.settings_view.company_view.company_saved.connect(
            lambda: self._say(_("Company data saved: certificates and statements print it from now on."))
        )
        return PageContent(self.settings_view)

    def _build_audit_page(self) -> PageContent:
        self.audit_view = AuditView(self._desk.audit, self._actor, self._tickets.timezone())
        self.audit_view.ticket_open_requested.connect(self.open_ticket)
        self.audit_view.machine_open_requested.connect(self.open_machine)
        self.audit_view.contract_open_requested.connect(self.open_contract)
        return PageContent(self.audit_view)

    def _build_notices_page(self) -> PageContent:
        tickets = self._tickets
        self.notices_view = NoticesView(
            self._desk.notifications, self._actor, self._tasks, tickets.now, tickets.timezone()
        )
        self.notices_view.ticket_open_requested.connect(self.open_ticket)
        self.notices_view.message.connect(self._say)
        return PageContent(self.notices_view, self.notices_view.header_widget)

    def _build_customers_page(self) -> PageContent:
        desk, tickets = self._desk, self._tickets
        self.customers_view = CustomersView(
            desk.customers,
            desk.contracts,
            self._tasks,
            self._actor,
            lambda: tickets.now().astimezone(tickets.timezone()).date(),
            tickets.timezone(),
        )
        self.customers_view.ticket_open_requested.connect(self.open_ticket)
        self.customers_view.machine_open_requested.connect(self.open_machine)
        self.customers_view.contract_open_requested.connect(self.open_contract)
        self.customers_view.message.connect(self._say)
        if may(self._actor, Permission.IMPORT_DATA):
            # The spreadsheets an office already has (issue 13): the same dialog as File → Import.
            self.import_customers_button = QPushButton(_("Import…"))
            self.import_customers_button.setToolTip(_("Import customers, contacts, machines or contracts"))
            self.import_customers_button.clicked.connect(
                lambda _checked=False: self.menus.import_file(ImportKind.CUSTOMERS)
            )
            self.customers_view.header_widget.layout().addWidget(self.import_customers_button)
        return PageContent(self.customers_view, self.customers_view.header_widget)

    def _build_mail_page(self) -> PageContent:
        desk, tickets = self._desk, self._tickets
        self.mail_view: UnclassifiedMailView | None = None
        if desk.mail is None or not may(self._actor, Permission.HANDLE_MAIL):
            return PageContent(QWidget())  # never shown: the rail and the View menu leave it out
        self.mail_view = UnclassifiedMailView(
            desk.mail,
            desk.customers,
            desk.contracts.customers,
            tickets.find_ticket_id,
            self._tasks,
            self._actor,
            tickets.timezone(),
        )
        self.mail_view.ticket_open_requested.connect(self.open_ticket)
        self.mail_view.import_requested.connect(lambda: self.menus.import_saved_mail())
        self.mail_view.message.connect(self._on_mail_linked)
        return PageContent(self.mail_view, self.mail_view.header_widget)

    def _build_reports_page(self) -> PageContent:
        desk, tickets = self._desk, self._tickets
        self.reports_view: ReportsView | None = None
        if desk.reports is None:
            return PageContent(QWidget())  # never shown: the rail and the View menu leave it out
        self.reports_view = ReportsView(
            desk.reports,
            tickets,
            desk.contracts.customers,
            self._tasks,
            self._actor,
            lambda: tickets.now().astimezone(tickets.timezone()).date(),
            tickets.timezone(),
            self._report_documents,
        )
        self.reports_view.message.connect(self._say)
        return PageContent(self.reports_view, self.reports_view.header_widget)

    def _build_notice_bell(self) -> NoticeBell:
        """The bell, always in sight: at the right of the menu bar (in a tool bar where the menu
        bar is the system's, as on macOS)."""
        spec = self.page_table[Page.NOTICES]
        bell = NoticeBell(
            spec.shortcut.toString(QKeySequence.SequenceFormat.PortableText), desktop=self.desktop_notifier
        )
        bell.open_requested.connect(lambda: self.show_page(Page.NOTICES))
        bell.announced.connect(self._say)
        self.notices_view.unread_changed.connect(bell.set_count)
        self.notices_view.notices_arrived.connect(bell.announce)
        if self.menuBar().isNativeMenuBar():
            toolbar = self.addToolBar(_("Notices"))
            toolbar.setObjectName("noticesToolBar")
            toolbar.setMovable(False)
            toolbar.addWidget(bell)
        else:
            self.menuBar().setCornerWidget(bell, Qt.Corner.TopRightCorner)
        return bell

    def _build_field_status(self) -> None:
        """On a field copy: the status bar says whether the office is in reach and what waits;
        the office is asked every minute and the copy syncs on its own when it answers."""
        from desktop_app.ui.views.field_sync import FieldStatusButton, FieldSync

        assert self._desk.field is not None
        self.field_sync = FieldSync(self._desk.field, self._tasks, self)
        self.field_status = FieldStatusButton(self.field_sync)
        self.field_status.clicked.connect(lambda _checked=False: self.sync_field())
        self.status_bar.show_field_copy(self.field_status)
        self.field_sync.skew_changed.connect(self.status_bar.show_clock_warning)
        self.field_sync.sync_finished.connect(self._on_field_synced)
        self.field_sync.sync_failed.connect(self._on_field_sync_failed)
        # Every change goes through the task runner: when its work is done, the counts are read again.
        self._tasks.busy_changed.connect(self._on_tasks_busy)
        self.field_sync.start()

    # -- own API ---------------------------------------------------------------------------------

    def prepare_field_copy(self) -> FieldCopyPreparer | None:
        """File → Prepare for field work: the technician's copy written to this computer."""
        if self._field_preparation is None:
            return None
        self.field_preparer = FieldCopyPreparer(self._field_preparation, self._actor, self._tasks, self, self._say)
        self.field_preparer.start()
        return self.field_preparer

    def sync_field(self) -> SyncDialog | None:
        """F9 (Field → Sync now, or a click on the status bar's field item): the sync with its progress."""
        from desktop_app.ui.views.field_sync import SyncDialog

        if self.field_sync is None:
            return None
        if self.sync_dialog is None:
            self.sync_dialog = SyncDialog(self.field_sync, self)
            self.sync_dialog.conflicts_requested.connect(self.show_field_conflicts)
        self.sync_dialog.start()
        self.sync_dialog.show()
        self.sync_dialog.activateWindow()
        return self.sync_dialog

    def show_field_conflicts(self) -> ConflictsDialog | None:
        """Field → Field conflicts: each change the office could not take, and the person's decision."""
        from desktop_app.ui.views.field_conflicts import ConflictsDialog

        field_sync = self.field_sync
        if field_sync is None:
            return None
        people = {int(agent.id): agent.full_name for agent in self._tickets.agents()}
        dialog = ConflictsDialog(
            field_sync.field, self._tasks, self._tickets.timezone(), people, self, sync_now=self.sync_field
        )
        dialog.settled.connect(field_sync.refresh)
        field_sync.sync_finished.connect(dialog.on_synced)  # a sync may bring new ones (or settle them)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def export_field_changes(self) -> None:
        """Field → Export pending changes: the outbox to a JSON file, whatever the office says."""
        from desktop_app.ui.views.field_conflicts import export_outbox

        if self.field_sync is not None:
            export_outbox(self.field_sync.field, self._tasks, self)

    def open_ticket(self, ticket_id: int) -> None:
        self.ticket_view.show_ticket(ticket_id)
        self.show_page(Page.TICKET)

    def new_ticket(self, machine_id: MachineId | None = None) -> IntakeDialog | None:
        """Ctrl+N: the intake dialog; the new ticket opens when it is saved."""
        if not may(self._actor, Permission.CREATE_TICKET):
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
        from desktop_app.devices.scanning import default_scanner
        from desktop_app.ui.views.scan_dialog import ScanDialog

        if self._scanner is None:
            self._scanner = default_scanner()
        dialog = ScanDialog(self._scanner, self._desk.machines, self._desk.certificates, self)
        dialog.machine_found.connect(self.open_machine)
        dialog.open()
        return dialog

    def open_machine(self, machine_id: int) -> None:
        self.machine_view.show_machine(machine_id)
        self.show_page(Page.MACHINES)

    def open_contract(self, contract_id: int) -> None:
        self.contract_view.select_contract(contract_id)
        self.show_page(Page.CONTRACTS)

    def show_page(self, page: int) -> None:
        """Ctrl+1…n: the page, when the person may see it."""
        if not self.navigation.item(page).isHidden():
            self.navigation.setCurrentRow(page)

    def search_queue(self) -> None:
        """Ctrl+F: the queue's search box, from any page."""
        self.show_page(Page.QUEUE)
        self.queue_view.focus_search()

    def refresh(self) -> None:
        """F5: read everything again from the database."""
        self.queue_view.reload()
        self.contract_view.reload()
        self.machine_view.reload()
        self.customers_view.reload()
        if self.mail_view is not None:
            self.mail_view.reload()
        if self.reports_view is not None:
            self.reports_view.reload()
        if self.machine_view.page is not None:
            self.machine_view.show_machine(int(self.machine_view.page.detail.id))
        if self.ticket_view.detail is not None:
            self.ticket_view.show_ticket(self.ticket_view.detail.id)
        self.refresh_counts()

    def refresh_counts(self) -> None:
        """The status bar's counts, now (a small read; the periodic refresh reads off the GUI thread)."""
        self.status_bar.show_counts(self._tickets.counts())

    def check_attention(self) -> None:
        """My tickets about to breach, read again now (otherwise every minute)."""
        self.periodic.check_attention()

    def run_jobs(self) -> None:
        """One round of the due periodic jobs now (otherwise every minute)."""
        self.periodic.run_jobs()

    def poll_changes(self) -> None:
        """Look for other people's changes now (otherwise every few seconds)."""
        self.periodic.poll_changes()

    # -- slots -----------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.statusBar().showMessage(text, 15_000)

    def _on_ticket_created(self, detail: TicketDetail) -> None:
        """The new ticket as intake wrote it: shown as it is, not read again (convention 19)."""
        self._on_ticket_saved(detail)
        self.ticket_view.show_detail(detail)
        self.show_page(Page.TICKET)
        self.statusBar().showMessage(_("Ticket {number} created.").format(number=detail.number), 10_000)

    def _on_ticket_saved(self, detail: TicketDetail) -> None:
        self.statusBar().showMessage(_("Ticket saved."), 5_000)
        self.queue_view.reload()
        self.refresh_counts()
        if self.preview.detail is not None and self.preview.detail.id == detail.id:
            self.preview.show_detail(detail)  # the queue's preview of the same ticket, as written

    def _on_others_changed(self) -> None:
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

    def _on_jobs_changed(self, summary: str) -> None:
        self._say(summary)
        self.queue_view.reload()  # escalation levels changed
        self.refresh_counts()

    def _on_policy_saved(self, version: int) -> None:
        self._say(_("Policy version {version} is in force.").format(version=version))
        self.queue_view.reload()  # plan ranks and response times may have changed
        self.refresh_counts()

    def _on_model_saved(self, code: str) -> None:
        """A model changed (its name, its end of life…): the pages that show models read it again."""
        self._say(_("Model {code} saved.").format(code=code))
        self.machine_view.reload()
        if self.machine_view.page is not None:
            self.machine_view.show_machine(int(self.machine_view.page.detail.id))
        self.contract_view.reload()
        self.queue_view.reload()

    def _on_page_changed(self, page: int) -> None:
        if page == Page.NOTICES:
            self.notices_view.reload()  # what came since the last poll, and the times anew
        elif page == Page.MAIL and self.mail_view is not None:
            self.mail_view.reload()  # the mail job may have brought some since

    def _on_mail_linked(self, said: str) -> None:
        self._say(said)
        self.queue_view.reload()  # a linked mail may have opened a ticket
        self.refresh_counts()

    def _on_tasks_busy(self, busy: bool) -> None:
        if not busy and self.field_sync is not None:
            self.field_sync.refresh()

    def _on_field_synced(self, report: SyncReport) -> None:
        # Short: the field item beside it says what waits, the sync dialog the whole report.
        self._say(_("Synced with the office."))
        self.refresh()  # the office's news are in the copy now

    def _on_field_sync_failed(self, message: str) -> None:
        self._say(_("The sync stopped; nothing was lost."))  # why: the field item's tooltip

    def _on_filter_changed(self) -> None:
        if self.queue_view.selected_ticket_id() is None:
            self.preview.clear()

    # -- layout ----------------------------------------------------------------------------------

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

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Only saved mails (.eml) may be dropped on the window; other files go to their own places
        (a ticket's attachments card, the intake dialog)."""
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
        if paths and all(is_saved_mail(p) for p in paths) and self.menus.mail_import is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if self.menus.import_saved_mail(paths):
            event.acceptProposedAction()
        else:
            event.ignore()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.navigation.set_compact(event.size().width() < COMPACT_NAVIGATION_BELOW)
        super().resizeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.periodic.stop()
        if self.field_sync is not None:
            self.field_sync.stop()
        self._tasks.wait()
        self._settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
        self._settings.setValue(_SPLITTER_KEY, self.queue_splitter.saveState())
        self._settings.setValue(_HEADER_KEY, self.queue_view.table.horizontalHeader().saveState())
        self._settings.sync()
        super().closeEvent(event)
