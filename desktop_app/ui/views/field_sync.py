"""A field copy in the window (issue 16): the status-bar item that says whether the office is in
reach and what waits to be synced, the periodic check of the office, the automatic sync, and the
sync progress dialog.

Everything slow runs off the GUI thread: the reachability check (up to 5 s when the office does not
answer) on the task runner's reading pool, the sync itself on its database worker (it writes the
field copy). The sync reports its progress from the worker thread; `FieldSync` re-emits it on the
GUI thread through its own slot (convention 7).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.connection import keyring_available
from desktop_app.errors import PasswordRefusedError, SyncStoppedError, UserFacingError
from desktop_app.i18n import _, ngettext
from desktop_app.services.field.sync import FieldStatus, FieldSyncService, SyncProgress, SyncReport
from desktop_app.ui import theme
from desktop_app.ui.tasks import TaskRunner
from desktop_app.wording.field import status_line

log = logging.getLogger(__name__)

REACHABILITY_CHECK_MS = 60_000  # how often the window asks whether the office answers
SYNC_AFTER_CHANGE_MS = 5_000  # in reach of the office, a change goes this long after the last one
STAGES = ("files", "push", "pull")


def stage_label(stage: str) -> str:
    return {
        "files": _("Files"),
        "push": _("Your changes"),
        "pull": _("News from the office"),
    }.get(stage, stage)


def skew_warning(skew: timedelta | None) -> str:
    """ "This computer's clock is 12 min ahead of the office's…" ("" within the limit)."""
    if skew is None:
        return ""
    if skew.total_seconds() > 0:
        text = _("This computer's clock is {amount} ahead of the office's")
    else:
        text = _("This computer's clock is {amount} behind the office's")
    return (
        text.format(amount=_amount(abs(skew))) + " · " + _("set the date and time so offline work keeps its real time")
    )


def skew_badge(skew: timedelta | None) -> str:
    """ "Reloj atrasado 6 días": the status bar's short form of skew_warning ("" within the limit)."""
    if skew is None:
        return ""
    if skew.total_seconds() > 0:
        return _("Clock {amount} ahead").format(amount=_amount(abs(skew)))
    return _("Clock {amount} behind").format(amount=_amount(abs(skew)))


def _amount(span: timedelta) -> str:
    """A clock's error as a person says it: minutes, hours or days."""
    minutes = round(span.total_seconds() / 60)
    if minutes < 120:
        return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)
    hours = round(minutes / 60)
    if hours < 48:
        return ngettext("{n} hour", "{n} hours", hours).format(n=hours)
    days = round(hours / 24)
    return ngettext("{n} day", "{n} days", days).format(n=days)


def report_lines(report: SyncReport) -> list[str]:
    """What a finished sync did, one line each, as the dialog and the status bar say it."""
    lines = [
        ngettext("{n} change applied at the office", "{n} changes applied at the office", report.applied).format(
            n=report.applied
        )
    ]
    if report.already:
        lines.append(
            ngettext(
                "{n} change was already at the office", "{n} changes were already at the office", report.already
            ).format(n=report.already)
        )
    if report.dropped:
        lines.append(
            ngettext(
                "{n} change set aside for the office's version",
                "{n} changes set aside for the office's version",
                report.dropped,
            ).format(n=report.dropped)
        )
    if report.files:
        lines.append(
            ngettext("{n} file sent ({size})", "{n} files sent ({size})", report.files).format(
                n=report.files, size=_size(report.bytes_sent)
            )
        )
    pulled = sum(report.pulled.values())
    lines.append(
        ngettext("{n} record brought from the office", "{n} records brought from the office", pulled).format(n=pulled)
    )
    if report.conflicts:
        lines.append(
            ngettext(
                "{n} conflict waits for your decision (Field → Field conflicts)",
                "{n} conflicts wait for your decision (Field → Field conflicts)",
                report.conflicts,
            ).format(n=report.conflicts)
        )
    return lines


def _size(count: int) -> str:
    if count < 1024:
        return _("{n} bytes").format(n=count)
    if count < 1024 * 1024:
        return _("{n} KB").format(n=f"{count / 1024:.0f}")
    return _("{n} MB").format(n=f"{count / 1024 / 1024:.1f}".replace(".", ","))


