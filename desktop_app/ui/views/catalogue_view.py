"""The product catalogue in Settings: every model with its technology, warranty, preventive
maintenance, end of life (R5) and the machines registered of it; coordinators and administrators
add and correct models in a dialog that saves itself (every problem named at once)."""

from __future__ import annotations

from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.model import Technology
from desktop_app.domain.permissions import Actor
from desktop_app.domain.sla import SlaState
from desktop_app.formatting import format_date
from desktop_app.i18n import _, ngettext
from desktop_app.services.catalogue import CatalogueModel, CatalogueService, ModelForm
from desktop_app.ui import theme
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.saving_dialog import SavingDialog
from desktop_app.ui.widgets import record_table
from desktop_app.wording import end_of_life_mark, technology_label

Index = QModelIndex | QPersistentModelIndex


class CatalogueColumn(IntEnum):
    CODE = 0
    NAME = 1
    TECHNOLOGY = 2
    WARRANTY = 3
    MAINTENANCE = 4
    END_OF_LIFE = 5
    MACHINES = 6
    NOTES = 7


def _months(n: int) -> str:
    return ngettext("{n} month", "{n} months", n).format(n=n)


def _days(n: int) -> str:
    return ngettext("every {n} day", "every {n} days", n).format(n=n)


class CatalogueModelTable(QAbstractTableModel):
    """The catalogue's models, one row each, in the service's order (by name)."""

    def __init__(self, policy_days: int, today: date, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[CatalogueModel] = []
        self._policy_days = policy_days
        self._today = today
        self._headers = {
            CatalogueColumn.CODE: _("Code"),
            CatalogueColumn.NAME: _("Name"),
            CatalogueColumn.TECHNOLOGY: _("Technology"),
            CatalogueColumn.WARRANTY: _("Warranty"),
            CatalogueColumn.MAINTENANCE: _("Preventive maintenance"),
            CatalogueColumn.END_OF_LIFE: _("End of life"),
            CatalogueColumn.MACHINES: _("Machines"),
            CatalogueColumn.NOTES: _("Notes"),
        }

    def set_rows(self, rows: list[CatalogueModel], policy_days: int, today: date) -> None:
        self.beginResetModel()
        self.rows, self._policy_days, self._today = rows, policy_days, today
        self.endResetModel()

    def row_of(self, code: str) -> int | None:
        return next((i for i, m in enumerate(self.rows) if m.code == code), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CatalogueColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[CatalogueColumn(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        model = self.rows[index.row()]
        column = CatalogueColumn(index.column())
        if role == Qt.ItemDataRole.UserRole:
            return model.code
        if role == Qt.ItemDataRole.ForegroundRole and column is CatalogueColumn.END_OF_LIFE and model.discontinued:
            return theme.sla_colors(SlaState.BREACHED)[1]  # the desk's red: no support (R5)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (CatalogueColumn.MACHINES,):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column is CatalogueColumn.NOTES:
            return model.notes or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._text(model, column)

    def _text(self, model: CatalogueModel, column: CatalogueColumn) -> str:
        if column is CatalogueColumn.CODE:
            return model.code
        if column is CatalogueColumn.NAME:
            return model.name
        if column is CatalogueColumn.TECHNOLOGY:
            return technology_label(model.technology)
        if column is CatalogueColumn.WARRANTY:
            return _months(model.warranty_months)
        if column is CatalogueColumn.MAINTENANCE:
            if model.maintenance_interval_days is None:
                return _("{interval} (the policy's)").format(interval=_days(self._policy_days))
            return _days(model.maintenance_interval_days)
        if column is CatalogueColumn.END_OF_LIFE:
            if model.end_of_life is None:
                return "—"
            return end_of_life_mark(model.end_of_life, self._today) or _("from {date}").format(
                date=format_date(model.end_of_life)
            )
        if column is CatalogueColumn.MACHINES:
            return str(model.machines)
        return (model.notes.splitlines() or [""])[0]


class ModelDialog(SavingDialog):
    """Create a model, or correct one (its code stays: machines are registered under it)."""

    def __init__(
        self,
        catalogue: CatalogueService,
        tasks: TaskRunner,
        actor: Actor,
        existing: CatalogueModel | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            tasks,
            _("Save"),
            _("Close this window and open the model again to see the other change."),
            parent,
        )
        self._catalogue, self._actor, self._existing = catalogue, actor, existing
        self.setWindowTitle(
            _("Model {code}").format(code=existing.code) if existing is not None else _("New product model")
        )
        self.setMinimumWidth(520)
        today = catalogue.today()
        self.code = QLineEdit(placeholderText="M3")
        self.name = QLineEdit(placeholderText="makeR M3")
        self.technology = QComboBox()
        for technology in Technology:
            self.technology.addItem(technology_label(technology), technology.value)
        self.warranty = QSpinBox(minimum=1, maximum=240, suffix=_(" months"))
        self.warranty.setValue(12)
        self.own_interval = QCheckBox(_("Its own preventive-maintenance interval"))
        self.interval = QSpinBox(minimum=1, maximum=3650, suffix=_(" days"))
        self.interval.setValue(catalogue.policy_maintenance_days())
        self.policy_interval = QLabel(
            _("Otherwise the policy's: every {n} days.").format(n=catalogue.policy_maintenance_days()),
            objectName="muted",
        )
        self.has_end_of_life = QCheckBox(_("End of life (discontinued) from"))
        self.end_of_life = QDateEdit(calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.end_of_life.setDate(QDate(today.year, today.month, today.day))
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(_("Spare parts, firmware, what technicians should know…"))
        self.notes.setFixedHeight(80)

        if existing is not None:
            self.code.setText(existing.code)
            self.code.setReadOnly(True)
            self.code.setToolTip(_("A model's code does not change: machines are registered under it."))
            self.name.setText(existing.name)
            self.technology.setCurrentIndex(self.technology.findData(existing.technology.value))
            self.warranty.setValue(existing.warranty_months)
            if existing.maintenance_interval_days is not None:
                self.own_interval.setChecked(True)
                self.interval.setValue(existing.maintenance_interval_days)
            if existing.end_of_life is not None:
                self.has_end_of_life.setChecked(True)
                eol = existing.end_of_life
                self.end_of_life.setDate(QDate(eol.year, eol.month, eol.day))
            self.notes.setPlainText(existing.notes)
        self.interval.setEnabled(self.own_interval.isChecked())
        self.own_interval.toggled.connect(self.interval.setEnabled)
        self.end_of_life.setEnabled(self.has_end_of_life.isChecked())
        self.has_end_of_life.toggled.connect(self.end_of_life.setEnabled)

        form = QFormLayout()
        form.addRow(_("Code"), self.code)
        form.addRow(_("Name"), self.name)
        form.addRow(_("Technology"), self.technology)
        form.addRow(_("Warranty of a new machine"), self.warranty)
        form.addRow(self.own_interval, self.interval)
        form.addRow("", self.policy_interval)
        form.addRow(self.has_end_of_life, self.end_of_life)
        form.addRow(
            "",
            QLabel(
                _("From that day its machines get no support without a special contract (R5)."),
                objectName="muted",
                wordWrap=True,
            ),
        )
        form.addRow(_("Notes"), self.notes)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def form(self) -> ModelForm:
        return ModelForm(
            code=self.code.text(),
            name=self.name.text(),
            technology=Technology(self.technology.currentData()),
            warranty_months=self.warranty.value(),
            maintenance_interval_days=self.interval.value() if self.own_interval.isChecked() else None,
            end_of_life=self.end_of_life.date().toPython() if self.has_end_of_life.isChecked() else None,
            notes=self.notes.toPlainText(),
            version=self._existing.version if self._existing is not None else None,
        )

    def save(self) -> None:
        form, catalogue, actor = self.form(), self._catalogue, self._actor
        self.run_save(lambda: catalogue.save(form, actor=actor))


class CatalogueView(QWidget):
    """Signals:
    model_saved(str): a model was created or changed (its code): pages that show models refresh.
    """

    model_saved = Signal(str)

    def __init__(
        self, catalogue: CatalogueService, tasks: TaskRunner, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._catalogue, self._tasks, self._actor = catalogue, tasks, actor
        self.dialog: ModelDialog | None = None  # the open dialog (tests reach it here)
        self.new_button = QPushButton(theme.icon("plus"), _("New model…"))
        self.edit_button = QPushButton(_("Edit…"))
        editable = catalogue.may_edit(actor)
        self.new_button.setVisible(editable)
        self.edit_button.setVisible(editable)
        self.edit_button.setEnabled(False)
        self.count_label = QLabel(objectName="muted")
        header = QHBoxLayout()
        header.addWidget(
            QLabel(
                _(
                    "The models machines are registered as. A model past its end of life shows it wherever "
                    "it appears, and intake refuses its machines without a special contract (R5)."
                ),
                objectName="muted",
                wordWrap=True,
            ),
            1,
        )
        header.addWidget(self.count_label)
        header.addWidget(self.new_button)
        header.addWidget(self.edit_button)

        self.model = CatalogueModelTable(catalogue.policy_maintenance_days(), catalogue.today(), self)
        self.table = record_table(self.model)
        columns = self.table.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        columns.setSectionResizeMode(CatalogueColumn.NOTES, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.table, 1)

        self.new_button.clicked.connect(lambda _checked=False: self.new_model())
        self.edit_button.clicked.connect(lambda _checked=False: self.edit_selected())
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._on_selection_changed())
        self.reload()

    # -- own API ---------------------------------------------------------------------------------

    def reload(self) -> None:
        selected = self.selected_code()
        rows = self._catalogue.models()
        self.model.set_rows(rows, self._catalogue.policy_maintenance_days(), self._catalogue.today())
        self.count_label.setText(ngettext("{n} model", "{n} models", len(rows)).format(n=len(rows)))
        if selected is not None:
            self.select(selected)
        self._on_selection_changed()

    def select(self, code: str) -> None:
        row = self.model.row_of(code)
        if row is not None:
            self.table.selectRow(row)

    def selected_code(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return str(rows[0].data(Qt.ItemDataRole.UserRole)) if rows else None

    def new_model(self) -> ModelDialog | None:
        return self._open(None)

    def edit_selected(self) -> ModelDialog | None:
        code = self.selected_code()
        if code is None or not self._catalogue.may_edit(self._actor):
            return None
        row = self.model.row_of(code)
        return self._open(self.model.rows[row] if row is not None else None)

    # -- internals -------------------------------------------------------------------------------

    def _open(self, existing: CatalogueModel | None) -> ModelDialog:
        dialog = ModelDialog(self._catalogue, self._tasks, self._actor, existing, self)
        dialog.accepted.connect(lambda: self._on_saved(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_saved(self, dialog: ModelDialog) -> None:
        saved: CatalogueModel | None = dialog.saved
        if saved is None:
            return
        self.reload()
        self.select(saved.code)
        self.model_saved.emit(saved.code)

    def _on_selection_changed(self) -> None:
        self.edit_button.setEnabled(self.selected_code() is not None)
