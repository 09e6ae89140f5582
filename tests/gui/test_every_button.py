"""Every enabled button and menu action on every page, pressed as a person would (issue 11).

A signed-in person (administrator, agent, technician) on the demo data in a real SQLite file walks
the navigation page by page, selects the first record where a page lists records, and presses every
visible, enabled QPushButton and QToolButton, then triggers every enabled menu action. Dialogs
opened on the way are looked at the same way one level deep (their buttons pressed too, except
Cancel/Close, which closing the dialog does anyway) and then dismissed; file dialogs answer with
paths under tmp_path, message boxes answer "Yes"/"OK" and keep their text.

It fails on any uncaught exception, any Qt warning, and any visible text that names a Python value
(``False``, ``None``, ``True``, ``Traceback``, ``<desktop_app.…>``, ``object at 0x``, ``KeyError``…):
the kind of text a person cannot act on, and the sign of a slot that got the wrong argument
(ARCHITECTURE.md convention 20). Problems are collected along the way and reported together, each
with the path of presses that led to it.

When it was written it found "La máquina False no existe." behind the queue's "Nuevo ticket" button,
a TypeError behind "Certificados en lote…" (both a ``clicked(bool)`` reaching an optional parameter), an
AttributeError behind "Pegar" with an empty clipboard, and, at the end of its run, PySide6 6.12.0
losing a reference to True per emitted signal (see desktop_app/ui/pyside_workarounds.py).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QSettings,
    Qt,
    QThread,
    QTimer,
    QtMsgType,
    qWarning,
)
from PySide6.QtGui import QAction, QColor, QDesktopServices, QImage
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app import connection as conn
from desktop_app.bootstrap import Services
from desktop_app.devices.camera import FrameListSource
from desktop_app.devices.qr_decoder import default_chain
from desktop_app.devices.scanning import Scanner
from desktop_app.services.demo import DEMO_PASSWORD
from desktop_app.signing import generate_keys
from desktop_app.ui import theme
from desktop_app.ui.main_window import MainWindow, Page
from desktop_app.ui.tasks import TaskRunner
from tests.gui.conftest import _QT_TRANSLATORS

# Text a person should never read: a Python value or a programmer's name for a failure.
PYTHON_VALUE = re.compile(
    r"\b(?:False|None|True)\b"
    r"|Traceback"
    r"|<desktop_app\."
    r"|object at 0x"
    # KeyError, OSError, UserFacingError…; "Error" alone is a word a person may read.
    r"|\b[A-Z][A-Za-z]*(?:Error|Exception|Warning)\b"
)

_QT_WARNINGS = {QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg}
ITEM_VIEW_ROWS = 60  # rows of each visible list/table whose texts are read
WATCHDOG_MS = 200
UNANSWERED_AFTER_TICKS = 15  # 3 s: a dialog still unanswered while a press blocks
_SEEN = "everyButtonSeen"  # a dynamic property on each dialog already looked at
SETTLE_TIMEOUT_S = 20


def _python_values(text: str) -> list[str]:
    return [m.group(0) for m in PYTHON_VALUE.finditer(text)]


def _describe(widget: QWidget) -> str:
    text = ""
    if isinstance(widget, QAbstractButton):
        text = widget.text() or widget.toolTip()
    return f"{type(widget).__name__}({text.replace('&', '')!r})"


def _columns(model: QAbstractItemModel, parent: QModelIndex) -> int:
    # A list model's columnCount and hasChildren are private in Qt 6: one column, no children.
    return 1 if isinstance(model, QAbstractListModel) else model.columnCount(parent)


def _model_texts(model: QAbstractItemModel, parent: QModelIndex, budget: list[int]) -> Iterator[str]:
    rows = min(model.rowCount(parent), ITEM_VIEW_ROWS)
    for row in range(rows):
        for column in range(_columns(model, parent)):
            if budget[0] <= 0:
                return
            budget[0] -= 1
            index = model.index(row, column, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(index, role)
                if isinstance(value, str) and value:
                    yield value
                elif value is not None and role == Qt.ItemDataRole.DisplayRole and not isinstance(value, int | float):
                    yield repr(value)  # a cell that shows a Python object, not a text
            flat = isinstance(model, QAbstractListModel | QAbstractTableModel)  # hasChildren is private there
            if column == 0 and not flat and model.rowCount(index) > 0:
                yield from _model_texts(model, index, budget)


def visible_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for what a person can read in root: labels, buttons, titles, tooltips, list cells."""
    if root.windowTitle():
        yield "window title", root.windowTitle()
    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        if not shiboken6.isValid(widget) or not widget.isVisible():
            continue
        name = type(widget).__name__
        if widget.toolTip():
            yield f"{name} tooltip", widget.toolTip()
        if isinstance(widget, QLabel | QAbstractButton):
            if widget.text():
                yield name, widget.text()
        elif isinstance(widget, QGroupBox):
            yield name, widget.title()
        elif isinstance(widget, QLineEdit):
            if widget.placeholderText():
                yield f"{name} placeholder", widget.placeholderText()
            if widget.isReadOnly() and widget.text():
                yield name, widget.text()
        elif isinstance(widget, QTextEdit | QPlainTextEdit):
            if widget.isReadOnly():
                yield name, widget.toPlainText()
        elif isinstance(widget, QComboBox):
            for i in range(widget.count()):
                yield name, widget.itemText(i)
        elif isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                yield name, widget.tabText(i)
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for column in range(_columns(model, QModelIndex())):
                header = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
                if isinstance(header, str):
                    yield f"{name} header", header
            for text in _model_texts(model, QModelIndex(), [ITEM_VIEW_ROWS * 12]):
                yield f"{name} cell", text


