"""The tables of the Informes page: a report's rows under typed columns (a count, a percentage,
working hours, pesos, a date), shown formatted and exported as values to a CSV or XLSX file the
person names, never over an existing file without asking."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.errors import UserFacingError
from desktop_app.files import write_file
from desktop_app.formatting import format_date, format_money
from desktop_app.i18n import _, current_language, ngettext
from desktop_app.importing.writing import SpreadsheetWriter
from desktop_app.ui import theme
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets import record_table

Index = QModelIndex | QPersistentModelIndex
NO_DATA = "—"  # a figure with nothing to count (a percentage of nothing due): never 0 %, never an error


class Kind(Enum):
    """How a column's values read and export."""

    TEXT = "text"
    COUNT = "count"
    PERCENT = "percent"  # 0–100, one decimal; None: nothing was due
    HOURS = "hours"  # working hours as a float; None: nothing measured
    MONEY = "money"  # whole COP
    DATE = "date"


@dataclass(frozen=True)
class Column:
    """A column: its header, how its values read, and the header's tooltip when the header is short."""

    title: str
    kind: Kind = Kind.TEXT
    tooltip: str = ""


def _decimal(value: float, places: int = 1) -> str:
    text = f"{value:,.{places}f}"
    if current_language().startswith("es"):  # 1.234,5 in Colombia
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def display(value: object, kind: Kind) -> str:
    """A cell as the table shows it."""
    if value is None:
        return NO_DATA if kind is not Kind.TEXT else ""
    if kind is Kind.PERCENT:
        return f"{_decimal(float(value))} %"  # type: ignore[arg-type]
    if kind is Kind.HOURS:
        return f"{_decimal(float(value))} h"  # type: ignore[arg-type]
    if kind is Kind.MONEY:
        return format_money(int(value))  # type: ignore[call-overload]
    if kind is Kind.COUNT:
        return _decimal(float(value), 0) if isinstance(value, int) else _decimal(float(value))  # type: ignore[arg-type]
    if kind is Kind.DATE and isinstance(value, date):
        return format_date(value)
    return str(value)


def export_value(value: object, kind: Kind, file_format: str) -> object:
    """A cell as the file holds it: numbers stay numbers in a workbook; a CSV writes decimals the
    way the language reads them (a comma in Spanish, as Excel on a Colombian desk expects)."""
    if value is None or kind is Kind.TEXT or kind is Kind.DATE:
        return value
    if isinstance(value, float):
        value = round(value, 1)
        return (
            _decimal(value).replace(".", "") if file_format == "csv" and current_language().startswith("es") else value
        )
    return value


class ReportTableModel(QAbstractTableModel):
    """Rows of plain values under typed columns."""

    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[tuple[object, ...]] = []

    def set_rows(self, rows: Sequence[Sequence[object]]) -> None:
        self.beginResetModel()
        self.rows = [tuple(row) for row in rows]
        self.endResetModel()

    def export_rows(self, file_format: str) -> list[list[object]]:
        return [
            [export_value(v, c.kind, file_format) for v, c in zip(row, self.columns, strict=True)] for row in self.rows
        ]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is not Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[section].tooltip or None
        if role == Qt.ItemDataRole.TextAlignmentRole and self.columns[section].kind not in (Kind.TEXT, Kind.DATE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self.rows[index.row()][index.column()]
        kind = self.columns[index.column()].kind
        if role == Qt.ItemDataRole.DisplayRole:
            return display(value, kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            if value is None and kind in (Kind.PERCENT, Kind.HOURS):
                return _("No data: nothing was due in this period")
            return display(value, kind) if kind is Kind.TEXT else None
        if role == Qt.ItemDataRole.UserRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and kind not in (Kind.TEXT, Kind.DATE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def ask_export_path(parent: QWidget, title: str, suggested: str) -> Path | None:
    """The file to write, with the person's consent to replace it when it exists; None to stop.

    The save dialog's own question is switched off so that one question is asked, and asked again
    when the extension we add makes the name of a file that already exists.
    """
    path, _filter = QFileDialog.getSaveFileName(
        parent,
        title,
        suggested,
        _("Excel (*.xlsx);;CSV (*.csv)"),
        options=QFileDialog.Option.DontConfirmOverwrite,
    )
    if not path:
        return None
    target = Path(path)
    if target.suffix.lower() not in (".xlsx", ".csv"):
        target = target.with_name(target.name + (".csv" if "csv" in _filter.lower() else ".xlsx"))
    return target


def confirm_replace(parent: QWidget, target: Path) -> bool:
    answer = QMessageBox.question(
        parent,
        _("Export"),
        _("{name} already exists. Replace it?").format(name=target.name),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def file_stem(title: str) -> str:
    """A file name from a table's title: lower case, spaces as hyphens, nothing a file system refuses."""
    keep = "".join(ch if ch.isalnum() else "-" for ch in title.lower())
    return "-".join(part for part in keep.split("-") if part) or "informe"


class TablePanel(QWidget):
    """A titled table with its "Exportar…" button.

    Signals are not needed: `message` is a callable given by the page (the status bar).
    """

    def __init__(
        self,
        title: str,
        columns: Sequence[Column],
        tasks: TaskRunner,
        message: Callable[[str], None],
        *,
        stretch: int | None = 0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = title
        self._tasks, self._message = tasks, message
        self.model = ReportTableModel(columns, self)
        self.table: QTableView = record_table(self.model, row_height=26)
        self.table.setFont(theme.tabular_font(self.table.font()))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(68)  # right-aligned numbers under a short header keep a gap between them
        header.setStretchLastSection(stretch is None)
        if stretch is not None:
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.title_label = QLabel(title, objectName="cardTitle")
        self.export_button = QPushButton(theme.icon("download"), _("Export…"))
        self.export_button.setToolTip(_("Save this table as a CSV or Excel file"))
        self.export_button.clicked.connect(lambda _checked=False: self.export())
        self.export_button.setEnabled(False)  # until there are rows to write
        self.extra = QHBoxLayout()  # room for a table's own controls (a "by" combo) beside its title
        self.extra.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.title_label)
        top.addLayout(self.extra)
        top.addStretch(1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def set_rows(self, rows: Sequence[Sequence[object]]) -> None:
        self.model.set_rows(rows)
        self.export_button.setEnabled(bool(rows))

    def export(self) -> None:
        """Exportar…: the rows as shown, to a new CSV or XLSX file (the extension chooses)."""
        target = ask_export_path(self, _("Export {table}").format(table=self.title), f"{file_stem(self.title)}.xlsx")
        if target is None:
            return
        replace = False
        if target.exists():
            if not confirm_replace(self, target):
                self._message(_("Nothing exported: {name} was kept as it was.").format(name=target.name))
                return
            replace = True
        file_format = target.suffix.lower()[1:]
        headers = [c.title for c in self.model.columns]
        rows = self.model.export_rows(file_format)

        def work() -> int:
            data = SpreadsheetWriter().write(headers, rows, file_format)
            write_file(target, data, replace=replace)  # refuses a file that appeared meanwhile
            return len(rows)

        self._tasks.run(
            work,
            lambda count: self._message(
                ngettext("{n} row written to {path}", "{n} rows written to {path}", count).format(n=count, path=target)
            ),
            self._on_export_failed,
        )

    def _on_export_failed(self, error: UserFacingError) -> None:
        QMessageBox.warning(self, _("Export"), error.message)
