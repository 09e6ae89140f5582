"""The "Bandeja de salida" tab of Settings (administrators): every mail the desk queued, sent, could
not send or got back (bounced), newest first, with why and when it is tried again; a failed one can
be sent again ("Reintentar")."""

from __future__ import annotations

from datetime import tzinfo
from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.domain.permissions import Actor
from desktop_app.domain.sla import SlaState
from desktop_app.errors import UserFacingError
from desktop_app.formatting import format_datetime
from desktop_app.i18n import _, ngettext
from desktop_app.services.mail import MailService
from desktop_app.services.mail_dto import OutboxRow, OutboxState
from desktop_app.ui import theme
from desktop_app.ui.models.record_model import Index, RecordTableModel
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets import record_table
from desktop_app.wording.mail import outbox_state_label

STATES = tuple(OutboxState)


class OutboxColumn(IntEnum):
    CREATED = 0
    TO = 1
    SUBJECT = 2
    STATE = 3
    REASON = 4
    ATTEMPTS = 5
    NEXT_ATTEMPT = 6


_LONG_COLUMNS = (OutboxColumn.TO, OutboxColumn.SUBJECT, OutboxColumn.REASON)  # cut cells show whole on hover


class OutboxModel(RecordTableModel):
    """The outbox's mails, one row each, in the service's order."""

    def __init__(self, tz: tzinfo, parent: Any = None) -> None:
        super().__init__(
            [
                _("Date"),
                _("To"),
                _("Subject"),
                _("State"),
                _("Reason"),
                _("Attempts"),
                _("Next attempt"),
            ],
            parent,
        )
        self._tz = tz

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = OutboxColumn(index.column())
        if role == Qt.ItemDataRole.UserRole:
            return int(row.id)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is OutboxColumn.ATTEMPTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column is OutboxColumn.STATE
            and row.state in ("failed", "bounced")
        ):
            return theme.sla_colors(SlaState.BREACHED)[1]  # the desk's red
        if role == Qt.ItemDataRole.ToolTipRole and column in (
            OutboxColumn.SUBJECT,
            OutboxColumn.REASON,
            OutboxColumn.TO,
        ):
            return self._text(row, column) or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._text(row, column)

    def _text(self, row: OutboxRow, column: OutboxColumn) -> str:
        if column is OutboxColumn.CREATED:
            return format_datetime(row.created_at, self._tz)
        if column is OutboxColumn.TO:
            return ", ".join(row.to)
        if column is OutboxColumn.SUBJECT:
            return str(row.subject)
        if column is OutboxColumn.STATE:
            return outbox_state_label(row.state)
        if column is OutboxColumn.REASON:
            return str(row.state_reason or "")
        if column is OutboxColumn.ATTEMPTS:
            return str(row.attempts)
        if row.state == "queued" and row.next_attempt_at is not None:
            return format_datetime(row.next_attempt_at, self._tz)
        return "—"


class OutboxView(QWidget):
    """Signals:
    mail_retried(int): a failed mail was put back in the queue (its id).
    """

    mail_retried = Signal(int)

    def __init__(
        self, mail: MailService, tasks: TaskRunner, actor: Actor, tz: tzinfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._mail, self._tasks, self._actor = mail, tasks, actor
        self.state_filter = QComboBox()
        self.state_filter.addItem(_("All mails"), "")
        for state, label in (
            ("queued", _("Queued mails")),
            ("sent", _("Sent mails")),
            ("failed", _("Failed mails")),
            ("bounced", _("Bounced mails")),
        ):
            self.state_filter.addItem(label, state)
        self.count_label = QLabel(objectName="muted")
        self.refresh_button = QPushButton(theme.icon("refresh"), _("Refresh"))
        self.retry_button = QPushButton(_("Retry"))  # not #primary: that style does not look disabled
        self.retry_button.setToolTip(_("Put the selected failed mail back in the queue; it is sent in the next round."))
        self.error = QLabel(objectName="error", wordWrap=True)
        self.error.hide()
        header = QHBoxLayout()
        header.addWidget(QLabel(_("Show")))
        header.addWidget(self.state_filter)
        header.addWidget(self.count_label, 1)
        header.addWidget(self.refresh_button)
        header.addWidget(self.retry_button)

        self.model = OutboxModel(tz, self)
        self.table = record_table(self.model)
        columns = self.table.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in ((OutboxColumn.TO, 210), (OutboxColumn.REASON, 240)):
            self.table.setColumnWidth(column, width)
        for column in (OutboxColumn.CREATED, OutboxColumn.STATE, OutboxColumn.ATTEMPTS, OutboxColumn.NEXT_ATTEMPT):
            columns.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        columns.setSectionResizeMode(OutboxColumn.SUBJECT, QHeaderView.ResizeMode.Stretch)
        # The server's reason in full: the column cuts it, and it is what says what to fix.
        self.reason = QLabel(wordWrap=True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason.hide()
        self.empty = QLabel(objectName="emptyState", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.reason)

        self.state_filter.currentIndexChanged.connect(lambda _index: self.reload())
        self.refresh_button.clicked.connect(lambda _checked=False: self.reload())
        self.retry_button.clicked.connect(lambda _checked=False: self.retry_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._on_selection_changed())
        self.reload()

    # -- own API ---------------------------------------------------------------------------------

    def reload(self) -> None:
        """The outbox as it is now, filtered by the state chosen; the selected mail stays selected."""
        selected = self.selected_id()
        state = str(self.state_filter.currentData() or "")
        rows = self._mail.outbox((OutboxState(state),) if state else STATES)
        self.model.set_rows(rows)
        self.count_label.setText(ngettext("{n} mail", "{n} mails", len(rows)).format(n=len(rows)))
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self.empty.setText(_("No mail in this state.") if state else _("The desk has not sent any mail yet."))
        if selected is not None:
            self.select(selected)
        self._on_selection_changed()

    def select(self, mail_id: int) -> None:
        row = self.model.row_of(mail_id)
        if row is not None:
            self.table.selectRow(row)

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return int(rows[0].data(Qt.ItemDataRole.UserRole)) if rows else None

    def retry_selected(self) -> None:
        """Put the selected failed (or bounced) mail back in the queue, off the GUI thread."""
        mail_id = self.selected_id()
        if mail_id is None:
            return
        mail, actor = self._mail, self._actor
        self.retry_button.setEnabled(False)
        self.error.hide()
        self._tasks.run(
            lambda: mail.retry(mail_id, actor=actor), lambda _r: self._on_retried(mail_id), self._on_refused
        )

    # -- slots -----------------------------------------------------------------------------------

    def _on_selection_changed(self) -> None:
        mail_id = self.selected_id()
        row = self.model.row_of(mail_id) if mail_id is not None else None
        mail = self.model.rows[row] if row is not None else None
        self.retry_button.setEnabled(mail is not None and mail.state in ("failed", "bounced"))
        if mail is not None and mail.state_reason:
            state = outbox_state_label(mail.state).capitalize()
            self.reason.setText(_("{state}: {reason}").format(state=state, reason=mail.state_reason))
        self.reason.setVisible(mail is not None and bool(mail.state_reason))

    def _on_retried(self, mail_id: int) -> None:
        self.reload()
        self.mail_retried.emit(mail_id)

    def _on_refused(self, error: UserFacingError) -> None:
        self._on_selection_changed()
        self.error.setText(error.message)
        self.error.show()

    def showEvent(self, event: Any) -> None:
        # What the mail job did since the tab was last seen.
        self.reload()
        super().showEvent(event)
