"""The signed-in person's inbox ("Avisos"): the bell with the unread count, always in sight, and
the page listing the notices newest first. Opening a notice (click or Enter) opens its ticket and
marks the notice read; "Mark all as read" clears the count. Reads and writes go through the task
runner; a new unread notice is also shown as a desktop notification where there is a system tray."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenuBar,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import Actor
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _, ngettext
from desktop_app.services.dto import NoticeView
from desktop_app.services.notifications import NotificationService
from desktop_app.ui import theme
from desktop_app.ui.models.notice_model import NoticeColumn, NoticeModel, NoticeRole
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.tray import DesktopNotifier
from desktop_app.ui.widgets import record_table


class NoticesView(QWidget):
    """Signals:
    ticket_open_requested(int): a notice was opened; open its ticket.
    unread_changed(int): how many of my notices are unread, after a read or a mark.
    notices_arrived(list): unread notices that came since the inbox was last read (never on its first read).
    message(str): something to say in the status bar (a failed read).
    """

    ticket_open_requested = Signal(int)
    unread_changed = Signal(int)
    notices_arrived = Signal(list)
    message = Signal(str)

    def __init__(
        self,
        notifications: NotificationService,
        actor: Actor,
        tasks: TaskRunner,
        now: Callable[[], datetime],
        timezone: tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._notifications = notifications
        self._actor = actor
        self._tasks = tasks
        self._seen: set[int] | None = None  # the notices already shown; None before the first read

        self.count_label = QLabel(objectName="muted")
        self.mark_all_button = QPushButton(theme.icon("status"), _("Mark all as read"))
        self.mark_all_button.setToolTip(_("Mark every notice as read"))
        self.mark_all_button.setEnabled(False)
        self.mark_all_button.clicked.connect(lambda _checked=False: self.mark_all_read())
        self.header_widget = QWidget()
        header_row = QHBoxLayout(self.header_widget)
        header_row.setContentsMargins(0, 0, 0, 0)
        header_row.addStretch(1)
        header_row.addWidget(self.count_label)
        header_row.addWidget(self.mark_all_button)

        self.model = NoticeModel(now, timezone, self)
        self.table = record_table(self.model, row_height=32)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setMouseTracking(True)
        self.table.setCursor(Qt.CursorShape.PointingHandCursor)
        self.table.setIconSize(QSize(16, 16))
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(NoticeColumn.TEXT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(NoticeColumn.TICKET, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NoticeColumn.WHEN, QHeaderView.ResizeMode.ResizeToContents)

        self.empty_label = QLabel(
            _(
                "You have no notices. Here you will see the tickets escalated or assigned to you, "
                "the contact attempts due and the tickets that may be closed."
            ),
            objectName="emptyState",
        )
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)
        self.stack.setCurrentWidget(self.empty_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.table.clicked.connect(self._on_clicked)
        self.table.installEventFilter(self)  # Enter opens the notice, as a click does
        self._update_summary()

    # -- own API ---------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the inbox again, off the GUI thread."""
        actor = self._actor
        self._tasks.run(lambda: self._notifications.inbox(actor), self.show_notices, self._on_read_failed)

    def show_notices(self, notices: Sequence[NoticeView]) -> None:
        arrived = [n for n in notices if not n.read and self._seen is not None and n.id not in self._seen]
        self._seen = {n.id for n in notices}
        selected = self._selected_notice_id()
        self.model.set_notices(notices)
        if selected is not None:
            self._select_notice(selected)
        self._update_summary()
        self.unread_changed.emit(self.model.unread_count)
        if arrived:
            self.notices_arrived.emit(arrived)

    def set_unread_count(self, count: int) -> None:
        """The periodic poll's count: a different one than shown means notices came (or were read
        in another window), so the inbox is read again."""
        if self._seen is None or count != self.model.unread_count:
            self.reload()

    def open_notice(self, row: int) -> None:
        """Open the notice's ticket and mark the notice read."""
        notice = self.model.notice_at(row)
        if not notice.read:
            actor, notice_id = self._actor, notice.id
            self._tasks.run(
                lambda: self._notifications.mark_read(actor, notice_id),
                lambda _result: self._on_marked({notice_id}),
                self._on_write_failed,
            )
        self.ticket_open_requested.emit(int(notice.ticket_id))

    def mark_all_read(self) -> None:
        actor = self._actor
        self._tasks.run(
            lambda: self._notifications.mark_all_read(actor),
            lambda _count: self._on_marked(None),
            self._on_write_failed,
        )

    # -- internals -------------------------------------------------------------------------------

    def _on_marked(self, notice_ids: set[int] | None) -> None:
        self.model.mark_read(notice_ids)
        self._update_summary()
        self.unread_changed.emit(self.model.unread_count)

    def _update_summary(self) -> None:
        unread = self.model.unread_count
        self.count_label.setText(
            ngettext("{n} unread", "{n} unread", unread).format(n=unread) if unread else _("All read")
        )
        self.count_label.setVisible(self.model.rowCount() > 0)
        self.mark_all_button.setVisible(self.model.rowCount() > 0)  # nothing to mark in an empty inbox
        self.mark_all_button.setEnabled(unread > 0)
        self.stack.setCurrentWidget(self.table if self.model.rowCount() else self.empty_label)

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_notice(index.row())

    def _open_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.open_notice(index.row())

    def _selected_notice_id(self) -> int | None:
        index = self.table.currentIndex()
        return index.data(NoticeRole.NOTICE_ID) if index.isValid() else None

    def _select_notice(self, notice_id: int) -> None:
        for row in range(self.model.rowCount()):
            if self.model.notice_at(row).id == notice_id:
                self.table.selectRow(row)
                return

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._open_current()
            return True
        return super().eventFilter(watched, event)

    def _on_read_failed(self, error: UserFacingError) -> None:
        self.message.emit(error.message)  # the next poll tries again

    def _on_write_failed(self, error: UserFacingError) -> None:
        self.message.emit(error.message)


