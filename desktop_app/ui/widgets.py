"""Small widget recipes the views share, so every list and search box looks and behaves the same."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QLocale
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QSpinBox, QTableView, QWidget

from desktop_app.i18n import current_language
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


def money_spin(maximum: int, step: int, suffix: str = "") -> QSpinBox:
    """A peso amount in whole COP, grouped as the language writes it: "$ 4.800.000" in Spanish."""
    spin = QSpinBox(minimum=0, maximum=maximum, singleStep=step)
    if current_language().startswith("es"):
        spin.setLocale(QLocale(QLocale.Language.Spanish, QLocale.Country.Colombia))
    spin.setPrefix("$ ")
    spin.setSuffix(suffix)
    spin.setGroupSeparatorShown(True)
    return spin