class Explorer:
    """Presses things and keeps what went wrong, with the path of presses that led there."""

    def __init__(
        self,
        qtbot: QtBot,
        window: QMainWindow,
        qtlog: Any,
        tmp_path: Path,
        tasks: TaskRunner | None = None,
        threads: Callable[[], list[QThread]] = list,
    ) -> None:
        self.qtbot, self.window, self.qtlog = qtbot, window, qtlog
        self._tasks, self._threads = tasks, threads
        self.problems: list[str] = []
        self.pressed: list[str] = []
        self.path: list[str] = []
        self._reported: set[tuple[str, str]] = set()
        self.said: list[str] = []  # message boxes' texts, as shown
        self.files = tmp_path / "files"
        self.files.mkdir()
        self._serial = 0
        self._blocking = 0
        self._stuck_ticks: dict[int, int] = {}
        self._logged = 0
        self.sample_image = self.files / "foto-de-la-maquina.png"
        image = QImage(64, 48, QImage.Format.Format_RGB32)
        image.fill(QColor("#E8711A"))
        image.save(str(self.sample_image))
        self.sample_log = self.files / "registro.txt"
        self.sample_log.write_text("Error de calibración del eje Z\n", encoding="utf-8")
        # A watchdog for what would block the run: a popup menu or a dialog that nobody answers while a
        # press is still running (a C++-level exec() this file did not replace).
        self._watchdog = QTimer(interval=WATCHDOG_MS)
        self._watchdog.timeout.connect(self._on_watchdog)
        self._watchdog.start()

    # -- what a person sees ----------------------------------------------------------------------

    def problem(self, what: str) -> None:
        self.problems.append(f"{' › '.join(self.path) or '(start)'}: {what}")

    def check_text(self, where: str, text: str) -> None:
        found = _python_values(text)
        if found and (where, text) not in self._reported:  # named once, at the press that showed it
            self._reported.add((where, text))
            self.problem(f"{where} shows {found}: {text!r}")

    def check_widget(self, root: QWidget) -> None:
        for where, text in visible_texts(root):
            self.check_text(where, text)

    def check_window(self, whole: bool = False) -> None:
        """What the window shows: all of it, or (after a press) the page in front and the status bar."""
        pages = self.window.findChild(QStackedWidget)
        if whole or pages is None or pages.currentWidget() is None:
            self.check_widget(self.window)
        else:
            self.check_widget(pages.currentWidget())
            self.check_widget(self.window.statusBar())
        self.check_text("status bar", self.window.statusBar().currentMessage())

    def check_log(self) -> None:
        records = self.qtlog.records
        for record in records[self._logged :]:
            if record.type in _QT_WARNINGS and not record.ignored:
                self.problem(f"Qt {record.type_name}: {record.message}")
        self._logged = len(records)

    # -- answering dialogs -----------------------------------------------------------------------

    def save_path(self, suggested: str = "") -> str:
        self._serial += 1
        name = Path(suggested).name if suggested else "archivo"
        return str(self.files / f"{self._serial:03d}-{name}")

    def folder(self) -> str:
        self._serial += 1
        folder = self.files / f"{self._serial:03d}-carpeta"
        folder.mkdir()
        return str(folder)

    def message_box(self, kind: str) -> Callable[..., QMessageBox.StandardButton]:
        def answer(parent: object, title: str, text: str, *args: object, **kwargs: object) -> Any:
            self.said.append(f"{kind}: {title}: {text}")
            self.check_text(f"QMessageBox.{kind} title", title)
            self.check_text(f"QMessageBox.{kind}", text)
            if kind == "question":
                return QMessageBox.StandardButton.Yes
            return QMessageBox.StandardButton.Ok

        return answer

    def input_text(self, parent: object, title: str, label: str, *args: object, **kwargs: object) -> tuple[str, bool]:
        self.said.append(f"input: {title}: {label}")
        self.check_text("QInputDialog title", title)
        self.check_text("QInputDialog", label)
        return "Prueba de todos los botones", True

    def exec_dialog(self, dialog: QDialog) -> int:
        """Stands in for QDialog.exec(): look at the dialog (and press its buttons one level deep)."""
        self.visit_dialog(dialog)
        return dialog.result()

    def visit_dialog(self, dialog: QDialog) -> None:
        dialog.setProperty(_SEEN, True)
        self.path.append(f"dialog {dialog.windowTitle()!r}")
        try:
            if not dialog.isVisible():
                dialog.show()
            self.settle()
            if not shiboken6.isValid(dialog):
                return
            self.check_widget(dialog)
            nested = sum(1 for p in self.path if p.startswith("dialog "))
            if nested == 1:
                for button in self.buttons_in(dialog):
                    if not shiboken6.isValid(dialog) or not dialog.isVisible():
                        break
                    if self._closes(button):
                        continue  # closing the dialog below does the same
                    self.press(button)
                    if shiboken6.isValid(dialog) and dialog.isVisible():
                        self.check_widget(dialog)
            if shiboken6.isValid(dialog) and dialog.isVisible():
                dialog.reject()
                self.settle()
        finally:
            self.path.pop()

    @staticmethod
    def _closes(button: QAbstractButton) -> bool:
        box = button.parent()
        if isinstance(box, QDialogButtonBox):
            return box.buttonRole(button) == QDialogButtonBox.ButtonRole.RejectRole
        return False

    def new_dialogs(self) -> list[QDialog]:
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QDialog) and w.isVisible() and not w.property(_SEEN)
        ]

    def _on_watchdog(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMenu) and widget.isVisible():
                self.check_widget(widget)
                widget.hide()
        if not self._blocking:
            self._stuck_ticks.clear()
            return
        for dialog in self.new_dialogs():
            ticks = self._stuck_ticks.get(id(dialog), 0) + 1
            self._stuck_ticks[id(dialog)] = ticks
            if ticks >= UNANSWERED_AFTER_TICKS:
                self.problem(f"a dialog nobody could answer: {dialog.windowTitle()!r}")
                dialog.setProperty(_SEEN, True)
                dialog.reject()

    # -- pressing --------------------------------------------------------------------------------

    def settle(self) -> None:
        """Let the press finish: background tasks done, their results delivered, threads ended."""
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        for _round in range(3):  # a result may start more work (a saved ticket reloads the queue)
            if self._tasks is not None:
                self._tasks.wait(SETTLE_TIMEOUT_S * 1000)
            for thread in self._threads():
                if shiboken6.isValid(thread) and thread.isRunning():
                    thread.wait(SETTLE_TIMEOUT_S * 1000)
            QApplication.processEvents()
            QApplication.sendPostedEvents()  # deferred deletes and queued results, without waiting
            if time.monotonic() > deadline:
                self.problem("still busy after the press")
                break

    def buttons_in(self, root: QWidget) -> list[QAbstractButton]:
        return [
            b
            for b in root.findChildren(QAbstractButton)
            if isinstance(b, QPushButton | QToolButton) and b.isVisible() and b.isEnabled()
        ]

    def press(self, target: QAbstractButton | QAction, restore_checked: bool = True) -> None:
        """Press a button (with the mouse) or trigger an action; look at what it opened; check it all."""
        self.path.append(
            f"action {target.text().replace('&', '')!r}" if isinstance(target, QAction) else _describe(target)
        )
        self.pressed.append(" › ".join(self.path))
        try:
            with self.qtbot.captureExceptions() as exceptions:
                self._blocking += 1
                try:
                    if isinstance(target, QAction):
                        target.trigger()
                    else:
                        self.qtbot.mouseClick(target, Qt.MouseButton.LeftButton)
                finally:
                    self._blocking -= 1
                QApplication.processEvents()
                # Opened with .open()/.show(), not blocking: a progress dialog is answered (cancelled)
                # before waiting on the work behind it; a dialog that opens when work is done, after.
                for dialog in self.new_dialogs():
                    self.visit_dialog(dialog)
                self.settle()
                for dialog in self.new_dialogs():
                    self.visit_dialog(dialog)
                toggled = isinstance(target, QAbstractButton) and target.isCheckable() and restore_checked
                if toggled and shiboken6.isValid(target) and target.isVisible() and target.isEnabled():
                    self.qtbot.mouseClick(target, Qt.MouseButton.LeftButton)  # and back, for the next presses
                    self.settle()
            for _type, value, _tb in exceptions:
                self.problem(f"uncaught {type(value).__name__}: {value}")
            self.check_log()
            self.check_window()
        finally:
            self.path.pop()

    def press_menu_button(self, button: QToolButton) -> None:
        """A button with a drop-down list: each of its entries, instead of a blocking popup."""
        menu = button.menu()
        self.check_widget(menu)
        for action in menu.actions():
            if action.isEnabled() and action.isVisible() and not action.isSeparator() and action.text():
                self.path.append(_describe(button))
                try:
                    self.press(action)
                finally:
                    self.path.pop()


