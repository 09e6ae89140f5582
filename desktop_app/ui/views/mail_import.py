"""Saved mails (.eml) brought in by hand: dropped on the window or chosen with File → "Importar
correo guardado…". Each goes through the same inbound pipeline as fetched mail (import_mail, off
the GUI thread), and a summary says where each went: a ticket's number, "sin clasificar",
"descartado automático", or why it could not be read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt, Signal
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

from desktop_app.domain.permissions import Actor
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _, ngettext
from desktop_app.services.mail.inbound import InboundOutcome
from desktop_app.ui.tasks import TaskRunner
from desktop_app.wording.ticket_mail import inbound_outcome_text

MAIL_SUFFIXES = (".eml",)


class MailImporter(Protocol):
    """What the import asks of the mail service (Desk.mail)."""

    def import_mail(self, raw: bytes, *, actor: Actor, source: str = "file") -> InboundOutcome: ...


@dataclass(frozen=True)
class ImportedMail:
    """One file and where it went: the outcome's state ("ticket", "unclassified", …) and ticket
    number, or `problem` when the file could not be imported (nothing was written then)."""

    path: Path
    state: str = ""
    ticket_number: str = ""
    message: str = ""
    problem: str = ""

    @property
    def where(self) -> str:
        if self.problem:
            return _("not imported: {reason}").format(reason=self.problem)
        return inbound_outcome_text(self.state, self.ticket_number)


def is_saved_mail(path: Path) -> bool:
    return path.suffix.lower() in MAIL_SUFFIXES


def import_files(importer: MailImporter, actor: Actor, paths: Sequence[Path]) -> list[ImportedMail]:
    """Import each file in its own step (runs off the GUI thread): one refused file never stops
    the others."""
    done: list[ImportedMail] = []
    for path in paths:
        try:
            raw = path.read_bytes()  # a huge one is kept raw and set aside by the service
        except OSError as exc:
            done.append(ImportedMail(path, problem=str(exc.strerror or exc)))
            continue
        try:
            outcome = importer.import_mail(raw, actor=actor, source="file")
        except UserFacingError as exc:
            done.append(ImportedMail(path, problem=exc.message))
            continue
        done.append(ImportedMail(path, outcome.state, outcome.ticket_number, outcome.message))
    return done


class MailImportSummary(QDialog):
    """Where each saved mail went, one line per file."""

    def __init__(self, results: Sequence[ImportedMail], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Saved mail imported"))
        self.results = list(results)
        imported = sum(1 for r in results if not r.problem)
        heading = ngettext("{n} saved mail imported.", "{n} saved mails imported.", imported).format(n=imported)
        refused = len(results) - imported
        if refused:
            heading += " " + ngettext("{n} file was not.", "{n} files were not.", refused).format(n=refused)
        self.heading = QLabel(heading, wordWrap=True)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels([_("File"), _("Went to"), _("Detail")])
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.header().setStretchLastSection(True)
        for result in results:
            item = QTreeWidgetItem([result.path.name, result.where, result.message])
            item.setToolTip(0, str(result.path))
            item.setToolTip(2, result.message)
            self.table.addTopLevelItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(640, 300)

    def lines(self) -> list[tuple[str, str]]:
        """(file name, where it went) per file, as shown."""
        return [
            (self.table.topLevelItem(i).text(0), self.table.topLevelItem(i).text(1))
            for i in range(self.table.topLevelItemCount())
        ]


class SavedMailImport(QWidget):
    """Runs an import of saved mails and shows the summary; one object per window.

    Signals:
    imported(list): the files are in (a list of ImportedMail); the window reads its lists again.
    summary_shown(MailImportSummary): the summary dialog is open (for tests and screenshots).
    """

    imported = Signal(list)
    summary_shown = Signal(object)

    def __init__(self, importer: MailImporter, actor: Actor, tasks: TaskRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self.hide()
        self._importer, self._actor, self._tasks, self._parent = importer, actor, tasks, parent
        self.summary: MailImportSummary | None = None

    def import_paths(self, paths: Sequence[Path], on_done: Callable[[list[ImportedMail]], None] | None = None) -> bool:
        """Import the .eml files among `paths` off the GUI thread; False when none was an .eml
        (then nothing is done and the person is told by the caller)."""
        mails = [p for p in paths if is_saved_mail(p)]
        skipped = [ImportedMail(p, problem=_("not a saved mail (.eml)")) for p in paths if not is_saved_mail(p)]
        if not mails:
            return False
        importer, actor = self._importer, self._actor

        def done(results: list[ImportedMail]) -> None:
            results = results + skipped
            self.imported.emit(results)
            self._show_summary(results)
            if on_done is not None:
                on_done(results)

        def failed(error: UserFacingError) -> None:
            self._show_summary([ImportedMail(p, problem=error.message) for p in mails] + skipped)

        self._tasks.run(lambda: import_files(importer, actor, mails), done, failed)
        return True

    def _show_summary(self, results: list[ImportedMail]) -> None:
        dialog = MailImportSummary(results, self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.summary = dialog
        dialog.open()
        self.summary_shown.emit(dialog)


__all__ = ["ImportedMail", "MailImportSummary", "SavedMailImport", "import_files", "is_saved_mail"]