class NoticeBell(QToolButton):
    """The bell in the window's header with the unread count; the notices page opens from it, and
    from the desktop notification of new notices.

    Signals:
    open_requested(): show the notices page.
    announced(str): new notices came; a line for the status bar.
    """

    open_requested = Signal()
    announced = Signal(str)

    def __init__(self, shortcut: str, parent: QWidget | None = None, *, desktop: DesktopNotifier | None = None) -> None:
        """Args:
        shortcut: the notices page's shortcut, for the tooltip.
        desktop: the window's desktop notifications (one tray icon for the whole window).
        """
        super().__init__(parent)
        self.setObjectName("noticeBell")
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setIcon(theme.icon("bell"))
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self._shortcut = shortcut
        self._count = 0
        self._desktop = desktop or DesktopNotifier(self)
        self.clicked.connect(lambda _checked=False: self.open_requested.emit())
        self.set_count(0)

    @property
    def count(self) -> int:
        return self._count

    def set_count(self, count: int) -> None:
        self._count = count
        self.setText("99+" if count > 99 else str(count) if count else "")
        summary = (
            ngettext("Notices: {n} unread", "Notices: {n} unread", count).format(n=count)
            if count
            else _("Notices: nothing unread")
        )
        self.setToolTip(f"{summary} ({self._shortcut})")
        self.setAccessibleName(summary)
        self.setProperty("unread", count > 0)
        self.style().unpolish(self)
        self.style().polish(self)
        self.updateGeometry()
        bar = self.parentWidget()
        if isinstance(bar, QMenuBar) and bar.cornerWidget(Qt.Corner.TopRightCorner) is self:
            # QMenuBar places its corner widget only when it is set or the bar resizes: a longer
            # count would be cut to "…" otherwise.
            bar.setCornerWidget(self, Qt.Corner.TopRightCorner)

    def announce(self, notices: Sequence[NoticeView]) -> None:
        """New notices: a line for the status bar, and a desktop notification where the system
        has a tray (not offscreen, nor on every Linux desktop: then the bell says it alone)."""
        if not notices:
            return
        newest = notices[0]
        if len(notices) == 1:
            message = newest.text
        else:
            message = ngettext(
                "{n} new notice; the newest: {text}", "{n} new notices; the newest: {text}", len(notices)
            ).format(n=len(notices), text=newest.text)
        self.announced.emit(message)
        self._desktop.notify(message, on_click=self.open_requested.emit)
