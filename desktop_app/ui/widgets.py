"""Small widget recipes the views share, so every list and search box looks and behaves the same."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractItemModel, QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import current_language
from desktop_app.services.dto import Choice
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


def customer_combo(customers: list[Choice]) -> QComboBox:
    """The customers, typed to find among hundreds; the item data is the customer's id."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    for choice in customers:
        combo.addItem(choice.label, int(choice.value))
    return combo


def chosen_id(combo: QComboBox) -> int:
    """The chosen item's id, or 0 when the typed text matches no item (the service then names the
    field): an editable combo keeps its last item selected under text that no longer matches."""
    if combo.currentText() != combo.itemText(combo.currentIndex()):
        return 0
    value = combo.currentData()
    return int(value) if value is not None else 0


def scrolled(page: QWidget) -> QScrollArea:
    """`page` in a frameless scroll area that resizes it: a record's page on a laptop screen."""
    scroll = QScrollArea()
    scroll.setWidget(page)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    return scroll


@dataclass(frozen=True)
class ListAndDetail:
    empty: QLabel  # what the detail side says while nothing is chosen
    stack: QStackedWidget  # the empty label (index 0) or the detail (index 1)
    splitter: QSplitter


def list_and_detail(
    view: QWidget, table: QWidget, detail: QWidget, sizes: tuple[int, int], stretch: tuple[int, int], empty: str = ""
) -> ListAndDetail:
    """Lay `view` out as a list beside the chosen record's detail (customers, machines, mail to
    classify): `sizes` are the widths at 1366 px, `stretch` how wider screens share the rest."""
    label = QLabel(empty, objectName="emptyState", wordWrap=True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    stack = QStackedWidget()
    stack.addWidget(label)
    stack.addWidget(detail)
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(table)
    splitter.addWidget(stack)
    splitter.setStretchFactor(0, stretch[0])
    splitter.setStretchFactor(1, stretch[1])
    splitter.setSizes(list(sizes))
    splitter.setChildrenCollapsible(False)
    layout = QVBoxLayout(view)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(splitter)
    return ListAndDetail(label, stack, splitter)
