"""R18: the audit log, searchable by an administrator."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.permissions import Actor
from desktop_app.formatting import format_datetime
from desktop_app.i18n import _, ngettext
from desktop_app.services.audit import AuditService
from desktop_app.services.dto import AuditView as AuditEntryView
from desktop_app.ui.widgets import search_field
from desktop_app.wording import audit_action_label


def changes_text(entry: AuditEntryView) -> str:
    """ "severity: alta → critica; agent: 4 → 7", short enough for a table cell."""
    parts = []
    for name, (before, after) in sorted(entry.changes.items()):
        before, after = before[:60], after[:60]
        parts.append(f"{name}: {before or '∅'} → {after or '∅'}")
    return "; ".join(parts)


def entity_label(entity: str) -> str:
    return {"ticket": _("Ticket"), "policy": _("Policy"), "user": _("User"), "contract": _("Contract")}.get(
        entity, entity
    )


class AuditView(QWidget):
    def __init__(self, audit: AuditService, actor: Actor, timezone, parent: QWidget | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self._audit, self._actor, self._tz = audit, actor, timezone
        self.search = search_field(_("Search the changes (field, value)…"))
        self.entity = QComboBox()
        self.entity.addItem(_("All records"), "")
        for code in ("ticket", "policy", "user", "contract"):
            self.entity.addItem(entity_label(code), code)
        self.count = QLabel(objectName="muted")
        self.count.setMinimumWidth(self.count.fontMetrics().horizontalAdvance("0000 cambios") + 8)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.entity)
        bar.addWidget(self.count)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [_("When"), _("Who"), _("Record"), _("Action"), _("Changes (before → after)")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.reload)
        self.search.textChanged.connect(self._timer.start)
        self.entity.currentIndexChanged.connect(self.reload)

    def reload(self) -> None:
        entries = self._audit.search(
            self._actor, entity=self.entity.currentData() or "", text=self.search.text().strip()
        )
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            values = (
                format_datetime(entry.at, self._tz),
                entry.actor_name or _("System"),
                f"{entity_label(entry.entity)} {entry.entity_id}",
                audit_action_label(entry.action),
                changes_text(entry),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 4:
                    item.setToolTip(value.replace("; ", "\n"))
                self.table.setItem(row, column, item)
        self.count.setText(ngettext("{n} change", "{n} changes", len(entries)).format(n=len(entries)))

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.reload()
        super().showEvent(event)
