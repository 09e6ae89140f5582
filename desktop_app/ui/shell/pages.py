"""The page table: every page of the main window written once, with its key, icon, labels,
permission and the factory that builds it. The stack, the navigation rail, the View menu with its
Ctrl+1…n shortcuts and what a person may see are all built from this one table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QStackedWidget, QVBoxLayout, QWidget

from desktop_app.domain.permissions import Actor, Permission
from desktop_app.services.access import may
from desktop_app.ui import theme


class Page(IntEnum):
    """The pages in the order they are shown; the value is the page's place in the stack and the
    rail, and Ctrl+(value+1) opens it (Ctrl+0 the tenth)."""

    QUEUE = 0
    TICKET = 1
    MACHINES = 2
    CONTRACTS = 3
    SETTINGS = 4
    AUDIT = 5
    NOTICES = 6
    CUSTOMERS = 7  # after the pages before, so they keep their Ctrl+number
    MAIL = 8  # "Correo sin clasificar" (Ctrl+9), for those who handle mail
    REPORTS = 9  # "Informes" (Ctrl+0: the tenth key of the number row)


@dataclass(frozen=True)
class PageContent:
    """What a page factory builds: the body, and tools to show at the right of the page's title."""

    body: QWidget
    tools: QWidget | None = None


@dataclass(frozen=True)
class PageSpec:
    """One row of the page table.

    Attributes:
        key: where it sits (stack index, rail row, shortcut number).
        icon: the name of its icon in resources/icons.
        label: the short name in the rail and the View menu (already translated).
        title: the heading above the page (already translated).
        permission: what the person needs to see the page; None for everyone.
        build: makes the page's widgets (called once, in table order).
    """

    key: Page
    icon: str
    label: str
    title: str
    permission: Permission | None
    build: Callable[[], PageContent]

    @property
    def shortcut(self) -> QKeySequence:
        return QKeySequence(f"Ctrl+{(int(self.key) + 1) % 10}")

    def allowed_for(self, actor: Actor) -> bool:
        return self.permission is None or may(actor, self.permission)


def check_table(specs: Sequence[PageSpec]) -> None:
    """The table lists every page once, in stack order (a page added to `Page` but not to the
    table, or out of place, fails at start-up rather than showing the wrong page)."""
    keys = [spec.key for spec in specs]
    if keys != list(Page):
        raise ValueError(f"the page table must list {list(Page)} in order, not {keys}")


def page_frame(title: str, content: PageContent) -> QWidget:
    """A working-area page: the title (with optional tools to its right) above the body."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(16, 12, 16, 8)
    layout.setSpacing(8)
    title_row = QHBoxLayout()
    title_row.addWidget(QLabel(title, objectName="pageTitle"))
    title_row.addStretch(1)
    if content.tools is not None:
        title_row.addWidget(content.tools, 2)
    layout.addLayout(title_row)
    layout.addWidget(content.body, 1)
    return page


def build_stack(specs: Sequence[PageSpec]) -> QStackedWidget:
    """Every page, built by its factory in table order, framed with its title."""
    check_table(specs)
    stack = QStackedWidget()
    for spec in specs:
        stack.addWidget(page_frame(spec.title, spec.build()))
    return stack


class NavigationRail(QListWidget):
    """The rail on the left: one row per page, hidden when the person may not see the page;
    icons only on a narrow window, with the names kept in tooltips."""

    def __init__(self, specs: Sequence[PageSpec], actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("navigation")
        self.setIconSize(QSize(20, 20))
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for spec in specs:
            shortcut = spec.shortcut.toString(QKeySequence.SequenceFormat.PortableText)
            item = QListWidgetItem(theme.icon(spec.icon), spec.label)
            item.setToolTip(f"{spec.label} ({shortcut})")
            item.setData(Qt.ItemDataRole.UserRole, spec.label)
            item.setSizeHint(QSize(0, 36))
            self.addItem(item)
            # The services refuse what the person may not do; the page is not offered either.
            item.setHidden(not spec.allowed_for(actor))
        self._compact: bool | None = None
        self.set_compact(False)

    def set_compact(self, compact: bool) -> None:
        """Icons only on a laptop screen, so the queue keeps its columns; labels stay in tooltips.
        Otherwise wide enough for the longest label in the language in force, never clipped."""
        if compact == self._compact:
            return
        self._compact = compact
        for i in range(self.count()):
            item = self.item(i)
            item.setText("" if compact else item.data(Qt.ItemDataRole.UserRole))
        if compact:
            self.setFixedWidth(self.iconSize().width() + 44)
            return
        metrics = self.fontMetrics()
        longest = max(
            metrics.horizontalAdvance(self.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.count())
        )
        self.setFixedWidth(longest + self.iconSize().width() + 50)