class FieldSync(QObject):
    """The field copy's state for the window: online or not, what waits, the running sync.

    Signals:
        status_changed(str): the status line, read again (after every change and every check).
        skew_changed(str, str): the clock warning, short and whole ("" when the clock is right).
        online_changed(object): True/False once the office was asked; None before.
        sync_started(): a sync began (from the dialog, the menu or automatically).
        sync_progressed(object): a SyncProgress, on the GUI thread.
        sync_finished(object): the SyncReport of a sync that ended well.
        sync_failed(str): why a sync stopped (nothing is lost).
        password_needed(str): the office's server refused the password, or wants one (before
            sync_failed, with the same words).
    """

    status_changed = Signal(str)
    skew_changed = Signal(str, str)
    online_changed = Signal(object)
    sync_started = Signal()
    sync_progressed = Signal(object)
    sync_finished = Signal(object)
    sync_failed = Signal(str)
    password_needed = Signal(str)
    _progressed = Signal(object)  # emitted on the worker thread, delivered to _on_progressed

    def __init__(self, field: FieldSyncService, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self._tasks = tasks
        self.online: bool | None = None
        self.syncing = False
        self.automatic = True  # sync on its own when the office answers and changes wait
        self.status: FieldStatus | None = None
        self.last_report: SyncReport | None = None
        self._checking = False
        self._stop_asked = threading.Event()  # set on the GUI thread, read by the sync's worker
        self._progressed.connect(self._on_progressed)
        self.check_timer = QTimer(self, interval=REACHABILITY_CHECK_MS)
        self.check_timer.timeout.connect(self.check_office)
        # Connected, a change need not wait for the next minute's check: it goes a moment after
        # the last one (a burst of changes, one sync).
        self.soon_timer = QTimer(self, singleShot=True, interval=SYNC_AFTER_CHANGE_MS)
        self.soon_timer.timeout.connect(self.check_office)

    def start(self) -> None:
        self.refresh()
        self.check_timer.start()
        QTimer.singleShot(0, self, self.check_office)

    def stop(self) -> None:
        self.check_timer.stop()
        self.soon_timer.stop()

    def refresh(self) -> None:
        """Read the copy's counts again (a small read of this computer's file, on the GUI thread)."""
        try:
            self.status = self.field.status()
        except UserFacingError as exc:
            log.warning("field status unreadable: %s", exc.message)
            return
        self.status_changed.emit(status_line(self.status, online=self.online))
        skew = self.status.state.clock_skew
        self.skew_changed.emit(skew_badge(skew), skew_warning(skew))
        if self.online and self.automatic and self.status.pending and not self.syncing:
            self.soon_timer.start()

    def check_office(self) -> None:
        """Ask, off the GUI thread, whether the office's database answers; sync when it does and
        changes wait."""
        if self._checking or self.syncing:
            return
        self._checking = True
        self._tasks.read(self.field.office_reachable, self._on_checked, self._on_check_failed)

    def sync_now(self) -> bool:
        """Start a sync (False when one is already running: its progress goes on being told)."""
        if self.syncing:
            return False
        self.syncing = True
        self._stop_asked.clear()
        self.sync_started.emit()
        progressed, stop_asked = self._progressed, self._stop_asked
        self._tasks.run(
            lambda: self.field.sync(progressed.emit, stop=stop_asked.is_set), self._on_synced, self._on_sync_failed
        )
        return True

    def stop_sync(self) -> None:
        """Ask the running sync to stop after the file or change it is sending (nothing is lost)."""
        if self.syncing:
            self._stop_asked.set()

    @Slot(object)
    def _on_progressed(self, progress: SyncProgress) -> None:
        self.sync_progressed.emit(progress)

    def _on_checked(self, reachable: bool) -> None:
        self._checking = False
        self._set_online(bool(reachable))
        if reachable and self.automatic and self.status is not None and self.status.pending and not self.syncing:
            self.sync_now()

    def _on_check_failed(self, error: UserFacingError) -> None:
        self._checking = False
        log.warning("office check failed: %s", error.message)
        self._set_online(False)

    def _on_synced(self, report: SyncReport) -> None:
        self.syncing = False
        self.last_report = report
        self.online = True
        self.online_changed.emit(True)
        self.refresh()
        self.sync_finished.emit(report)

    def _on_sync_failed(self, error: UserFacingError) -> None:
        self.syncing = False
        if isinstance(error, SyncStoppedError):  # stopped by a person: the office was in reach
            self.refresh()
        else:
            self._set_online(False)
        if isinstance(error, PasswordRefusedError):
            self.password_needed.emit(error.message)
        self.sync_failed.emit(error.message)

    def _set_online(self, online: bool) -> None:
        changed = online != self.online
        self.online = online
        if changed:
            self.online_changed.emit(online)
        self.refresh()


class FieldStatusButton(QPushButton):
    """The status bar's permanent item on a field copy: "Sin conexión · 12 cambios por
    sincronizar · …"; a click syncs now."""

    def __init__(self, sync: FieldSync, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldStatus")
        self.setFlat(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(_("Sync now (F9)"))
        # Never squeezed: the passing messages on the left give way instead.
        self.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self._sync = sync
        sync.status_changed.connect(self._on_status_changed)
        sync.online_changed.connect(self._on_online_changed)
        sync.sync_started.connect(lambda: self.show_text(_("Syncing with the office…")))
        sync.sync_progressed.connect(self._on_progressed)
        self._on_online_changed(None)

    def show_text(self, text: str) -> None:
        """The text, whole: the status bar lays its items out again for the new width (it does
        not on a mere setText, and a longer line came out clipped at both ends)."""
        self.setText(text)
        self.setMinimumWidth(self.sizeHint().width())

    def _on_status_changed(self, line: str) -> None:
        if not self._sync.syncing:
            self.show_text(line)
        tip = _("Sync now (F9)")
        status = self._sync.status
        if self._sync.online is False and status is not None and status.state.last_error:
            tip += "\n" + _("Last attempt: {reason}").format(reason=status.state.last_error)
        self.setToolTip(tip)

    def _on_online_changed(self, online: object) -> None:
        color = theme.colors().text if online is None else ("#2e7d32" if online else "#c62828")
        self.setIcon(theme.icon("server" if online else "database", color, 16))

    def _on_progressed(self, progress: SyncProgress) -> None:
        self.show_text(
            _("Syncing: {stage} {done} of {total}").format(
                stage=stage_label(progress.stage).lower(), done=progress.done, total=progress.total
            )
        )


class SyncDialog(QDialog):
    """ "Sincronizar ahora": the three stages with their progress, then what the sync did, or why
    it stopped and that nothing was lost. The window stays usable meanwhile (the dialog is not
    modal to the work: the sync runs on the task runner).

    Signals:
        conflicts_requested(): "Ver conflictos", when conflicts wait for a decision.
    """

    conflicts_requested = Signal()

    def __init__(self, sync: FieldSync, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Sync with the office"))
        self.setMinimumWidth(520)
        self._sync = sync
        self.heading = QLabel(_("Sending your changes and bringing the office's…"))
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        grid = QGridLayout()
        self.stage_labels: dict[str, QLabel] = {}
        self.stage_bars: dict[str, QProgressBar] = {}
        self.stage_counts: dict[str, QLabel] = {}
        for row, stage in enumerate(STAGES):
            label = QLabel(stage_label(stage))
            bar = QProgressBar(textVisible=False)
            bar.setMaximumHeight(14)
            bar.setRange(0, 1)
            bar.setValue(0)
            count = QLabel("")
            count.setMinimumWidth(count.fontMetrics().horizontalAdvance(_("nothing to send")) + 12)
            count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(label, row, 0)
            grid.addWidget(bar, row, 1)
            grid.addWidget(count, row, 2)
            self.stage_labels[stage], self.stage_bars[stage], self.stage_counts[stage] = label, bar, count
        grid.setColumnStretch(1, 1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.hide()
        self.skew = QLabel()
        self.skew.setWordWrap(True)
        self.skew.setStyleSheet("color: #b26a00;")
        self.skew.hide()
        # Asked for only when the office's server wants a password this computer does not know.
        self.password_box = QWidget()
        password_form = QFormLayout(self.password_box)
        password_form.setContentsMargins(0, 0, 0, 0)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(lambda: self.start())
        self.remember = QCheckBox(_("Remember the password in the system keyring"))
        if not keyring_available():
            self.remember.setEnabled(False)
            self.remember.setToolTip(_("No system keyring here: the password is kept until the program closes."))
        password_form.addRow(_("Password of the office's server"), self.password)
        password_form.addRow("", self.remember)
        self.password_box.hide()
        self.buttons = QDialogButtonBox()
        self.retry_button = self.buttons.addButton(_("Try again"), QDialogButtonBox.ButtonRole.ActionRole)
        self.retry_button.hide()
        self.retry_button.clicked.connect(lambda _checked=False: self.start())
        self.stop_button = self.buttons.addButton(_("Stop"), QDialogButtonBox.ButtonRole.ActionRole)
        self.stop_button.setToolTip(_("Stop after the file or change being sent: nothing is lost."))
        self.stop_button.hide()
        self.stop_button.clicked.connect(lambda _checked=False: self._on_stop_clicked())
        self.conflicts_button = self.buttons.addButton(_("See the conflicts"), QDialogButtonBox.ButtonRole.ActionRole)
        self.conflicts_button.hide()
        self.conflicts_button.clicked.connect(lambda _checked=False: self._on_conflicts_clicked())
        self.close_button = self.buttons.addButton(_("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.clicked.connect(lambda _checked=False: self.reject())
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(grid)
        layout.addWidget(self.summary)
        layout.addWidget(self.skew)
        layout.addWidget(self.password_box)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        sync.sync_progressed.connect(self._on_progressed)
        sync.sync_finished.connect(self._on_finished)
        sync.sync_failed.connect(self._on_failed)
        sync.password_needed.connect(self._on_password_needed)

    def start(self) -> None:
        """Start a sync, or follow the one already running (with the password typed, if asked)."""
        if self.password_box.isVisible():
            if not self.password.text():
                self.password.setFocus()
                return
            try:
                self._sync.field.use_office_password(self.password.text(), remember=self.remember.isChecked())
            except UserFacingError as exc:
                self.summary.setText(exc.message)
                return
            self.password.clear()
            self.password_box.hide()
            self.retry_button.setText(_("Try again"))
        self.heading.setText(_("Sending your changes and bringing the office's…"))
        self.summary.hide()
        self.retry_button.hide()
        self.conflicts_button.hide()
        self.stop_button.setText(_("Stop"))
        self.stop_button.setEnabled(True)
        self.stop_button.show()
        for stage in STAGES:
            self.stage_bars[stage].setRange(0, 1)
            self.stage_bars[stage].setValue(0)
            self.stage_counts[stage].setText("")
        self._sync.sync_now()

    def _on_progressed(self, progress: SyncProgress) -> None:
        bar = self.stage_bars.get(progress.stage)
        if bar is None:
            return
        bar.setRange(0, max(progress.total, 1))
        bar.setValue(progress.done if progress.total else 1)
        if progress.stage == "pull":
            self.stage_counts[progress.stage].setText(_("done") if progress.done >= progress.total else "…")
        else:
            self.stage_counts[progress.stage].setText(
                _("{done} of {total}").format(done=progress.done, total=progress.total)
            )
        for earlier in STAGES[: STAGES.index(progress.stage)]:
            done = self.stage_bars[earlier]
            done.setValue(done.maximum())
            if not self.stage_counts[earlier].text():
                self.stage_counts[earlier].setText(_("nothing to send"))

    def _on_stop_clicked(self) -> None:
        self._sync.stop_sync()
        self.stop_button.setText(_("Stopping…"))
        self.stop_button.setEnabled(False)

    def _on_finished(self, report: SyncReport) -> None:
        self.stop_button.hide()
        for stage in STAGES:
            bar = self.stage_bars[stage]
            bar.setValue(bar.maximum())
            if not self.stage_counts[stage].text():
                self.stage_counts[stage].setText(_("nothing to send"))
        self.heading.setText(_("Synced in {seconds} s.").format(seconds=f"{report.seconds:.1f}".replace(".", ",")))
        self.summary.setText("\n".join(report_lines(report)))
        self.summary.show()
        warning = skew_warning(report.clock_skew)
        self.skew.setText(warning)
        self.skew.setVisible(bool(warning))
        status = self._sync.status
        self.conflicts_button.setVisible(bool(report.conflicts or (status is not None and status.conflicts)))
        self.adjustSize()  # room for the summary's lines

    def _on_conflicts_clicked(self) -> None:
        self.accept()
        self.conflicts_requested.emit()

    def _on_password_needed(self, _message: str) -> None:
        self.password_box.show()
        self.retry_button.setText(_("Connect"))
        self.password.setFocus()

    def _on_failed(self, message: str) -> None:
        self.stop_button.hide()
        self.heading.setText(_("The sync stopped."))
        self.summary.setText(
            message
            + "\n\n"
            + _("Nothing was lost: your changes stay saved on this computer and go to the office with the next sync.")
        )
        self.summary.show()
        self.retry_button.show()
        self.adjustSize()
