"""Small widget recipes the views share, so every list and search box looks and behaves the same."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTableView, QWidget

from desktop_app.ui import theme


def search_field(placeholder: str, parent: QWidget | None = None) -> QLineEdit:
    """The search box of a page: magnifier on the left, a clear button, styled as #search."""
    field = QLineEdit(parent, objectName="search")
    field.setPlaceholderText(placeholder)
    field.setClearButtonEnabled(True)
    field.addAction(theme.icon("search", theme.colors().muted), QLineEdit.ActionPosition.LeadingPosition)
    return field


def record_table(model: QAbstractItemModel, row_height: int = 28) -> QTableView:
    """A read-only table of records: whole rows selected one at a time, no grid, no row numbers."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(row_height)
    return table
