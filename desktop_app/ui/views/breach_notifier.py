"""Warns the signed-in person when a ticket they are responsible for is about to breach (or has
breached) its promise, once per ticket and state, without a modal dialog: a status-bar button
that lists them, and a desktop notification where the system has a tray.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QToolButton, QWidget

from desktop_app.domain.sla import SlaState
from desktop_app.i18n import _, ngettext
from desktop_app.services.dto import QueueRow
from desktop_app.ui import theme
from desktop_app.ui.tray import DesktopNotifier
from desktop_app.wording import sla_text


class BreachNotifier(QToolButton):
    """Signals:
    ticket_open_requested(int): the person chose a ticket from the list.
    announced(str): a new warning, for the status bar.
    """

    ticket_open_requested = Signal(int)
    announced = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, desktop: DesktopNotifier | None = None) -> None:
        """Args:
        desktop: the window's desktop notifications (one tray icon for the whole window).
        """
        super().__init__(parent)
        self.setObjectName("breachNotifier")
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setIcon(theme.icon("escalation"))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._menu = QMenu(self)
        self.setMenu(self._menu)
        self._announced: dict[int, SlaState] = {}
        self._rows: tuple[QueueRow, ...] = ()
        self._desktop = desktop or DesktopNotifier(self)
        self.hide()

    @property
    def rows(self) -> tuple[QueueRow, ...]:
        return self._rows

    def update_rows(self, rows: tuple[QueueRow, ...]) -> list[QueueRow]:
        """Show the tickets needing attention; returns those announced now for the first time
        in their current state (a ticket at risk is announced again when it breaches)."""
        self._rows = rows
        fresh = [row for row in rows if self._announced.get(int(row.entry.id)) is not row.sla.state]
        self._announced = {int(row.entry.id): row.sla.state for row in rows}
        self._menu.clear()
        for row in rows:
            action = self._menu.addAction(f"{row.entry.number} · {sla_text(row.sla)} · {row.entry.customer_name}")
            action.triggered.connect(lambda _checked=False, i=int(row.entry.id): self.ticket_open_requested.emit(i))
        breached = sum(1 for row in rows if row.sla.state is SlaState.BREACHED)
        self.setText(
            ngettext("{n} of mine needs attention", "{n} of mine need attention", len(rows)).format(n=len(rows))
        )
        self.setToolTip(
            _("Your tickets about to breach: {risk}; overdue: {breached}").format(
                risk=len(rows) - breached, breached=breached
            )
        )
        self.setVisible(bool(rows))
        if fresh:
            self._announce(fresh)
        return fresh

    def _announce(self, fresh: list[QueueRow]) -> None:
        first = fresh[0]
        if len(fresh) == 1:
            message = _("Ticket {number} ({customer}): {state}.").format(
                number=first.entry.number, customer=first.entry.customer_name, state=sla_text(first.sla)
            )
        else:
            message = ngettext(
                "{n} of your tickets needs attention; the first: {number}, {state}.",
                "{n} of your tickets need attention; the first: {number}, {state}.",
                len(fresh),
            ).format(n=len(fresh), number=first.entry.number, state=sla_text(first.sla))
        self.announced.emit(message)
        ticket_id = int(first.entry.id)
        self._desktop.notify(
            message,
            QSystemTrayIcon.MessageIcon.Warning,
            on_click=lambda: self.ticket_open_requested.emit(ticket_id),
        )
