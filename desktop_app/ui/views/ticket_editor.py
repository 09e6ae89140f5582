"""Editing a ticket: severity, agent, description and a comment, saved all at once.

When someone else saved the ticket meanwhile, nothing is written: the conflict dialog shows their
version beside this person's edits, and the person decides. What was typed is never lost.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.ids import UserId
from desktop_app.domain.model import Channel, Severity
from desktop_app.domain.permissions import Actor
from desktop_app.domain.sla import SlaState
from desktop_app.errors import ConflictError, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.audit import AuditService
from desktop_app.services.dto import TicketDetail
from desktop_app.services.tickets import MAX_MINUTES_PER_COMMENT, TicketChanges, TicketService
from desktop_app.ui import theme
from desktop_app.ui.tasks import TaskRunner
from desktop_app.wording import channel_label, severity_label


class ConflictDialog(QDialog):
    """Their version and mine, side by side. Result: APPLY_MINE, DISCARD_MINE, or rejected (keep editing)."""

    APPLY_MINE = 2
    DISCARD_MINE = 3

    def __init__(
        self,
        mine: TicketChanges,
        seen: TicketDetail,
        current: TicketDetail,
        who: str,
        agents: dict[int, str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Someone else changed this ticket"))
        intro = QLabel(
            _(
                "{who} saved ticket {number} while you were editing it. Nothing of yours was saved yet. "
                "Compare and decide."
            ).format(who=who or _("Another user"), number=current.number)
        )
        intro.setWordWrap(True)
        rows = [
            (
                _("Severity"),
                severity_label(seen.severity),
                severity_label(current.severity),
                severity_label(mine.severity) if mine.severity else "—",
            ),
            (
                _("Agent"),
                seen.agent_name,
                current.agent_name,
                agents.get(int(mine.agent_id), "") if mine.agent_id is not None else "—",
            ),
            (
                _("Channel"),
                channel_label(seen.channel),
                channel_label(current.channel),
                channel_label(mine.channel) if mine.channel else "—",
            ),
            (_("Description"), seen.description, current.description, mine.description or "—"),
            (_("Comment"), "", "", mine.comment.strip() or "—"),
        ]
        self.table = QTableWidget(len(rows), 4)
        self.table.setHorizontalHeaderLabels([_("Field"), _("When you opened it"), _("Now (theirs)"), _("Yours")])
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        changed_color = theme.sla_colors(SlaState.AT_RISK)[0]
        for r, (field, before, now, yours) in enumerate(rows):
            for c, value in enumerate((field, before, now, yours)):
                item = QTableWidgetItem(value)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if c == 2 and before != now:
                    item.setBackground(changed_color)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox()
        apply_mine = buttons.addButton(
            _("Apply my changes to the current version"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        discard = buttons.addButton(_("Discard my changes"), QDialogButtonBox.ButtonRole.DestructiveRole)
        keep = buttons.addButton(_("Keep editing"), QDialogButtonBox.ButtonRole.RejectRole)
        apply_mine.clicked.connect(lambda: self.done(self.APPLY_MINE))
        discard.clicked.connect(lambda: self.done(self.DISCARD_MINE))
        keep.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(820, 360)


class TicketEditor(QWidget):
    """Signals:
    ticket_saved(TicketDetail): the changes are in the database; the ticket as written.
    """

    ticket_saved = Signal(object)

    def __init__(
        self,
        tickets: TicketService,
        audit: AuditService,
        tasks: TaskRunner,
        actor: Actor,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tickets, self._audit, self._tasks, self._actor = tickets, audit, tasks, actor
        self.detail: TicketDetail | None = None
        self.severity = QComboBox()
        for severity in Severity:
            self.severity.addItem(theme.severity_dot(severity), severity_label(severity), severity.value)
        self.channel = QComboBox()
        for channel in Channel:
            self.channel.addItem(channel_label(channel), channel.value)
        self.agent = QComboBox()
        self._agents = {int(a.id): a.full_name for a in tickets.agents()}
        self.description = QPlainTextEdit()
        self.description.setMaximumHeight(90)
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText(_("Write an answer or an internal note…"))
        self.comment.setMaximumHeight(90)
        # A comment is never mailed: the customer was answered another way (phone, chat). Mail to the
        # customer is written in "Reply to customer" (ticket_actions.py), which counts as well.
        self.to_customer = QCheckBox(_("Counts as a response to the customer"))
        self.to_customer.setToolTip(
            _("Check it when the customer was answered by phone or chat. To write by e-mail use “Reply to customer”.")
        )
        self.to_customer.setChecked(True)
        self.minutes = QSpinBox(minimum=0, maximum=MAX_MINUTES_PER_COMMENT, singleStep=15)
        self.minutes.setSuffix(_(" min"))
        self.minutes.setSpecialValueText(_("no time"))
        self.minutes.setToolTip(_("Advisory time this comment records; it counts against the plan's hours"))
        self.save_button = QPushButton(_("Save"))
        self.save_button.setToolTip(_("Save the changes (Ctrl+S)"))
        self.discard_button = QPushButton(_("Discard"))
        self.save_button.clicked.connect(self.save)
        self.discard_button.clicked.connect(self.reset)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        form = QFormLayout()
        top = QHBoxLayout()
        top.addWidget(self.severity)
        top.addWidget(self.channel)
        top.addWidget(self.agent, 1)
        form.addRow(_("Severity · channel · agent"), top)
        form.addRow(_("Description"), self.description)
        form.addRow(_("Comment"), self.comment)
        buttons = QHBoxLayout()
        buttons.addWidget(self.to_customer)
        buttons.addWidget(QLabel(_("Time spent")))
        buttons.addWidget(self.minutes)
        buttons.addStretch(1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(buttons)

    # -- own API ---------------------------------------------------------------------------------

    def load(self, detail: TicketDetail) -> None:
        """Show a ticket; what is being typed in the comment box stays if it is the same ticket."""
        same = self.detail is not None and self.detail.id == detail.id
        self.detail = detail
        self.severity.setCurrentIndex(self.severity.findData(detail.severity.value))
        self.channel.setCurrentIndex(self.channel.findData(detail.channel.value))
        self._offer_agents(detail)
        self.description.setPlainText(detail.description)
        if not same:
            self.comment.clear()
            self.minutes.setValue(0)

    def reset(self) -> None:
        if self.detail is not None:
            self.comment.clear()
            self.minutes.setValue(0)
            self.load(self.detail)

    def changes(self) -> TicketChanges:
        d = self.detail
        assert d is not None
        severity = Severity(self.severity.currentData())
        channel = Channel(self.channel.currentData())
        agent = self.agent.currentData()
        description = self.description.toPlainText()
        return TicketChanges(
            description=description if description.strip() != d.description else None,
            severity=severity if severity is not d.severity else None,
            channel=channel if channel is not d.channel else None,
            agent_id=UserId(agent) if agent is not None and agent != d.agent_id else None,
            comment=self.comment.toPlainText(),
            to_customer=self.to_customer.isChecked(),
            minutes_spent=self.minutes.value(),
        )

    def is_dirty(self) -> bool:
        return self.detail is not None and not self.changes().empty

    def save(self, *, expected_version: int | None = None) -> None:
        if self.detail is None:
            return
        changes = self.changes()
        if changes.empty:
            return
        seen = self.detail
        version = expected_version if expected_version is not None else seen.version
        self.save_button.setEnabled(False)
        self._tasks.run(
            lambda: self._tickets.update_ticket(seen.id, changes, actor=self._actor, expected_version=version),
            self._on_saved,
            lambda error: self._on_save_failed(error, changes, seen),
        )

    # -- internals -------------------------------------------------------------------------------

    def _offer_agents(self, detail: TicketDetail) -> None:
        """R1: the agent list offers what the service accepts: anyone to a coordinator, only
        oneself on an unassigned ticket to an agent or technician, else just who has it."""
        offered = self._tickets.offered_actions(detail, self._actor)
        if offered.assign_others:
            choices = dict(self._agents)
        else:
            choices = {}
            if detail.agent_id is not None:
                choices[int(detail.agent_id)] = detail.agent_name
            if offered.take and self._actor.user_id is not None:
                choices[int(self._actor.user_id)] = self._agents.get(int(self._actor.user_id), self._actor.name)
        if detail.agent_id is not None and int(detail.agent_id) not in choices:
            choices[int(detail.agent_id)] = detail.agent_name  # an inactive agent still shows as the holder
        self.agent.clear()
        for agent_id, name in choices.items():
            self.agent.addItem(name, agent_id)
        index = self.agent.findData(int(detail.agent_id)) if detail.agent_id is not None else -1
        self.agent.setCurrentIndex(index)
        self.agent.setEnabled(offered.assign_others or offered.take)
        self.agent.setToolTip(
            "" if offered.assign_others else _("Only a coordinator can give this ticket to someone else.")
        )

    def _on_saved(self, detail: TicketDetail) -> None:
        self.save_button.setEnabled(True)
        self.comment.clear()
        self.minutes.setValue(0)
        self.detail = None
        self.load(detail)
        self.ticket_saved.emit(detail)

    def _on_save_failed(self, error: UserFacingError, mine: TicketChanges, seen: TicketDetail) -> None:
        self.save_button.setEnabled(True)
        if not isinstance(error, ConflictError):
            # Disk full, server down…: say so; everything typed stays in the form.
            QMessageBox.warning(self, _("Not saved"), error.message)
            return
        current = self._tickets.get_ticket(seen.id)
        history = self._audit.history_of(self._actor, "ticket", seen.id)
        who = history[0].actor_name if history else ""
        dialog = ConflictDialog(mine, seen, current, who, self._agents, self)
        choice = dialog.exec()
        if choice == ConflictDialog.APPLY_MINE:
            self.save(expected_version=current.version)
        elif choice == ConflictDialog.DISCARD_MINE:
            self.detail = None
            self.load(current)
            self.ticket_saved.emit(current)
        else:
            # Keep editing: the form is untouched; the next save compares with, and is checked
            # against, the version that is in the database now.
            self.detail = current
