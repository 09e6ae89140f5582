"""Import customers, contacts, machines or contracts from a spreadsheet (CSV or XLSX).

The dialog shows the file's columns with the field each was given (guessed from its header; the
person may change any), its first rows, and two buttons: "Revisar (simulacro)" lists every row's
problems (row, column, what is wrong) and writes nothing; "Importar" writes the valid rows, or
nothing when "todo o nada" is chosen and a row was refused. Reading, checking and writing run on
their own thread with progress and a stop button, so the window never freezes on a big file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.importing import Field, ImportKind
from desktop_app.domain.permissions import Actor, Permission
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _
from desktop_app.services.access import may
from desktop_app.services.importing import ImportPreview, ImportReport, ImportService
from desktop_app.ui.workers.import_worker import ImportWorker
from desktop_app.wording.importing import import_kind_label, import_summary

MAX_PROBLEMS_SHOWN = 2_000


class ImportDialog(QDialog):
    """Signals:
    imported(object): rows were written (the ImportReport), so the pages showing them can reload.
    """

    imported = Signal(object)

    def __init__(
        self,
        imports: ImportService,
        actor: Actor,
        parent: QWidget | None = None,
        kind: ImportKind = ImportKind.CUSTOMERS,
    ) -> None:
        super().__init__(parent)
        self._imports, self._actor = imports, actor
        self._path: Path | None = None
        self._preview: ImportPreview | None = None
        self._worker: ImportWorker | None = None
        self.setWindowTitle(_("Import from a spreadsheet"))

        self.kind_combo = QComboBox()
        for each in ImportKind:
            self.kind_combo.addItem(import_kind_label(each), each)
        self.kind_combo.setCurrentIndex(list(ImportKind).index(kind))
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.path_edit = QLineEdit(readOnly=True, placeholderText=_("Choose a CSV or XLSX file"))
        self.choose_button = QPushButton(_("Choose file…"))
        self.choose_button.clicked.connect(lambda _checked=False: self.choose_file())
        self.file_info = QLabel(wordWrap=True)

        self.columns_table = QTableWidget(0, 3)
        self.columns_table.setHorizontalHeaderLabels([_("Column of the file"), _("Field"), _("First value")])
        self.preview_table = QTableWidget(0, 0)
        self.problems_table = QTableWidget(0, 3)
        self.problems_table.setHorizontalHeaderLabels([_("Row"), _("Column"), _("Problem")])
        for table in (self.columns_table, self.preview_table, self.problems_table):
            table.verticalHeader().setVisible(False)
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.horizontalHeader().setStretchLastSection(True)
        self.columns_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.columns_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.problems_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.problems_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.problems_table.setWordWrap(True)

        self.valid_only = QRadioButton(_("Only the valid rows"))
        self.all_or_nothing = QRadioButton(_("All or nothing"))
        self.valid_only.setToolTip(_("Write every row without problems; the refused rows are listed."))
        self.all_or_nothing.setToolTip(_("Write nothing if any row has a problem."))
        self.valid_only.setChecked(True)
        self._mode = QButtonGroup(self)
        self._mode.addButton(self.valid_only)
        self._mode.addButton(self.all_or_nothing)
        self.check_button = QPushButton(_("Check (dry run)"))
        self.check_button.clicked.connect(lambda _checked=False: self.check())
        self.import_button = QPushButton(_("Import"), objectName="primary")
        self.import_button.clicked.connect(lambda _checked=False: self.run_import())
        self.import_button.setVisible(may(actor, Permission.IMPORT_DATA))
        self.stop_button = QPushButton(_("Stop"))
        self.stop_button.clicked.connect(lambda _checked=False: self.stop())
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress_label = QLabel()
        self.summary = QLabel(wordWrap=True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QGridLayout()
        top.addWidget(QLabel(_("Import")), 0, 0)
        top.addWidget(self.kind_combo, 0, 1)
        top.addWidget(QLabel(_("File")), 1, 0)
        top.addWidget(self.path_edit, 1, 1)
        top.addWidget(self.choose_button, 1, 2)
        top.setColumnStretch(1, 1)
        tables = QSplitter(Qt.Orientation.Vertical)
        tables.addWidget(self._titled(_("Columns and fields"), self.columns_table))
        tables.addWidget(self._titled(_("First rows"), self.preview_table))
        tables.addWidget(self._titled(_("Problems"), self.problems_table))
        tables.setChildrenCollapsible(False)
        actions = QHBoxLayout()
        actions.addWidget(self.check_button)
        actions.addSpacing(16)
        actions.addWidget(self.valid_only)
        actions.addWidget(self.all_or_nothing)
        actions.addWidget(self.import_button)
        actions.addStretch(1)
        actions.addWidget(self.progress_label)
        actions.addWidget(self.progress)
        actions.addWidget(self.stop_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.file_info)
        layout.addWidget(tables, 1)
        layout.addLayout(actions)
        layout.addWidget(self.summary)
        layout.addWidget(close)
        self.resize(1100, 700)
        self._set_busy(False)

    # -- own API -------------------------------------------------------------------------------------

    @property
    def kind(self) -> ImportKind:
        return ImportKind(self.kind_combo.currentData())

    def choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Import from a spreadsheet"), "", _("Spreadsheets (*.xlsx *.csv)")
        )
        if name:
            self.open_file(Path(name))

    def open_file(self, path: Path) -> None:
        """Read the file's header and first rows (off the GUI thread) and show the guessed fields."""
        self._path = path
        self.path_edit.setText(str(path))
        kind = self.kind
        self._start(lambda _w: self._imports.preview(path, kind), self._show_preview, _("Reading the file…"))

    def mapping(self) -> list[Field | None]:
        """The field chosen for each column of the file (None: left out)."""
        chosen: list[Field | None] = []
        for row in range(self.columns_table.rowCount()):
            combo = self.columns_table.cellWidget(row, 1)
            assert isinstance(combo, QComboBox)
            data = combo.currentData()
            chosen.append(Field(data) if data else None)
        return chosen

    def check(self) -> None:
        """The dry run: every row checked and its problems listed; nothing written."""
        if self._path is None:
            return
        path, kind, mapping = self._path, self.kind, self.mapping()
        self._start(lambda w: self._imports.check(path, kind, mapping, progress=w), self._show_report, _("Checking…"))

    def run_import(self) -> None:
        if self._path is None:
            return
        path, kind, mapping, actor = self._path, self.kind, self.mapping(), self._actor
        all_or_nothing = self.all_or_nothing.isChecked()
        self._start(
            lambda w: self._imports.import_file(
                path, kind, mapping, actor=actor, all_or_nothing=all_or_nothing, progress=w
            ),
            self._show_report,
            _("Importing…"),
        )

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.progress_label.setText(_("Stopping…"))

    def wait(self, msecs: int = 60_000) -> bool:
        """Block until the running work is done (tests, closing)."""
        return self._worker is None or self._worker.wait(msecs)

    # -- internals -----------------------------------------------------------------------------------

    def _titled(self, title: str, widget: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(QLabel(title, objectName="cardTitle"))
        layout.addWidget(widget)
        return box

    def _start(self, work, on_success, text: str) -> None:  # type: ignore[no-untyped-def]
        if self._worker is not None:
            return  # one thing at a time: the buttons are disabled meanwhile
        worker = ImportWorker(work)
        worker.progressed.connect(self._on_progressed)
        worker.succeeded.connect(on_success)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(self._on_finished)
        self._worker = worker
        self.progress_label.setText(text)
        self._set_busy(True)
        worker.start()

    def _set_busy(self, busy: bool) -> None:
        ready = self._path is not None and self._preview is not None
        self.progress.setRange(0, 0 if busy else 1)  # an indicator that moves: the row count is not known ahead
        self.progress.setVisible(busy)
        self.stop_button.setVisible(busy)
        for widget in (self.kind_combo, self.choose_button):
            widget.setEnabled(not busy)
        self.check_button.setEnabled(ready and not busy)
        self.import_button.setEnabled(ready and not busy)
        if not busy:
            self.progress_label.setText("")

    def _show_preview(self, preview: ImportPreview) -> None:
        self._preview = preview
        details = [f"{preview.file_format.upper()}"]
        if preview.encoding:
            details.append(_("encoding {encoding}").format(encoding=preview.encoding))
        if preview.delimiter:
            shown = {"\t": _("tab")}.get(preview.delimiter, f"“{preview.delimiter}”")
            details.append(_("separator {separator}").format(separator=shown))
        details.append(_("header on row {row}").format(row=preview.header_row))
        self.file_info.setText(" · ".join(details))
        self.columns_table.setRowCount(len(preview.headers))
        first = preview.rows[0] if preview.rows else ()
        for row, header in enumerate(preview.headers):
            self.columns_table.setItem(row, 0, QTableWidgetItem(header or _("(no header)")))
            combo = QComboBox()
            combo.addItem(_("(do not import)"), "")
            for choice in preview.fields:
                label = choice.label + (" *" if choice.required else "")
                combo.addItem(label, choice.field.value)
            guessed = preview.mapping[row]
            combo.setCurrentIndex(combo.findData(guessed.value) if guessed is not None else 0)
            self.columns_table.setCellWidget(row, 1, combo)
            self.columns_table.setItem(row, 2, QTableWidgetItem(first[row] if row < len(first) else ""))
        self.preview_table.clear()
        self.preview_table.setColumnCount(len(preview.headers))
        self.preview_table.setHorizontalHeaderLabels(list(preview.headers))
        self.preview_table.setRowCount(len(preview.rows))
        for row, cells in enumerate(preview.rows):
            for column, text in enumerate(cells):
                self.preview_table.setItem(row, column, QTableWidgetItem(text))
        self.preview_table.resizeColumnsToContents()
        self.problems_table.setRowCount(0)
        self.summary.setText(_("Check the fields of each column, then press “Check (dry run)”."))

    def _show_report(self, report: ImportReport) -> None:
        shown = report.problems[:MAX_PROBLEMS_SHOWN]  # a table of a million rows would freeze the window
        self.problems_table.setRowCount(len(shown))
        for row, problem in enumerate(shown):
            number = QTableWidgetItem(str(problem.row))
            number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.problems_table.setItem(row, 0, number)
            self.problems_table.setItem(row, 1, QTableWidgetItem(problem.column))
            self.problems_table.setItem(row, 2, QTableWidgetItem(problem.message))
        self.problems_table.resizeRowsToContents()
        text = import_summary(
            dry_run=report.dry_run,
            written=report.written,
            all_or_nothing=report.all_or_nothing,
            has_problems=bool(report.problems),
            read=report.rows_read,
            valid=report.valid_rows,
            refused=report.refused_rows,
            created=report.created,
            updated=report.updated,
        )
        if report.written:
            self.imported.emit(report)
        if len(report.problems) > len(shown):
            text += " " + _(
                "The first {shown} of {count} problems are listed; the command line lists them all."
            ).format(shown=len(shown), count=len(report.problems))
        self.summary.setText(text)

    def _on_progressed(self, done: int, text: str) -> None:
        self.progress_label.setText(text)

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, UserFacingError):
            self.summary.setText(error.message)
        else:
            sys.excepthook(type(error), error, error.__traceback__)

    def _on_finished(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.deleteLater()
        self._set_busy(False)

    def _on_kind_changed(self, _index: int) -> None:
        if self._path is not None:
            self.open_file(self._path)

    # -- Qt overrides ----------------------------------------------------------------------------------

    def reject(self) -> None:
        if self._worker is not None:  # closing stops the work; nothing half-written (one transaction)
            self._worker.cancel()
            self._worker.wait(60_000)
        super().reject()
