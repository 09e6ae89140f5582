"""The queue: a filter bar above a table of tickets in policy order."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.ids import UserId
from desktop_app.domain.lifecycle import CLOSED_STATUSES
from desktop_app.domain.model import Severity, TicketStatus
from desktop_app.i18n import _, ngettext
from desktop_app.services.dto import QueueFilter
from desktop_app.services.tickets import TicketService
from desktop_app.ui import theme
from desktop_app.ui.delegates.level_delegate import EscalationBadgeDelegate
from desktop_app.ui.delegates.sla_delegate import SlaDelegate
from desktop_app.ui.models.queue_model import QueueColumn, QueueModel, QueueRole, escalation_badge
from desktop_app.ui.widgets import record_table, search_field
from desktop_app.wording import severity_label, status_label

TEXT_FILTER_DELAY_MS = 200
# The widest text each column usually shows: columns are sized to these in the font in use, so
# nothing is clipped in either language, and the customer column takes what is left.
_COLUMN_SAMPLES = {
    QueueColumn.NUMBER: "SOP-2026-00000",
    QueueColumn.SEVERITY: "Crítica",
    QueueColumn.PLAN: "Profesional",
    QueueColumn.CITY: "Barranquilla",
    QueueColumn.MACHINE: "MK-M3-260000",
    QueueColumn.AGENT: "Juliana Restrepo",
    QueueColumn.RECEIVED: "30 sept, 12:59 p. m.",
    QueueColumn.DUE: "vencido hace 888 h 88 min",
}
_DECORATION = 22  # severity dot / reopened icon and their gap
_CELL_PADDING = 12
_TOGGLE_PADDING = 12  # QPushButton#toggle's side padding in app.qss


class QueueView(QWidget):
    """Signals:
    ticket_selected(int): the current row moved to this ticket (arrow keys, click).
    ticket_open_requested(int): open this ticket in full (double-click, Enter).
    filter_changed(): the filter was applied; the row count may differ.
    """

    ticket_selected = Signal(int)
    ticket_open_requested = Signal(int)
    filter_changed = Signal()

    def __init__(
        self,
        tickets: TicketService,
        me: UserId | None = None,
        parent: QWidget | None = None,
        *,
        my_levels: frozenset[int] = frozenset(),
    ) -> None:
        """Args:
        tickets: the ticket service.
        me: the signed-in person ("Mine").
        my_levels: the escalation levels whose people include me ("Escalated to me"); the toggle
            is offered only to those who have some.
        """
        super().__init__(parent)
        self._tickets = tickets
        self._me = me
        self._my_levels = my_levels
        self._filter = QueueFilter()
        tz = tickets.timezone()

        self.search = search_field(_("Search number, customer, serial or description…"))
        self.search.setMinimumWidth(360)

        self.status_filter = QComboBox()
        self.status_filter.addItem(_("Open"), "open")
        for status in (TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_CUSTOMER):
            self.status_filter.addItem(status_label(status), status.value)
        self.status_filter.addItem(_("Closed"), "closed")
        self.status_filter.addItem(_("All statuses"), "all")

        self.city_filter = QComboBox()
        self.city_filter.addItem(_("All cities"), "")
        for city in tickets.cities():
            self.city_filter.addItem(city, city)

        self.agent_filter = QComboBox()
        self.agent_filter.addItem(_("All agents"), None)
        for agent in tickets.agents():
            self.agent_filter.addItem(agent.full_name, int(agent.id))

        self.plan_filter = QComboBox()
        self.plan_filter.addItem(_("All plans"), "")
        for code, name in tickets.plans():
            self.plan_filter.addItem(name, code)

        self.severity_filter = QComboBox()
        self.severity_filter.addItem(_("All severities"), None)
        for severity in Severity:
            self.severity_filter.addItem(theme.severity_dot(severity), severity_label(severity), severity.value)

        # "Mine": the tickets I am responsible for, whatever the agent filter says.
        self.mine_filter = QPushButton(_("Mine"), checkable=True, objectName="toggle")
        self.mine_filter.setToolTip(_("Only the tickets assigned to me (Ctrl+M)"))
        self.mine_filter.setShortcut(QKeySequence("Ctrl+M"))
        self.mine_filter.setVisible(me is not None)
        self.mine_filter.toggled.connect(self._on_mine_toggled)
        # "Escalated to me": the tickets at a level whose people include me (R11), whoever's they are.
        self.escalated_filter = QPushButton(_("Escalated to me"), checkable=True, objectName="toggle")
        self.escalated_filter.setToolTip(
            _("Only the tickets escalated to my level: {levels}").format(
                levels=", ".join(escalation_badge(level) for level in sorted(my_levels))
            )
        )
        self.escalated_filter.setVisible(bool(my_levels))
        self.escalated_filter.toggled.connect(lambda _checked: self.apply_filter())

        self.count_label = QLabel(objectName="muted")

        # The search box and the count sit in the page's title row (see header_widget()); the
        # filter combos get this row to themselves, so nothing is squeezed at 1366 px.
        bar = QHBoxLayout()
        bar.setSpacing(6)
        for toggle in (self.mine_filter, self.escalated_filter):
            # Checked, a toggle's text turns bold (app.qss): wide enough for that, never clipped.
            bold_width = QFontMetrics(theme.bold(toggle.font())).horizontalAdvance(toggle.text())
            toggle.setMinimumWidth(bold_width + 2 * _TOGGLE_PADDING + 8)
            bar.addWidget(toggle)
        for combo in (
            self.status_filter,
            self.city_filter,
            self.agent_filter,
            self.plan_filter,
            self.severity_filter,
        ):
            # Wide enough for "Todas las ciudades", not for the longest agent name: the search box
            # needs the room at 1366 px.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(13)
            bar.addWidget(combo)
            combo.currentIndexChanged.connect(self.apply_filter)
        bar.addStretch(1)
        self.header_widget = QWidget()
        header_row = QHBoxLayout(self.header_widget)
        header_row.setContentsMargins(0, 0, 0, 0)
        header_row.addWidget(self.search, 1)
        header_row.addWidget(self.count_label)

        self.model = QueueModel(self._page_loader(), tickets.refresh_sla, tz, self)
        self.table = record_table(self.model, row_height=30)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setItemDelegateForColumn(QueueColumn.DUE, SlaDelegate(self.table))
        self.table.setItemDelegateForColumn(QueueColumn.NUMBER, EscalationBadgeDelegate(self.table))
        self.table.setFont(theme.tabular_font(self.table.font()))
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(QueueColumn.CUSTOMER, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        metrics = self.table.fontMetrics()
        bold = QFontMetrics(theme.bold(self.table.font()))
        for column, sample in _COLUMN_SAMPLES.items():
            title = self.model.headerData(column, Qt.Orientation.Horizontal)
            width = max(metrics.horizontalAdvance(sample), bold.horizontalAdvance(title)) + _CELL_PADDING
            if column in (QueueColumn.NUMBER, QueueColumn.SEVERITY):
                width += _DECORATION
            if column is QueueColumn.NUMBER:
                width += EscalationBadgeDelegate.room(self.table.font(), escalation_badge(9))
            if column is QueueColumn.DUE:
                width += SlaDelegate.EXTRA_WIDTH
            header.resizeSection(column, width)

        self.empty_label = QLabel(objectName="emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

        self._text_timer = QTimer(self, singleShot=True, interval=TEXT_FILTER_DELAY_MS)
        self._text_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._text_timer.start)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.doubleClicked.connect(self._on_double_clicked)
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, self._open_current)
        QShortcut(QKeySequence(Qt.Key.Key_Enter), self.table, self._open_current)
        self.model.reload()
        self._update_counts()

    # -- own API ---------------------------------------------------------------------------------

    def current_filter(self) -> QueueFilter:
        status = self.status_filter.currentData()
        statuses: frozenset[TicketStatus] = frozenset()
        if status == "closed":
            statuses = CLOSED_STATUSES
        elif status not in ("open", "all"):
            statuses = frozenset({TicketStatus(status)})
        severity = self.severity_filter.currentData()
        return QueueFilter(
            text=self.search.text().strip(),
            statuses=statuses,
            city=self.city_filter.currentData() or "",
            agent_id=self._me if self.mine_filter.isChecked() else self.agent_filter.currentData(),
            plan_code=self.plan_filter.currentData() or "",
            severity=Severity(severity) if severity else None,
            open_only=status != "all",
            escalation_levels=self._my_levels if self.escalated_filter.isChecked() else None,
        )

    def apply_filter(self) -> None:
        self._text_timer.stop()
        selected = self.selected_ticket_id()
        self._filter = self.current_filter()
        self.model.set_loader(self._page_loader())
        self._after_reload(selected)
        self.filter_changed.emit()

    def reload(self) -> None:
        """Read the queue again (F5, after a change), keeping the selected ticket selected."""
        selected = self.selected_ticket_id()
        self.model.reload()
        self._after_reload(selected)

    def selected_ticket_id(self) -> int | None:
        index = self.table.currentIndex()
        return index.data(QueueRole.TICKET_ID) if index.isValid() else None

    def select_ticket(self, ticket_id: int) -> bool:
        row = self.model.row_of_ticket(ticket_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # -- internals -------------------------------------------------------------------------------

    def _on_mine_toggled(self, checked: bool) -> None:
        self.agent_filter.setEnabled(not checked)
        self.apply_filter()

    def _page_loader(self):  # type: ignore[no-untyped-def]
        return partial(self._tickets.list_queue, self._filter)

    def _after_reload(self, selected: int | None) -> None:
        if selected is not None:
            self.select_ticket(selected)
        self._update_counts()

    def _update_counts(self) -> None:
        total = self.model.total
        self.count_label.setText(ngettext("{n} ticket", "{n} tickets", total).format(n=total))
        if total:
            self.stack.setCurrentWidget(self.table)
            return
        if self._filter == QueueFilter():
            self.empty_label.setText(
                _("There are no open tickets. New requests will appear here in policy order. New ticket: Ctrl+N.")
            )
        else:
            self.empty_label.setText(
                _("No tickets match these filters. Clear the search or choose “All” in a filter to see more.")
            )
        self.stack.setCurrentWidget(self.empty_label)

    def _on_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.ticket_selected.emit(indexes[0].data(QueueRole.TICKET_ID))

    def _on_double_clicked(self, index: QModelIndex) -> None:
        self.ticket_open_requested.emit(index.data(QueueRole.TICKET_ID))

    def _open_current(self) -> None:
        ticket_id = self.selected_ticket_id()
        if ticket_id is not None:
            self.ticket_open_requested.emit(ticket_id)
