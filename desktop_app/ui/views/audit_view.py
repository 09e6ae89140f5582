"""R18: the audit log, searchable by an administrator; records by their references, fields by their
labels, and a double-click opens the record."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
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
from desktop_app.wording import audit_action_label, audit_entity_label

_TARGET = Qt.ItemDataRole.UserRole  # on each row's first cell: (kind, id) of the record a double-click opens


def changes_text(entry: AuditEntryView) -> str:
    """ "Severidad: Alta → Crítica; Agente asignado: Laura Pérez → Diego Martínez", short enough
    for a table cell; the stored codes when the service did not word the entry."""
    if entry.fields:
        worded = [(change.label, change.before, change.after) for change in entry.fields]
    else:
        worded = [(name, before, after) for name, (before, after) in sorted(entry.changes.items())]
    return "; ".join(f"{label}: {before[:60] or '∅'} → {after[:60] or '∅'}" for label, before, after in worded)


def record_text(entry: AuditEntryView) -> str:
    """ "Ticket SOP-2026-00285", "Contrato FE-1024", "Política versión 7"."""
    reference = entry.record.label if entry.record is not None else entry.entity_id
    return f"{audit_entity_label(entry.entity)} {reference}"


class AuditView(QWidget):
    """Signals (a double-click, or Enter, on a row):
    ticket_open_requested(int): the entry is about a ticket (or one of its visits).
    machine_open_requested(int): about a machine (or a visit without a ticket).
    contract_open_requested(int): about a contract (or one of its certificates).
    """

    ticket_open_requested = Signal(int)
    machine_open_requested = Signal(int)
    contract_open_requested = Signal(int)

    def __init__(self, audit: AuditService, actor: Actor, timezone, parent: QWidget | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self._audit, self._actor, self._tz = audit, actor, timezone
        self.search = search_field(_("Search the changes, a ticket number, an invoice or a serial…"))
        self.entity = QComboBox()
        self.entity.addItem(_("All records"), "")
        for code in (
            "ticket",
            "contract",
            "machine",
            "visit",
            "certificate",
            "policy",
            "user",
            "product_model",
            "company",
        ):
            self.entity.addItem(audit_entity_label(code), code)
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
        self.table.itemActivated.connect(self._on_item_activated)

    def reload(self) -> None:
        entries = self._audit.search(
            self._actor, entity=self.entity.currentData() or "", text=self.search.text().strip()
        )
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            values = (
                format_datetime(entry.at, self._tz),
                entry.actor_name or _("System"),
                record_text(entry),
                audit_action_label(entry.action),
                changes_text(entry),
            )
            target = entry.record if entry.record is not None and entry.record.open_kind else None
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 4:
                    item.setToolTip(value.replace("; ", "\n"))
                elif target is not None:
                    item.setToolTip(_("Double-click to open {record}").format(record=record_text(entry)))
                if column == 0 and target is not None:
                    item.setData(_TARGET, (target.open_kind, target.open_id))
                self.table.setItem(row, column, item)
        self.count.setText(ngettext("{n} change", "{n} changes", len(entries)).format(n=len(entries)))

    def _on_item_activated(self, item: QTableWidgetItem) -> None:
        first = self.table.item(item.row(), 0)
        target = first.data(_TARGET) if first is not None else None
        if not target:
            return  # a policy version or a person: there is no page to open
        kind, record_id = target
        signal = {
            "ticket": self.ticket_open_requested,
            "machine": self.machine_open_requested,
            "contract": self.contract_open_requested,
        }.get(kind)
        if signal is not None and record_id is not None:
            signal.emit(int(record_id))

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.reload()
        super().showEvent(event)
