"""A person's inbox ("Avisos") as a table: newest first, unread in bold, each notice with the icon
of its kind, its sentence, its ticket and how long ago it came ("hace 5 min", the exact time on hover)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QFont

from desktop_app.domain.model import NoticeKind
from desktop_app.formatting import format_datetime, format_relative
from desktop_app.i18n import _
from desktop_app.services.dto import NoticeView
from desktop_app.ui import theme

Index = QModelIndex | QPersistentModelIndex

RELATIVE_TIME_REFRESH_MS = 60_000
KIND_ICONS = {
    NoticeKind.ESCALATION: "escalation",
    NoticeKind.ASSIGNED: "user",
    NoticeKind.BREACH_COMING: "clock",
    NoticeKind.LONG_VISIT: "wrench",
    NoticeKind.CUSTOMER_REPLY: "mail",
    NoticeKind.ATTEMPT_DUE: "phone",
    NoticeKind.MAY_CLOSE: "status",
}


class NoticeColumn(IntEnum):
    TEXT = 0
    TICKET = 1
    WHEN = 2


class NoticeRole(IntEnum):
    NOTICE_ID = Qt.ItemDataRole.UserRole + 1
    TICKET_ID = Qt.ItemDataRole.UserRole + 2
    READ = Qt.ItemDataRole.UserRole + 3


def kind_label(kind: NoticeKind) -> str:
    """The kind of a notice in a few words, for the icon's tooltip."""
    return {
        NoticeKind.ESCALATION: _("Escalated"),
        NoticeKind.ASSIGNED: _("Assigned to you"),
        NoticeKind.BREACH_COMING: _("Response due soon"),
        NoticeKind.LONG_VISIT: _("Long maintenance"),
        NoticeKind.CUSTOMER_REPLY: _("Customer reply"),
        NoticeKind.ATTEMPT_DUE: _("Contact attempt due"),
        NoticeKind.MAY_CLOSE: _("May close without response"),
    }[kind]


class NoticeModel(QAbstractTableModel):
    """Args:
    now: the desk's clock, for "hace 5 min".
    timezone: where exact times are shown (America/Bogota).
    """

    def __init__(self, now: Callable[[], datetime], timezone: tzinfo, parent: Any = None) -> None:
        super().__init__(parent)
        self._now = now
        self._tz = timezone
        self._notices: list[NoticeView] = []
        self._headers = {
            NoticeColumn.TEXT: _("Notice"),
            NoticeColumn.TICKET: _("Ticket"),
            NoticeColumn.WHEN: _("When"),
        }
        # Only "bold" is set: the view resolves the rest from its own font.
        self._bold = QFont()
        self._bold.setBold(True)
        self._timer = QTimer(self, interval=RELATIVE_TIME_REFRESH_MS)
        self._timer.timeout.connect(self.refresh_times)
        self._timer.start()

    # -- own API ---------------------------------------------------------------------------------

    def set_notices(self, notices: Sequence[NoticeView]) -> None:
        self.beginResetModel()
        self._notices = list(notices)
        self.endResetModel()

    @property
    def notices(self) -> tuple[NoticeView, ...]:
        return tuple(self._notices)

    @property
    def unread_count(self) -> int:
        return sum(1 for notice in self._notices if not notice.read)

    def notice_at(self, row: int) -> NoticeView:
        return self._notices[row]

    def mark_read(self, notice_ids: set[int] | None = None) -> None:
        """Show these notices (all, with None) as read; the service has recorded it."""
        changed = False
        for row, notice in enumerate(self._notices):
            if not notice.read and (notice_ids is None or notice.id in notice_ids):
                self._notices[row] = NoticeView(
                    notice.id,
                    notice.kind,
                    notice.ticket_id,
                    notice.ticket_number,
                    notice.text,
                    notice.created_at,
                    True,
                )
                changed = True
        if changed:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self._notices) - 1, len(NoticeColumn) - 1),
                [Qt.ItemDataRole.FontRole, NoticeRole.READ],
            )

    def refresh_times(self) -> None:
        """ "hace 5 min" becomes "hace 6 min": repaint the time column only."""
        if self._notices:
            self.dataChanged.emit(
                self.index(0, NoticeColumn.WHEN),
                self.index(len(self._notices) - 1, NoticeColumn.WHEN),
                [Qt.ItemDataRole.DisplayRole],
            )

    # -- Qt overrides ----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._notices)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(NoticeColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(NoticeColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[NoticeColumn(section)]
        if role == Qt.ItemDataRole.TextAlignmentRole and section == NoticeColumn.WHEN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._notices):
            return None
        notice = self._notices[index.row()]
        column = NoticeColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(notice, column)
        if role == Qt.ItemDataRole.DecorationRole and column is NoticeColumn.TEXT:
            return theme.icon(KIND_ICONS.get(notice.kind, "bell"), size=16)
        if role == Qt.ItemDataRole.FontRole and not notice.read:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is NoticeColumn.WHEN:
                return format_datetime(notice.created_at, self._tz)
            if column is NoticeColumn.TEXT:
                return f"{kind_label(notice.kind)}: {notice.text}"
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column is NoticeColumn.WHEN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.AccessibleTextRole and column is NoticeColumn.TEXT:
            state = _("read") if notice.read else _("unread")
            return f"{notice.text} ({state})"
        if role == NoticeRole.NOTICE_ID:
            return notice.id
        if role == NoticeRole.TICKET_ID:
            return int(notice.ticket_id)
        if role == NoticeRole.READ:
            return notice.read
        return None

    def _display(self, notice: NoticeView, column: NoticeColumn) -> str:
        match column:
            case NoticeColumn.TEXT:
                return notice.text
            case NoticeColumn.TICKET:
                return notice.ticket_number
            case NoticeColumn.WHEN:
                return format_relative(notice.created_at, self._now())
