"""The window's one tray icon, for desktop notifications (a breach coming, new notices). Made on
first use, and only where the system has a tray: offscreen, or a Linux desktop without one, the
window's own bell and status bar say it alone."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSystemTrayIcon

from desktop_app.i18n import _
from desktop_app.ui import theme

MESSAGE_MS = 10_000


class DesktopNotifier(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray: QSystemTrayIcon | None = None
        self._on_click: Callable[[], None] | None = None

    def notify(
        self,
        text: str,
        icon: QSystemTrayIcon.MessageIcon = QSystemTrayIcon.MessageIcon.Information,
        on_click: Callable[[], None] | None = None,
    ) -> bool:
        """Show a desktop notification; `on_click` runs when the person clicks it. Returns whether
        it could be shown (False where there is no tray)."""
        tray = self._tray_icon()
        if tray is None:
            return False
        self._on_click = on_click  # a click answers the last message shown
        tray.showMessage(_("makeR Soporte"), text, icon, MESSAGE_MS)
        return True

    def _tray_icon(self) -> QSystemTrayIcon | None:
        if self._tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            self._tray = QSystemTrayIcon(theme.app_icon(), self)
            self._tray.setToolTip(_("makeR Soporte"))
            self._tray.messageClicked.connect(self._on_message_clicked)
            self._tray.show()
        return self._tray

    def _on_message_clicked(self) -> None:
        if self._on_click is not None:
            self._on_click()
