"""Record an on-site visit (R16): who went, where, from when to when, what was done, the parts
and the travel expenses. The length is shown as it is typed, with the policy's flag for a
maintenance over the maximum; the dialog saves itself and stays open with everything typed when
the service refuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.model import ONSITE_CITIES, Role
from desktop_app.domain.permissions import Actor, Permission
from desktop_app.formatting import format_working_hours
from desktop_app.i18n import _
from desktop_app.services.access import may
from desktop_app.services.dto import AgentInfo, TicketDetail
from desktop_app.services.tickets import VisitRequest
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.saving_dialog import SavingDialog
from desktop_app.ui.widgets import money_spin

MAX_TRAVEL_EXPENSES = 50_000_000  # COP; more is a typing mistake


class VisitDialog(SavingDialog):
    def __init__(
        self,
        detail: TicketDetail,
        people: list[AgentInfo],
        actor: Actor,
        now: datetime,
        max_maintenance_hours: int,
        flags_long: Callable[[bool, datetime, datetime], bool],
        save: Callable[[VisitRequest], TicketDetail],
        tasks: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(tasks, _("Record visit"), parent=parent)
        self._save = save
        self._tz = now.tzinfo
        self._max_hours = max_maintenance_hours
        self._flags_long = flags_long  # R16's rule, asked of the service
        self.setWindowTitle(_("On-site visit · {number}").format(number=detail.number))
        self.setMinimumWidth(520)

        self.technician = QComboBox()
        for person in people:
            if person.role == Role.TECHNICIAN.value or person.id == actor.user_id:
                self.technician.addItem(f"{person.full_name} · {person.city}", int(person.id))
        self.technician.setCurrentIndex(max(0, self.technician.findData(actor.user_id)))
        # Recording someone else's visit is a coordinator's job, as in the service.
        self.technician.setEnabled(may(actor, Permission.ASSIGN_ANY))
        self.city = QComboBox()
        for city in ONSITE_CITIES:
            self.city.addItem(city, city)
        self.city.setCurrentIndex(max(0, self.city.findData(detail.customer_city)))
        # The edits hold the desk's wall-clock time (Bogotá), whatever the laptop's zone is.
        end = QDateTime(now.replace(second=0, microsecond=0, tzinfo=None))
        self.started = QDateTimeEdit(end.addSecs(-2 * 3600), calendarPopup=True)
        self.ended = QDateTimeEdit(end, calendarPopup=True)
        for edit in (self.started, self.ended):
            edit.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.length = QLabel(wordWrap=True, objectName="hint")
        self.maintenance = QCheckBox(_("Preventive or corrective maintenance (counts against the plan)"))
        self.maintenance.setChecked(True)
        self.work_done = QPlainTextEdit()
        self.work_done.setPlaceholderText(_("What was checked, adjusted, replaced or taught…"))
        self.work_done.setMinimumHeight(90)
        self.parts = QLineEdit(placeholderText=_("e.g. 0.4 mm nozzle, PTFE tube"))
        self.expenses = money_spin(MAX_TRAVEL_EXPENSES, 10_000, _(" before IVA"))

        form = QFormLayout()
        form.addRow(_("Technician"), self.technician)
        form.addRow(_("City"), self.city)
        form.addRow(_("Started"), self.started)
        form.addRow(_("Ended"), self.ended)
        form.addRow("", self.length)
        form.addRow("", self.maintenance)
        form.addRow(_("Work done"), self.work_done)
        form.addRow(_("Parts"), self.parts)
        form.addRow(_("Travel expenses"), self.expenses)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        for edit in (self.started, self.ended):
            edit.dateTimeChanged.connect(self._update_length)
        self.maintenance.toggled.connect(self._update_length)
        self._update_length()

    def request(self) -> VisitRequest:
        return VisitRequest(
            technician_id=self.technician.currentData(),
            city=self.city.currentData(),
            started_at=self._aware(self.started),
            ended_at=self._aware(self.ended),
            work_done=self.work_done.toPlainText(),
            parts=self.parts.text(),
            travel_expenses=self.expenses.value(),
            maintenance=self.maintenance.isChecked(),
        )

    def save(self) -> None:
        request, save = self.request(), self._save
        self.run_save(lambda: save(request))

    # -- internals -------------------------------------------------------------------------------

    def _aware(self, edit: QDateTimeEdit) -> datetime:
        wall_clock: datetime = edit.dateTime().toPython()
        return wall_clock.replace(tzinfo=self._tz)

    def _update_length(self) -> None:
        """The length as typed, with the R16 flag decided by the service, not by this dialog."""
        started, ended = self._aware(self.started), self._aware(self.ended)
        backwards = ended <= started
        long = self._flags_long(self.maintenance.isChecked(), started, ended)
        self.length.setProperty("warn", backwards or long)
        self.length.style().unpolish(self.length)
        self.length.style().polish(self.length)
        if backwards:
            self.length.setText(_("The visit must end after it starts."))
            return
        text = _("Length: {time}").format(time=format_working_hours(ended - started))
        if long:
            text += " · " + _("longer than the {hours} hours a maintenance may last: it will be flagged").format(
                hours=self._max_hours
            )
        self.length.setText(text)
