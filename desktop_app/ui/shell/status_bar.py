"""The status bar: who is signed in, which database, the background-work indicator, my tickets
needing attention, and the queue's counts."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from desktop_app.domain.permissions import Actor
from desktop_app.i18n import _
from desktop_app.services.dto import QueueCounts
from desktop_app.ui.tray import DesktopNotifier
from desktop_app.ui.views.breach_notifier import BreachNotifier
from desktop_app.wording import role_label

BUSY_INDICATOR_DELAY_MS = 400


class DeskStatusBar(QStatusBar):
    """Args:
    actor: who signed in.
    database_label: the file or the server (without password).
    is_local_file: whether the database is this computer's own file.
    desktop: the window's desktop notifications, shared with the notices bell.
    """

    def __init__(
        self,
        actor: Actor,
        database_label: str,
        is_local_file: bool,
        parent: QWidget | None = None,
        *,
        desktop: DesktopNotifier | None = None,
    ) -> None:
        super().__init__(parent)
        self.user_status = QLabel(_("{name} · {role}").format(name=actor.name, role=role_label(actor.role)))
        self.database_status = QLabel(
            _("Local database: {path}").format(path=database_label)
            if is_local_file
            else _("Team server: {url}").format(url=database_label)
        )
        self.database_status.setToolTip(database_label)
        self.counts_status = QLabel()
        self.addWidget(self.user_status)
        self.addWidget(self.database_status, 1)
        # Long work runs off the GUI thread; this says so, after a moment, so quick saves do not flicker.
        self.busy_indicator = QProgressBar(maximumWidth=120, maximumHeight=14, textVisible=False)
        self.busy_indicator.setRange(0, 0)
        self.busy_indicator.hide()
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_INDICATOR_DELAY_MS)
        self._busy_timer.timeout.connect(self.busy_indicator.show)
        self.breach_notifier = BreachNotifier(desktop=desktop)
        self.breach_notifier.announced.connect(lambda message: self.showMessage(message, 30_000))
        self.addPermanentWidget(self.busy_indicator)
        self.addPermanentWidget(self.breach_notifier)
        self.addPermanentWidget(self.counts_status)

    def show_field_copy(self, field_status: QWidget) -> None:
        """On a field copy: the database says so in short, and the field's state takes the room."""
        self.database_status.setText(_("Field copy"))
        # Permanent: a passing message ("Ticket guardado.") never hides it.
        self.insertPermanentWidget(2, field_status)  # after the two normal ones: before the busy indicator
        self.clock_warning = QLabel()
        self.clock_warning.setObjectName("clockWarning")
        self.clock_warning.setStyleSheet("color: #b26a00;")
        self.clock_warning.setWordWrap(False)
        self.clock_warning.hide()
        self.addPermanentWidget(self.clock_warning)

    def show_clock_warning(self, short: str, whole: str) -> None:
        """The laptop's clock is off the office's by more than a few minutes ("" hides it)."""
        self.clock_warning.setText("⚠ " + short if short else "")
        self.clock_warning.setToolTip(whole)
        self.clock_warning.setVisible(bool(short))

    def show_counts(self, counts: QueueCounts) -> None:
        self.counts_status.setText(
            _("Open: {open} · Waiting: {waiting} · Overdue: {breached}").format(
                open=counts.open, waiting=counts.waiting, breached=counts.breached
            )
        )

    def show_busy(self, busy: bool) -> None:
        """Background work started (the indicator shows after a moment) or all of it finished."""
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy_indicator.hide()
