"""The first-run guide (issue 13): after the first administrator signs in on a new installation,
four short steps to day one — the company data, the certificate signing key, the first customers,
the colleagues' accounts. Each step says whether it is done, as the database says now.

Where the guide stopped is kept with the desk's settings (QSettings), one entry per database:
closing the program half-way brings the guide back at that step at the next start, until it is
finished or skipped; Help → Getting started guide opens it again (once finished or skipped, for
reference: it then stays finished). Decision: QSettings, not the
database, because the guide is help for the person at this desk, not data of the office (nothing
else reads it, and a table of its own would be a migration for one number); the steps' facts, which
are the office's, are read from the database each time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import tzinfo
from typing import Protocol

from PySide6.QtCore import QSettings, QSize, Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.importing import ImportKind
from desktop_app.domain.permissions import Actor, Permission
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _, ngettext
from desktop_app.services.access import may
from desktop_app.services.company import SigningKeyInfo
from desktop_app.services.desk import Desk
from desktop_app.services.first_run import FirstRunProgress
from desktop_app.ui import theme
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.company_view import CompanyView
from desktop_app.ui.views.customer_dialogs import NewCustomerDialog
from desktop_app.ui.views.import_dialog import ImportDialog
from desktop_app.ui.views.users_dialog import UsersDialog

STEP_COUNT = 4
FINISHED = "finished"
SKIPPED = "skipped"


class GuideProgress:
    """Where the guide stopped for one database, in the desk's settings: "step:N" (0-based),
    "finished" or "skipped"; nothing while the guide never started."""

    def __init__(self, settings: QSettings, database_label: str) -> None:
        self._settings = settings
        digest = hashlib.sha256(database_label.encode("utf-8")).hexdigest()[:16]
        self._key = f"first_run_guide/{digest}"

    def value(self) -> str:
        return str(self._settings.value(self._key, "") or "")

    @property
    def in_progress(self) -> bool:
        return self.value().startswith("step:")

    @property
    def step(self) -> int:
        """The step reached (the first one when the guide is not in progress)."""
        state = self.value()
        if not state.startswith("step:"):
            return 0
        try:
            return min(max(int(state[5:]), 0), STEP_COUNT - 1)
        except ValueError:
            return 0

    def set_step(self, step: int) -> None:
        self._write(f"step:{step}")

    def finish(self) -> None:
        self._write(FINISHED)

    def skip(self) -> None:
        self._write(SKIPPED)

    def _write(self, value: str) -> None:
        self._settings.setValue(self._key, value)
        self._settings.sync()  # a crash or a power cut right after still resumes at this step


def guide_is_due(desk: Desk, actor: Actor, progress: GuideProgress, *, first_admin_created: bool) -> bool:
    """Whether the guide opens by itself after sign-in: for an administrator, when it was left half-way
    on this database, or right after the first administrator was created on a database without
    customers (a new installation; the demo data and an office already at work never see it)."""
    if desk.first_run is None or not may(actor, Permission.MANAGE_USERS):
        return False
    if progress.in_progress:
        return True
    return first_admin_created and not progress.value() and desk.first_run.has_no_customers()


class FirstRunGuide(QDialog):
    """The guide's window, over the main window and not modal, so the person can look around.

    Signals:
        data_changed(): customers or users were added, or the company data saved (pages reload).
    """

    data_changed = Signal()

    def __init__(
        self,
        desk: Desk,
        actor: Actor,
        tasks: TaskRunner,
        progress: GuideProgress,
        tz: tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        assert desk.first_run is not None
        self._desk, self._actor, self._tasks, self._progress = desk, actor, tasks, progress
        self._first_run = desk.first_run
        # Opened again from Help after it was finished or skipped: shown for reference, and it
        # stays finished (it does not come back at every sign-in) unless skipped or finished anew.
        self._remembers_steps = progress.value() not in (FINISHED, SKIPPED)
        self.facts: FirstRunProgress | None = None
        self.setWindowTitle(_("Getting started guide"))
        self.setWindowIcon(theme.app_icon())

        self.steps = QListWidget(objectName="navigation")
        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.step_names = (
            _("Company data"),
            _("Signing key"),
            _("First customers"),
            _("Colleagues' accounts"),
        )
        self.steps.setIconSize(QSize(20, 20))
        for _name in self.step_names:
            item = QListWidgetItem()
            item.setSizeHint(QSize(0, 52))  # two lines: the step and whether it is done
            self.steps.addItem(item)
        self.steps.setFixedWidth(250)
        self.pages = QStackedWidget()
        self.company_view = CompanyView(desk.company, tasks, actor, tz)
        self.company_view.company_saved.connect(self._on_company_saved)
        # The guide is narrower than Settings: long card titles wrap instead of being cut at 150 %.
        for title in self.company_view.findChildren(QLabel, "cardTitle"):
            title.setWordWrap(True)
        self.pages.addWidget(
            self._page(
                _(
                    "Certificates and statements print these data: the legal name and the NIT with its check "
                    "digit, as on the RUT, the address and the support e-mail. Type them and save."
                ),
                self.company_view,
            )
        )
        self.pages.addWidget(self._key_page())
        self.pages.addWidget(self._customers_page())
        self.pages.addWidget(self._users_page())

        self.skip_button = QPushButton(_("Skip the guide"))
        self.skip_button.setToolTip(_("Do not show the guide again (Help → Getting started guide opens it)"))
        self.later_button = QPushButton(_("Continue later"))
        self.later_button.setToolTip(_("Close; the guide comes back at this step the next time you sign in"))
        self.back_button = QPushButton(_("Back"))
        self.next_button = QPushButton(_("Next step"), objectName="primary")
        self.finish_button = QPushButton(_("Finish"), objectName="primary")
        self.skip_button.clicked.connect(lambda _checked=False: self.skip())
        self.later_button.clicked.connect(lambda _checked=False: self.close())
        self.back_button.clicked.connect(lambda _checked=False: self.go_to(self.current_step - 1))
        self.next_button.clicked.connect(lambda _checked=False: self.go_to(self.current_step + 1))
        self.finish_button.clicked.connect(lambda _checked=False: self.finish())
        buttons = QHBoxLayout()
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.later_button)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.finish_button)

        self.heading = QLabel(objectName="pageTitle")
        self.step_state = QLabel(wordWrap=True)
        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addWidget(self.step_state)
        right.addWidget(self.pages, 1)
        body = QHBoxLayout()
        body.addWidget(self.steps)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)
        self.steps.currentRowChanged.connect(self._on_step_chosen)
        # 1040×660 fits a 1366×768 laptop with its task bar; at 125 % or 150 % scaling the screen is
        # smaller in these units, so the guide takes at most 90 % of it (the company form scrolls).
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
        width = 1040 if room is None else min(1040, int(room.width() * 0.9))
        height = 660 if room is None else min(660, int(room.height() * 0.9))
        self.resize(width, height)
        self.refresh()
        self.go_to(progress.step)

    # -- own API ---------------------------------------------------------------------------------

    @property
    def current_step(self) -> int:
        return self.pages.currentIndex()

    def go_to(self, step: int) -> None:
        """Show a step and remember it: closing the program now brings the guide back here."""
        step = min(max(step, 0), STEP_COUNT - 1)
        if self._remembers_steps:
            self._progress.set_step(step)
        self.pages.setCurrentIndex(step)
        if self.steps.currentRow() != step:
            self.steps.blockSignals(True)
            self.steps.setCurrentRow(step)
            self.steps.blockSignals(False)
        self.heading.setText(
            _("Step {n} of {total}: {name}").format(n=step + 1, total=STEP_COUNT, name=self.step_names[step])
        )
        self.back_button.setEnabled(step > 0)
        last = step == STEP_COUNT - 1
        self.next_button.setVisible(not last)
        self.finish_button.setVisible(last)
        self._show_states()

    def refresh(self) -> None:
        """Read what is done again (a small read: on the GUI thread)."""
        self.facts = self._first_run.progress(self._actor)
        self._show_states()

    def skip(self) -> None:
        self._progress.skip()
        self.accept()

    def finish(self) -> None:
        self._progress.finish()
        self.accept()

    def create_key(self) -> None:
        actor = self._actor
        self.create_key_button.setEnabled(False)
        self._tasks.run(lambda: self._first_run.create_signing_key(actor), self._on_key_created, self._on_refused)

    def import_customers(self) -> ImportDialog:
        dialog = ImportDialog(self._desk.imports, self._actor, self, ImportKind.CUSTOMERS)
        dialog.imported.connect(lambda _report: self._on_data_changed())
        dialog.finished.connect(lambda _result: self.refresh())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def new_customer(self) -> NewCustomerDialog:
        dialog = NewCustomerDialog(self._desk.customers, self._tasks, self._actor, self)
        dialog.accepted.connect(self._on_data_changed)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def manage_users(self) -> UsersDialog:
        dialog = UsersDialog(self._desk.users, self._actor, self)
        dialog.finished.connect(lambda _result: self._on_data_changed())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # -- the pages -------------------------------------------------------------------------------

    @staticmethod
    def _page(intro: str, *widgets: QWidget) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        text = QLabel(intro, wordWrap=True)
        layout.addWidget(text)
        for widget in widgets:
            layout.addWidget(widget, 1 if isinstance(widget, CompanyView) else 0)
        if not any(isinstance(widget, CompanyView) for widget in widgets):
            layout.addStretch(1)
        return page

    def _key_page(self) -> QWidget:
        self.create_key_button = QPushButton(_("Create the signing key"), objectName="primary")
        self.create_key_button.clicked.connect(lambda _checked=False: self.create_key())
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.key_id = QLabel("—")
        self.fingerprint = QLabel("—", wordWrap=True)
        for label in (self.key_id, self.fingerprint):
            label.setFont(mono)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_error = QLabel(objectName="error", wordWrap=True)
        self.key_error.hide()
        facts = QWidget()
        form = QFormLayout(facts)
        form.setContentsMargins(0, 8, 0, 0)
        form.addRow(_("Key id (in each certificate's QR)"), self.key_id)
        form.addRow(_("Fingerprint (SHA-256)"), self.fingerprint)
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 8, 0, 0)
        row_layout.addWidget(self.create_key_button)
        row_layout.addStretch(1)
        return self._page(
            _(
                "Every certificate is signed with this office's key, so anyone can check that it came from "
                "here and was not changed. It is created once, on the desk that issues the certificates, "
                "and never replaced. Write down its fingerprint: other desks compare it."
            ),
            row,
            facts,
            self.key_error,
        )

    def _customers_page(self) -> QWidget:
        self.import_button = QPushButton(_("Import customers…"), objectName="primary")
        self.import_button.setToolTip(_("From the CSV or XLSX file you already have (a dry run shows each problem)"))
        self.import_button.clicked.connect(lambda _checked=False: self.import_customers())
        self.new_customer_button = QPushButton(_("New customer…"))
        self.new_customer_button.clicked.connect(lambda _checked=False: self.new_customer())
        self.customers_count = QLabel()
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 8, 0, 0)
        row_layout.addWidget(self.import_button)
        row_layout.addWidget(self.new_customer_button)
        row_layout.addStretch(1)
        return self._page(
            _(
                "Bring the customers from the spreadsheet or the ERP export you already keep, or type them one "
                "by one. Machines, contacts and contracts are imported the same way (File → Import from a "
                "spreadsheet)."
            ),
            row,
            self.customers_count,
        )

    def _users_page(self) -> QWidget:
        self.users_button = QPushButton(_("Users…"), objectName="primary")
        self.users_button.clicked.connect(lambda _checked=False: self.manage_users())
        self.users_count = QLabel()
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 8, 0, 0)
        row_layout.addWidget(self.users_button)
        row_layout.addStretch(1)
        return self._page(
            _(
                "Give each colleague their own account with their role: agents take tickets, technicians "
                "visit, coordinators also edit customers and contracts. Each one signs in with their own "
                "password, so the audit log says who did what."
            ),
            row,
            self.users_count,
        )

    def _show_states(self) -> None:
        facts = self.facts
        if facts is None:
            return
        done = facts.steps_done
        for row, (name, is_done) in enumerate(zip(self.step_names, done, strict=True)):
            item = self.steps.item(row)
            # The text says it too: colour is never the only signal.
            state = _("done") if is_done else _("to do")
            item.setText(f"{row + 1}. {name}\n{state}")
            item.setIcon(theme.icon("status" if is_done else "clock", None if is_done else theme.colors().muted))
        self.step_state.setText(self._state_line(self.current_step, facts))
        self._show_key(facts.key)
        self.customers_count.setText(
            ngettext("{n} customer so far.", "{n} customers so far.", facts.customers).format(n=facts.customers)
        )
        self.users_count.setText(
            ngettext("{n} person can sign in so far.", "{n} people can sign in so far.", facts.users).format(
                n=facts.users
            )
        )

    @staticmethod
    def _state_line(step: int, facts: FirstRunProgress) -> str:
        if step == 0:
            return _("Done: the company data are saved.") if facts.company_saved else _("To do: save the company data.")
        if step == 1:
            return (
                _("Done: this installation can sign certificates.")
                if facts.key_created
                else _("To do: create the signing key.")
            )
        if step == 2:
            return _("Done: there are customers.") if facts.has_customers else _("To do: at least one customer.")
        return (
            _("Done: your colleagues have their accounts.")
            if facts.has_colleagues
            else _("To do: at least one more person besides you.")
        )

    def _show_key(self, key: SigningKeyInfo) -> None:
        self.key_id.setText(key.key_id or "—")
        self.fingerprint.setText(key.fingerprint or "—")
        # Made once and never replaced: the button goes once the key exists, and the page says so.
        self.create_key_button.setVisible(not key.can_issue)
        self.create_key_button.setEnabled(not key.can_issue)

    # -- slots -----------------------------------------------------------------------------------

    def _on_step_chosen(self, row: int) -> None:
        if row >= 0:
            self.go_to(row)

    def _on_company_saved(self) -> None:
        self._on_data_changed()

    def _on_key_created(self, _key: SigningKeyInfo) -> None:
        self.key_error.hide()
        self.refresh()
        self.company_view.load()  # its key card shows the new key too

    def _on_refused(self, error: UserFacingError) -> None:
        self.key_error.setText(error.message)
        self.key_error.show()
        self.refresh()

    def _on_data_changed(self) -> None:
        self.refresh()
        self.data_changed.emit()


def open_guide(
    desk: Desk,
    actor: Actor,
    tasks: TaskRunner,
    settings: QSettings,
    tz: tzinfo,
    parent: QWidget,
    on_data_changed: Callable[[], None],
) -> FirstRunGuide:
    """Open the guide at the step reached (the first one if it was finished or skipped); one guide at
    a time: an open one is brought to the front."""
    for earlier in parent.findChildren(FirstRunGuide):
        if earlier.isVisible():
            earlier.raise_()
            earlier.activateWindow()
            return earlier
        # Closed guides are dropped when the next one opens, not on close: a press on its own
        # Finish or Skip button must not delete the button under the mouse.
        earlier.deleteLater()
    guide = FirstRunGuide(desk, actor, tasks, GuideProgress(settings, desk.database_label), tz, parent)
    guide.data_changed.connect(on_data_changed)
    guide.show()
    return guide


class _GuideOpener(Protocol):
    def open_guide(self) -> FirstRunGuide: ...


def offer_guide(
    menus: _GuideOpener, desk: Desk, actor: Actor, settings: QSettings, *, first_admin_created: bool
) -> FirstRunGuide | None:
    """After sign-in (app.py): open the guide when it is due (see guide_is_due), as Help would."""
    progress = GuideProgress(settings, desk.database_label)
    if not guide_is_due(desk, actor, progress, first_admin_created=first_admin_created):
        return None
    return menus.open_guide()
