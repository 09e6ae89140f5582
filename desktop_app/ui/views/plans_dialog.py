"""The support plans in force (R6), read-only, for whoever records contracts: what each plan includes
and costs. Administrators change them in Settings."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.money import IVA_RATE_PERCENT
from desktop_app.domain.policy import PlanTerms
from desktop_app.formatting import format_money
from desktop_app.i18n import _
from desktop_app.services.pricing import price_with_iva


class PlansDialog(QDialog):
    def __init__(self, plans: list[PlanTerms], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Support plans"))
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(
            [
                _("Plan"),
                _("Category"),
                _("On-site"),
                _("Advisory hours"),
                _("Maintenances"),
                _("Price before IVA"),
                _("Total with IVA {rate} %").format(rate=IVA_RATE_PERCENT),
                _("Extra hour"),
            ]
        )
        for plan in sorted(plans, key=lambda p: p.rank):
            item = QTreeWidgetItem(
                [
                    plan.name,
                    str(plan.rank),
                    _("Yes") if plan.onsite else _("No"),
                    str(plan.included_advisory_hours),
                    str(plan.included_maintenances),
                    format_money(plan.price_before_iva),
                    format_money(price_with_iva(plan.price_before_iva).total),
                    format_money(plan.extra_hour_rate),
                ]
            )
            for column in range(1, 8):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.addTopLevelItem(item)
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in range(self.table.columnCount()):
            self.table.resizeColumnToContents(column)
        table_width = self.table.header().length() + 2 * self.table.frameWidth() + 8
        note = QLabel(_("Category 1 is served first. Administrators change the plans in Settings."), objectName="hint")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(max(600, table_width + 24), 260)  # every column shown, no sideways scrolling
