"""A short form that saves itself off the GUI thread: the save button waits while the service
works, a refusal is shown in the dialog with everything typed kept, a success closes the dialog
with `saved` set to what the service returned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QWidget

from desktop_app.errors import ConflictError, UserFacingError
from desktop_app.ui.tasks import TaskRunner


class SavingDialog(QDialog):
    """Subclasses lay out their fields, add `self.error` and `self.buttons` to their layout, and
    implement save() by calling run_save() with the service call.

    Args:
        conflict_hint: added under a ConflictError, saying how to see the other person's change.
    """

    def __init__(
        self, tasks: TaskRunner, save_text: str, conflict_hint: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._conflict_hint = conflict_hint
        self.saved: Any = None
        self.error = QLabel(wordWrap=True, objectName="error")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton(save_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def save(self) -> None:
        raise NotImplementedError

    def run_save(self, call: Callable[[], Any]) -> None:
        self.save_button.setEnabled(False)
        self._tasks.run(call, self._on_saved, self._on_refused)

    def handle_refusal(self, error: UserFacingError) -> bool:
        """A subclass's chance to deal with a refusal itself (True: handled, nothing shown)."""
        return False

    def _on_saved(self, result: Any) -> None:
        self.saved = result
        self.accept()

    def _on_refused(self, error: UserFacingError) -> None:
        self.save_button.setEnabled(True)
        if self.handle_refusal(error):
            return
        message = error.message
        if isinstance(error, ConflictError) and self._conflict_hint:
            message += "\n" + self._conflict_hint
        self.error.setText(message)
        self.error.show()
