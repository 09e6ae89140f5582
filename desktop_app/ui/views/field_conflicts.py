"""The field copy's conflicts (issue 16): the changes the office could not take as they were, each
with the versions side by side (what the technician saw, theirs, the office's) or the office's
reason for refusing it, and the person's choice: keep mine, take the office's, or combine field
by field. A decision is queued on this computer; the next sync carries it to the office.

Also "Exportar cambios pendientes…": every change of the outbox to a JSON file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import tzinfo
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.field_sync import CommandKind, FieldClash, FieldCommand, Resolution
from desktop_app.errors import UserFacingError
from desktop_app.formatting import format_datetime
from desktop_app.i18n import _, ngettext
from desktop_app.services.field.sync import FieldSyncService
from desktop_app.ui.models.record_model import Index, RecordTableModel
from desktop_app.ui.tasks import TaskRunner
from desktop_app.wording.field import action_label, field_label, value_label


class ConflictColumn(IntEnum):
    ACTION = 0
    TICKET = 1
    WHEN = 2


class ConflictModel(RecordTableModel):
    """The conflicts waiting for a decision, oldest first."""

    def __init__(self, tz: tzinfo, parent: Any = None) -> None:
        super().__init__([_("Action"), _("Ticket"), _("When")], parent)
        self._tz = tz

    def command(self, row: int) -> FieldCommand:
        return self.rows[row]  # type: ignore[no-any-return]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        command: FieldCommand = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == ConflictColumn.ACTION:
                return action_label(command)
            if column == ConflictColumn.TICKET:
                return command.ticket.number or _("new ticket")
            if column == ConflictColumn.WHEN:
                return format_datetime(command.happened_at, self._tz, short=True)
        if role == Qt.ItemDataRole.ToolTipRole and column == ConflictColumn.WHEN:
            return format_datetime(command.happened_at, self._tz)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == ConflictColumn.WHEN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def is_mergeable(command: FieldCommand) -> bool:
    """Only a field edit that clashed (not a refusal) can be combined field by field."""
    decision = command.decision
    return command.kind is CommandKind.EDIT and decision is not None and not decision.refused and bool(decision.clashes)


class MergeDialog(QDialog):
    """ "Combinar…": for each clashing field, one of the values shown (what you saw, yours, the
    office's); a merge never invents a value nobody saw."""

    def __init__(self, command: FieldCommand, people: Mapping[int, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Combine the versions"))
        self.setMinimumWidth(560)
        intro = QLabel(_("Choose, for each field, the value the ticket should keep."))
        intro.setWordWrap(True)
        grid = QGridLayout()
        self.groups: dict[str, QButtonGroup] = {}
        self.choices: dict[str, list[tuple[QRadioButton, str | None]]] = {}
        clashes = command.decision.clashes if command.decision else ()
        for row, clash in enumerate(clashes):
            grid.addWidget(QLabel(field_label(clash.field)), row, 0, Qt.AlignmentFlag.AlignTop)
            group = QButtonGroup(self)
            options: list[tuple[QRadioButton, str | None]] = []
            for column, (title, value) in enumerate(_versions(clash), start=1):
                if any(value == taken for _button, taken in options):
                    continue  # the same value twice (the base and one side): offered once
                shown = value_label(clash.field, value, people)
                button = QRadioButton(_("{version}: {value}").format(version=title, value=shown))
                group.addButton(button)
                grid.addWidget(button, row, column)
                options.append((button, value))
            next(button for button, value in options if value == clash.mine).setChecked(True)  # yours by default
            self.groups[clash.field] = group
            self.choices[clash.field] = options
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Keep this combination"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(buttons)

    def chosen(self) -> dict[str, str | None]:
        return {
            name: next(value for button, value in options if button.isChecked())
            for name, options in self.choices.items()
        }


def _versions(clash: FieldClash) -> tuple[tuple[str, str | None], ...]:
    return ((_("What you saw"), clash.base), (_("Your version"), clash.mine), (_("The office's"), clash.office))


class ConflictsDialog(QDialog):
    """ "Conflictos de campo": the list, the versions of the selected one, and the three decisions.

    Signals:
        settled(): a decision was queued (the window offers to sync now).
    """

    settled = Signal()

    def __init__(
        self,
        field: FieldSyncService,
        tasks: TaskRunner,
        tz: tzinfo,
        people: Mapping[int, str] | None = None,
        parent: QWidget | None = None,
        *,
        sync_now: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Field conflicts"))
        self.resize(900, 520)
        self._field = field
        self._tasks = tasks
        self._people = dict(people or {})
        self._sync_now = sync_now
        self.model = ConflictModel(tz, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.horizontalHeader().setSectionResizeMode(ConflictColumn.ACTION, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            ConflictColumn.TICKET, QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.horizontalHeader().setSectionResizeMode(ConflictColumn.WHEN, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _previous: self._show(current.row()))
        self.empty = QLabel(_("No conflicts: every change made here reached the office or waits for the next sync."))
        self.empty.setWordWrap(True)
        self.empty.hide()

        self.title = QLabel()
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.versions = QTableWidget(0, 4)
        self.versions.setHorizontalHeaderLabels([_("Field"), _("What you saw"), _("Your version"), _("The office's")])
        self.versions.verticalHeader().hide()
        self.versions.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.versions.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.versions.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.keep_button = QPushButton(_("Keep mine"))
        self.keep_button.setToolTip(_("Apply your change on the office's current version with the next sync"))
        self.take_button = QPushButton(_("Take the office's"))
        self.take_button.setToolTip(_("Leave the ticket as the office has it; your change is set aside"))
        self.merge_button = QPushButton(_("Combine…"))
        self.merge_button.setToolTip(_("Choose the value of each field among the versions shown"))
        self.keep_button.clicked.connect(lambda _checked=False: self.keep_mine())
        self.take_button.clicked.connect(lambda _checked=False: self.take_office())
        self.merge_button.clicked.connect(lambda _checked=False: self.combine())
        decisions = QHBoxLayout()
        decisions.addWidget(self.keep_button)
        decisions.addWidget(self.take_button)
        decisions.addWidget(self.merge_button)
        decisions.addStretch(1)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.title)
        detail_layout.addWidget(self.explanation)
        detail_layout.addWidget(self.versions, 1)
        detail_layout.addLayout(decisions)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        self.export_button = QPushButton(_("Export pending changes…"))
        self.export_button.clicked.connect(lambda _checked=False: export_outbox(self._field, self._tasks, self))
        close = QDialogButtonBox()
        close.addButton(_("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        close.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.export_button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.reload()

    def reload(self) -> None:
        """The conflicts, read again (a small read of this computer's file)."""
        self.model.set_rows(self._field.conflicts())
        has_rows = self.model.rowCount() > 0
        self.empty.setVisible(not has_rows)
        if has_rows:
            self.table.selectRow(0)
            self._show(0)
        else:
            self._show(-1)

    def on_synced(self, _report: object) -> None:
        """A sync ended (the window's FieldSync.sync_finished): the list as it is now."""
        self.reload()

    def current(self) -> FieldCommand | None:
        row = self.table.currentIndex().row()
        return self.model.command(row) if 0 <= row < self.model.rowCount() else None

    def keep_mine(self) -> None:
        self._settle(Resolution.KEEP_MINE)

    def take_office(self) -> None:
        command = self.current()
        if command is None:
            return
        answer = QMessageBox.question(
            self,
            _("Take the office's"),
            _("Your change ({action} on {ticket}) will not reach the office. Set it aside?").format(
                action=action_label(command), ticket=command.ticket.number or _("new ticket")
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._settle(Resolution.TAKE_OFFICE)

    def combine(self) -> MergeDialog | None:
        command = self.current()
        if command is None or not is_mergeable(command):
            return None
        dialog = MergeDialog(command, self._people, self)
        dialog.accepted.connect(lambda: self._settle(Resolution.MERGE, dialog.chosen()))
        dialog.open()
        return dialog

    def _settle(self, resolution: Resolution, chosen: Mapping[str, str | None] | None = None) -> None:
        command = self.current()
        if command is None:
            return
        command_id = command.command_id
        self._set_buttons(None)
        self._tasks.run(
            lambda: self._field.settle(command_id, resolution, chosen), self._on_settled, self._on_settle_failed
        )

    def _on_settled(self, _result: object) -> None:
        self.reload()
        self.settled.emit()
        if self._sync_now is None:
            return
        answer = QMessageBox.question(
            self,
            _("Field conflicts"),
            _("Decision kept. It reaches the office with the next sync. Sync now?"),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._sync_now()

    def _on_settle_failed(self, error: UserFacingError) -> None:
        self.reload()
        QMessageBox.warning(self, _("Field conflicts"), error.message)

    def _show(self, row: int) -> None:
        command = self.model.command(row) if 0 <= row < self.model.rowCount() else None
        self._set_buttons(command)
        self.versions.setRowCount(0)
        if command is None:
            self.title.setText("")
            self.explanation.setText("")
            self.versions.hide()
            return
        self.title.setText(
            _("{action} · {ticket}").format(
                action=action_label(command), ticket=command.ticket.number or _("new ticket")
            )
        )
        decision = command.decision
        if decision is not None and decision.refused:
            self.explanation.setText(_("The office refused this change: {reason}").format(reason=decision.refused))
            self.versions.hide()
            return
        clashes = decision.clashes if decision else ()
        self.explanation.setText(
            ngettext(
                "The office changed this field too while you were away:",
                "The office changed these fields too while you were away:",
                len(clashes),
            )
        )
        self.versions.show()
        clashing = {clash.field for clash in clashes}
        # What else the change sets, for the whole picture: the office did not touch it differently.
        others = [
            name for name, value in command.mine.items() if name not in clashing and value != command.base.get(name)
        ]
        self.versions.setRowCount(len(clashes) + len(others))
        for row_number, clash in enumerate(clashes):
            self._version_row(
                row_number,
                clash.field,
                (
                    value_label(clash.field, clash.base, self._people),
                    value_label(clash.field, clash.mine, self._people),
                    value_label(clash.field, clash.office, self._people),
                ),
            )
        for row_number, name in enumerate(others, start=len(clashes)):
            self._version_row(
                row_number,
                name,
                (
                    value_label(name, command.base.get(name), self._people),
                    value_label(name, command.mine.get(name), self._people),
                    _("no clash"),
                ),
                clash=False,
            )

    def _version_row(self, row: int, name: str, values: tuple[str, str, str], *, clash: bool = True) -> None:
        for column, text in enumerate((field_label(name), *values)):
            item = QTableWidgetItem(text)
            if column == 0 and clash:
                bold = item.font()
                bold.setBold(True)
                item.setFont(bold)
            if not clash:
                item.setForeground(self.palette().placeholderText())
            self.versions.setItem(row, column, item)

    def _set_buttons(self, command: FieldCommand | None) -> None:
        self.keep_button.setEnabled(command is not None)
        self.take_button.setEnabled(command is not None)
        self.merge_button.setEnabled(command is not None and is_mergeable(command))
        if command is not None and not is_mergeable(command):
            self.merge_button.setToolTip(_("Only a field edit can be combined: keep yours or take the office's."))
        else:
            self.merge_button.setToolTip(_("Choose the value of each field among the versions shown"))


def export_outbox(field: FieldSyncService, tasks: TaskRunner, parent: QWidget) -> None:
    """ "Exportar cambios pendientes…": every change of the outbox to a JSON file the person names.
    The save dialog asks before replacing a file; only then is it replaced."""
    name, _filter = QFileDialog.getSaveFileName(
        parent, _("Export pending changes"), "cambios-de-campo.json", _("JSON (*.json)")
    )
    if not name:
        return
    path = Path(name)
    if path.suffix.lower() != ".json":
        path = path.with_suffix(".json")
        if path.exists():
            answer = QMessageBox.question(
                parent, _("Export pending changes"), _("{path} already exists. Replace it?").format(path=path)
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
    replace = path.exists()  # the save dialog (or the question above) asked

    def done(count: int) -> None:
        QMessageBox.information(
            parent,
            _("Export pending changes"),
            ngettext("{n} change written to {path}.", "{n} changes written to {path}.", count).format(
                n=count, path=path
            ),
        )

    def failed(error: UserFacingError) -> None:
        QMessageBox.warning(parent, _("Export pending changes"), error.message)

    tasks.run(lambda: field.export_outbox(path, overwrite=replace), done, failed)
