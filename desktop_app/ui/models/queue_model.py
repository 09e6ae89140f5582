"""The queue as a table: rows in the order the service gives (policy R8), fetched a page at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer

from desktop_app.formatting import format_datetime
from desktop_app.i18n import _
from desktop_app.services.dto import QueuePage, QueueRow
from desktop_app.ui import theme
from desktop_app.wording import severity_label, sla_text, status_label

Index = QModelIndex | QPersistentModelIndex
PageLoader = Callable[[int, int], QueuePage]
SlaRefresher = Callable[[Sequence[QueueRow]], Sequence[QueueRow]]

PAGE_SIZE = 200
SLA_REFRESH_MS = 60_000


class QueueColumn(IntEnum):
    NUMBER = 0
    SEVERITY = 1
    PLAN = 2
    CUSTOMER = 3
    CITY = 4
    MACHINE = 5
    AGENT = 6
    RECEIVED = 7
    DUE = 8


class QueueRole(IntEnum):
    TICKET_ID = Qt.ItemDataRole.UserRole + 1
    SLA_STATE = Qt.ItemDataRole.UserRole + 2
    ROW = Qt.ItemDataRole.UserRole + 3
    ESCALATION_LEVEL = Qt.ItemDataRole.UserRole + 4  # int; 1 = with its agent, not escalated
    ESCALATION_BADGE = Qt.ItemDataRole.UserRole + 5  # "N2" on an escalated ticket's number, else None


def _headers() -> dict[QueueColumn, str]:
    return {
        QueueColumn.NUMBER: _("Number"),
        QueueColumn.SEVERITY: _("Severity"),
        QueueColumn.PLAN: _("Plan"),
        QueueColumn.CUSTOMER: _("Customer"),
        QueueColumn.CITY: _("City"),
        QueueColumn.MACHINE: _("Machine"),
        QueueColumn.AGENT: _("Agent"),
        QueueColumn.RECEIVED: _("Received"),
        QueueColumn.DUE: _("Due"),
    }


def escalation_badge(level: int) -> str:
    """The compact mark of an escalated ticket: "N2", "N3"."""
    return _("L{level}").format(level=level)


class QueueModel(QAbstractTableModel):
    """Args:
    load_page: (offset, limit) -> QueuePage for the current filter.
    refresh_sla: recomputes the SLA state of rows for the current time (no database access).
    timezone: where times are shown (America/Bogota).
    """

    def __init__(
        self, load_page: PageLoader, refresh_sla: SlaRefresher, timezone: ZoneInfo, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._load_page = load_page
        self._refresh_sla = refresh_sla
        self._tz = timezone
        self._rows: list[QueueRow] = []
        self._total = 0
        self._headers = _headers()
        self._timer = QTimer(self)
        self._timer.setInterval(SLA_REFRESH_MS)
        self._timer.timeout.connect(self.refresh_countdown)
        self._timer.start()

    # -- own API ---------------------------------------------------------------------------------

    def set_loader(self, load_page: PageLoader) -> None:
        """Use another filter: replace the rows with its first page."""
        self._load_page = load_page
        self.reload()

    def reload(self) -> None:
        page = self._load_page(0, PAGE_SIZE)
        self.beginResetModel()
        self._rows = list(page.rows)
        self._total = page.total if page.total is not None else len(page.rows)
        self.endResetModel()

    @property
    def total(self) -> int:
        """Tickets matching the filter, including the pages not fetched yet."""
        return self._total

    def row_at(self, row: int) -> QueueRow:
        return self._rows[row]

    def row_of_ticket(self, ticket_id: int) -> int | None:
        for n, row in enumerate(self._rows):
            if row.entry.id == ticket_id:
                return n
        return None

    def refresh_countdown(self) -> None:
        """The live countdown: recompute SLA states and repaint the due column only."""
        if not self._rows:
            return
        self._rows = list(self._refresh_sla(self._rows))
        self.dataChanged.emit(
            self.index(0, QueueColumn.DUE),
            self.index(len(self._rows) - 1, QueueColumn.DUE),
            [Qt.ItemDataRole.DisplayRole, QueueRole.SLA_STATE],
        )

    # -- Qt overrides ----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(QueueColumn)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid():
            return
        page = self._load_page(len(self._rows), PAGE_SIZE)
        if not page.rows:
            self._total = len(self._rows)  # the queue shrank meanwhile; stop asking
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page.rows) - 1)
        self._rows.extend(page.rows)
        self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(QueueColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[QueueColumn(section)]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in (QueueColumn.RECEIVED, QueueColumn.DUE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = QueueColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.DecorationRole:
            if column is QueueColumn.SEVERITY:
                return theme.severity_dot(row.entry.severity)
            if column is QueueColumn.NUMBER and row.entry.reopen_count:
                return theme.icon("refresh", theme.colors().muted, 16)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (QueueColumn.RECEIVED, QueueColumn.DUE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == QueueRole.TICKET_ID:
            return int(row.entry.id)
        if role == QueueRole.SLA_STATE:
            return row.sla.state.value
        if role == QueueRole.ROW:
            return row
        if role == QueueRole.ESCALATION_LEVEL:
            return row.entry.escalation_level
        if role == QueueRole.ESCALATION_BADGE and column is QueueColumn.NUMBER and row.entry.escalation_level > 1:
            return escalation_badge(row.entry.escalation_level)
        return None

    def _display(self, row: QueueRow, column: QueueColumn) -> str:
        e = row.entry
        match column:
            case QueueColumn.NUMBER:
                return e.number
            case QueueColumn.SEVERITY:
                return severity_label(e.severity)
            case QueueColumn.PLAN:
                return e.plan_name
            case QueueColumn.CUSTOMER:
                return e.customer_name
            case QueueColumn.CITY:
                return e.city
            case QueueColumn.MACHINE:
                return e.machine_serial
            case QueueColumn.AGENT:
                return e.agent_name or _("Unassigned")
            case QueueColumn.RECEIVED:
                return format_datetime(e.received_at, self._tz, short=True)
            case QueueColumn.DUE:
                return sla_text(row.sla)

    def _tooltip(self, row: QueueRow, column: QueueColumn) -> str | None:
        e = row.entry
        if column is QueueColumn.NUMBER:
            text = status_label(e.status)
            text = _("{status} · reopened").format(status=text) if e.reopen_count else text
            if e.escalation_level > 1:
                text = _("{status} · escalated to level {level}").format(status=text, level=e.escalation_level)
            return text
        if column is QueueColumn.RECEIVED:
            return format_datetime(e.received_at, self._tz)
        if column is QueueColumn.DUE and e.due_at is not None:
            return _("Due: {when}").format(when=format_datetime(e.due_at, self._tz))
        if column is QueueColumn.MACHINE:
            return e.model_name
        if column is QueueColumn.CUSTOMER:
            return e.description.splitlines()[0] if e.description else None
        return None
