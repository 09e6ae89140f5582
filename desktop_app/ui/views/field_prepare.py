"""Preparar para salir a campo (issue 16): on the office's database, write a technician's field copy
to this computer, then offer to switch the computer to it.

The work itself (field_office.prepare_field_copy) and the switch (the connection file, the window
reopened on the copy) belong to the composition root: app.py hands them over as a
`FieldPreparation`, so the window never imports the persistence layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from desktop_app.domain.permissions import Actor
from desktop_app.errors import UserFacingError
from desktop_app.i18n import _
from desktop_app.ui.tasks import TaskRunner


@dataclass(frozen=True)
class FieldPreparation:
    """What app.py hands the window for "Preparar para salir a campo".

    Attributes:
        prepare: writes the field copy of what the person needs at the path; returns the rows
            written by kind ("customers", "machines", "contracts", "tickets"…). Runs off the GUI thread.
        target: a new file for the copy (never an existing one).
        switch_to: saves the connection as the copy's file and reopens the window on it.
    """

    prepare: Callable[[Actor, Path], Mapping[str, int]]
    target: Callable[[], Path]
    switch_to: Callable[[Path], None]


class FieldCopyPreparer:
    """The flow: confirm, write the copy with a busy dialog, then offer to use it now."""

    def __init__(
        self,
        preparation: FieldPreparation,
        actor: Actor,
        tasks: TaskRunner,
        parent: QWidget,
        say: Callable[[str], None],
    ) -> None:
        self._preparation = preparation
        self._actor = actor
        self._tasks = tasks
        self._parent = parent
        self._say = say
        self.progress: QProgressDialog | None = None
        self.target: Path | None = None

    def start(self) -> bool:
        """Ask, then write the copy off the GUI thread. False when the person said no."""
        target = self._preparation.target()
        city = self._actor.city or _("your city")
        answer = QMessageBox.question(
            self._parent,
            _("Prepare for field work"),
            _(
                "makeR Soporte copies to this computer what you need to work without a connection: the customers "
                "of {city} with their machines and contracts, your open tickets with their history, and the "
                "policy.\n\nFile: {path}\n\nPrepare the field copy?"
            ).format(city=city, path=target),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.target = target
        self.progress = QProgressDialog(_("Preparing the field copy…"), "", 0, 0, self._parent)
        self.progress.setWindowTitle(_("Prepare for field work"))
        self.progress.setCancelButton(None)  # one transaction: nothing to cancel midway
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setMinimumWidth(380)
        self.progress.show()
        actor, prepare = self._actor, self._preparation.prepare
        self._tasks.run(lambda: prepare(actor, target), self._on_prepared, self._on_failed)
        return True

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _on_prepared(self, written: Mapping[str, int]) -> None:
        self._close_progress()
        target = self.target
        assert target is not None
        summary = _("{customers} customers, {machines} machines, {contracts} contracts, {tickets} tickets.").format(
            customers=written.get("customers", 0),
            machines=written.get("machines", 0),
            contracts=written.get("contracts", 0),
            tickets=written.get("tickets", 0),
        )
        answer = QMessageBox.question(
            self._parent,
            _("Prepare for field work"),
            _(
                "The field copy is ready: {summary}\n\nUse it on this computer now? The window opens again on "
                "the copy (sign in once more); what you do offline is synced with the office when it is in reach."
            ).format(summary=summary),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._preparation.switch_to(target)
        else:
            self._say(
                _("Field copy saved: {path}. Choose it in File → Database connection to work offline.").format(
                    path=target
                )
            )

    def _on_failed(self, error: UserFacingError) -> None:
        self._close_progress()
        QMessageBox.warning(
            self._parent,
            _("Prepare for field work"),
            _("The field copy could not be prepared: {reason}").format(reason=error.message),
        )