# -- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., Explorer]]:
    """Everything that would wait for a person answered; returns a factory for the explorer."""
    made: list[Explorer] = []

    def make(
        qtbot: QtBot,
        window: QMainWindow,
        qtlog: Any,
        tasks: TaskRunner | None = None,
        threads: Callable[[], list[QThread]] = list,
    ) -> Explorer:
        explorer = Explorer(qtbot, window, qtlog, tmp_path, tasks, threads)
        for kind in ("warning", "critical", "information", "question"):
            monkeypatch.setattr(QMessageBox, kind, explorer.message_box(kind))
        monkeypatch.setattr(
            QMessageBox, "about", lambda parent, title, text: explorer.message_box("about")(parent, title, text)
        )
        monkeypatch.setattr(QDialog, "exec", lambda dialog: explorer.exec_dialog(dialog))
        monkeypatch.setattr(QPrintDialog, "exec", lambda dialog: explorer.said.append("print dialog") or 0)
        monkeypatch.setattr(QInputDialog, "getText", explorer.input_text)
        monkeypatch.setattr(
            QFileDialog,
            "getSaveFileName",
            lambda parent=None, caption="", directory="", *a, **k: (explorer.save_path(directory), ""),
        )
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(explorer.sample_image), ""))
        monkeypatch.setattr(
            QFileDialog,
            "getOpenFileNames",
            lambda *a, **k: ([str(explorer.sample_image), str(explorer.sample_log)], ""),
        )
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: explorer.folder())
        # A saved PDF or an attachment opens in the system's viewer; there is none offscreen.
        monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: explorer.said.append(f"opened {url}") or True)
        made.append(explorer)
        return explorer

    monkeypatch.setenv(conn.CONFIG_DIR_ENV, str(tmp_path / "config"))  # "Guardar" in the connection dialog
    yield make
    for explorer in made:
        explorer._watchdog.stop()


def _window_for(username: str, services: Services, qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> MainWindow:
    theme.apply_theme(qapp)
    if not _QT_TRANSLATORS:  # Qt's own buttons (Guardar, Cancelar) in Spanish, as the app shows them
        _QT_TRANSLATORS.append(theme.install_qt_translator(qapp, "es_CO"))
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    # No camera on this computer: the scan dialog offers a photo instead, and nobody waits on a device.
    scanner = Scanner(default_chain(), lambda: [], lambda _index: FrameListSource([]))
    actor = services.users.sign_in(username, DEMO_PASSWORD)
    window = MainWindow(services.desk, settings, actor, scanner=scanner)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def _select_first_rows(page: QWidget, qtbot: QtBot) -> None:
    """Where a page lists records, open the first one, as a person would before using its buttons."""
    for view in page.findChildren(QAbstractItemView):
        model = view.model()
        if not view.isVisible() or model is None or model.rowCount() == 0 or view.selectionModel() is None:
            continue
        index = model.index(0, 0)
        rect = view.visualRect(index)
        if rect.isValid():
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _walk(explorer: Explorer, window: MainWindow, qtbot: QtBot) -> list[int]:
    """Every page the person is offered, every button on it; then every menu action. Returns the pages seen."""
    explorer.settle()
    explorer.check_window(whole=True)
    seen: list[int] = []
    first_ticket: int | None = None
    navigation = window.navigation
    for page in range(navigation.count()):
        item = navigation.item(page)
        if item.isHidden():
            continue
        seen.append(page)
        explorer.path.append(f"page {item.data(Qt.ItemDataRole.UserRole)!r}")
        try:
            rect = navigation.visualItemRect(item)
            qtbot.mouseClick(navigation.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            assert window.pages.currentIndex() == page
            if page == Page.TICKET and window.ticket_view.detail is None:
                assert first_ticket is not None
                window.open_ticket(first_ticket)
            widget = window.pages.widget(page)
            _select_first_rows(widget, qtbot)
            if page == Page.QUEUE:
                first_ticket = window.queue_view.selected_ticket_id()  # the ticket page shows it
            explorer.settle()
            explorer.check_window(whole=True)
            pressed: set[int] = set()
            for _pass in range(2):  # a press may show more buttons (a record opened, a panel unfolded)
                for button in explorer.buttons_in(widget):
                    if id(button) in pressed:
                        continue
                    if not shiboken6.isValid(button) or not (button.isVisible() and button.isEnabled()):
                        continue
                    pressed.add(id(button))
                    if isinstance(button, QToolButton) and button.menu() is not None:
                        explorer.press_menu_button(button)
                    else:
                        explorer.press(button)
                    if window.pages.currentIndex() != page:  # the press moved on (a ticket opened): come back
                        window.show_page(page)
                        explorer.settle()
        finally:
            explorer.path.pop()

    # The status bar (the "needs attention" list) and the menus, from the queue.
    window.show_page(Page.QUEUE)
    explorer.settle()
    for button in explorer.buttons_in(window.statusBar()):
        if isinstance(button, QToolButton) and button.menu() is not None:
            explorer.press_menu_button(button)
        else:
            explorer.press(button)
    explorer.path.append("menu bar")
    try:
        for menu_action in window.menuBar().actions():
            _trigger_menu(explorer, menu_action.menu())
    finally:
        explorer.path.pop()
    return seen


# Quitting closes the window under test (its closing is covered by test_layout_is_remembered).
_SKIPPED_ACTIONS = {"Salir"}


def _trigger_menu(explorer: Explorer, menu: QMenu) -> None:
    explorer.check_widget(menu)
    for action in menu.actions():
        if action.isSeparator() or not action.isVisible() or not action.isEnabled():
            continue
        if action.menu() is not None:
            _trigger_menu(explorer, action.menu())
        elif action.text().replace("&", "") not in _SKIPPED_ACTIONS:
            explorer.press(action)


# -- the tests ------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "username",
    [
        "admin",  # every page, every administrator's menu entry (users, backups, policy, audit)
        "laura.perez",  # an agent: no policy or audit pages
        "diego.martinez",  # a technician
    ],
)
def test_every_button_and_menu_action_on_every_page_works(
    username: str,
    demo_services: Services,
    qtbot: QtBot,
    qapp: QApplication,
    qtlog: Any,
    tmp_path: Path,
    answered: Callable[..., Explorer],
) -> None:
    generate_keys(demo_services.settings.keys_dir)  # certificates can be issued, as on a set-up desk
    window = _window_for(username, demo_services, qtbot, qapp, tmp_path)
    # The certificate batch runs on its own thread, outside the task runner.
    batch = lambda: [t for t in [getattr(window.contract_view, "_batch", None)] if t is not None]  # noqa: E731
    explorer = answered(qtbot, window, qtlog, window._tasks, batch)

    pages = _walk(explorer, window, qtbot)

    assert not explorer.problems, "\n".join(explorer.problems)
    # The walk really walked: the pages the role is offered, their buttons, the menus.
    assert Page.QUEUE in pages and Page.TICKET in pages and Page.MACHINES in pages and Page.CONTRACTS in pages
    assert len(explorer.pressed) >= 25, explorer.pressed
    pressed = "\n".join(explorer.pressed)
    assert "action 'Acerca de makeR Soporte'" in pressed
    if username == "admin":
        assert Page.SETTINGS in pages and Page.AUDIT in pages
        assert "'Nuevo ticket'" in pressed and "dialog 'Nuevo ticket'" in pressed
    window.close()


@pytest.mark.qt_log_level_fail("CRITICAL")  # this test makes a Qt warning on purpose, and reads it itself
def test_the_walk_notices_an_exception_a_warning_and_a_python_value_on_screen(
    qtbot: QtBot, qtlog: Any, answered: Callable[..., Explorer]
) -> None:
    """The harness itself: each kind of failure it is there to find, made on purpose, is reported."""
    window = QMainWindow()
    qtbot.addWidget(window)
    central = QWidget()
    layout = QVBoxLayout(central)
    label = QLabel("Listo")
    layout.addWidget(label)

    def add(text: str, slot: Callable[[], object]) -> None:
        button = QPushButton(text)
        button.clicked.connect(lambda _checked=False: slot())
        layout.addWidget(button)

    add("Falla", lambda: {}["machine"])
    add("Avisa", lambda: qWarning("QObject::connect: No such signal"))
    add("Muestra", lambda: label.setText("La máquina False no existe."))
    add("Informa", lambda: window.statusBar().showMessage("<desktop_app.services.dto.TicketDetail object at 0x7f00>"))
    add("Pregunta", lambda: QMessageBox.warning(window, "Error", "KeyError: 'machine'"))

    def open_details() -> None:
        details = QDialog(window, windowTitle="Detalle")
        QVBoxLayout(details).addWidget(QLabel("Máquina: None"))
        details.exec()

    add("Abre", open_details)
    add("Correcto", lambda: label.setText("Error al guardar: el archivo ya existe."))  # a person's word for it
    window.setCentralWidget(central)
    window.show()
    qtbot.waitExposed(window)
    explorer = answered(qtbot, window, qtlog)

    for button in explorer.buttons_in(central):
        explorer.press(button)

    found = "\n".join(explorer.problems)
    assert "QPushButton('Falla'): uncaught KeyError" in found
    assert "QPushButton('Avisa'): Qt QtWarningMsg: QObject::connect: No such signal" in found
    assert "QPushButton('Muestra'): QLabel shows ['False']" in found
    assert "QPushButton('Informa'): status bar shows ['<desktop_app.', 'object at 0x']" in found
    assert "QPushButton('Pregunta'): QMessageBox.warning shows ['KeyError']" in found
    assert "QPushButton('Abre') › dialog 'Detalle': QLabel shows ['None']" in found
    assert "'Correcto'" not in found
    assert len(explorer.problems) == 6, found
