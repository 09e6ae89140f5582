"""One ticket in full: header, timeline (newest first), customer, machine and attachments."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QIcon, QImageReader, QPixmap, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.ids import TicketId
from desktop_app.domain.model import Channel, EventKind
from desktop_app.domain.sla import SlaState, TicketSla
from desktop_app.errors import NotFoundError
from desktop_app.formatting import (
    format_date,
    format_datetime,
    format_money,
    format_relative,
    format_size,
    format_time,
    format_working_hours,
)
from desktop_app.i18n import _
from desktop_app.services.dto import AttachmentInfo, TicketDetail, TimelineEntry
from desktop_app.services.dto import AuditView as AuditEntryView
from desktop_app.services.tickets import TicketService
from desktop_app.ui import theme
from desktop_app.ui.flow_layout import FlowLayout
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.audit_view import changes_text
from desktop_app.ui.views.ticket_actions import TicketActions
from desktop_app.ui.views.ticket_editor import TicketEditor
from desktop_app.ui.views.ticket_mail_render import (
    MailSource,
    TimelineBrowser,
    mail_anchor,
    mail_block,
    mail_key,
    save_original,
)
from desktop_app.wording import (
    channel_label,
    coverage_text,
    event_label,
    explanation_lines,
    model_with_end_of_life,
    severity_label,
    sla_target_label,
    sla_text,
    status_label,
    warranty_text,
)

THUMBNAIL = QSize(72, 54)
_EVENT_ICONS = {
    EventKind.CREATED: "ticket",
    EventKind.COMMENT: "comment",
    EventKind.STATUS_CHANGE: "status",
    EventKind.CONTACT_ATTEMPT: "phone",
    EventKind.ESCALATION: "escalation",
    EventKind.ASSIGNMENT: "user",
    EventKind.SEVERITY_CHANGE: "escalation",
    EventKind.EMAIL_SENT: "mail",
    EventKind.EMAIL_RECEIVED: "mail",
    EventKind.VISIT: "wrench",
    EventKind.ATTACHMENT: "file",
}


def _card(title: str) -> tuple[QFrame, QFormLayout]:
    frame = QFrame(objectName="card")
    outer = QVBoxLayout(frame)
    outer.setContentsMargins(12, 10, 12, 12)
    heading = QLabel(title, objectName="cardTitle")
    outer.addWidget(heading)
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(4)
    outer.addLayout(form)
    return frame, form


def _value(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _is_paused(sla: TicketSla) -> bool:
    return sla.status.state is SlaState.PAUSED


def _event_mail_key(kind: EventKind, data: dict[str, str]) -> tuple[str, int] | None:
    """Which mail a timeline event is about: ("out", id) or ("in", id)."""
    if kind is EventKind.EMAIL_SENT:
        direction = "out"
    elif kind is EventKind.EMAIL_RECEIVED:
        direction = "in"
    else:
        return None
    value = data.get("mail_id") or data.get("inbox_id") or data.get("outbox_id") or ""
    return (direction, int(value)) if value.isdigit() else None


def _yes_no(flag: bool) -> str:
    return _("Yes") if flag else _("No")


class TicketDetailView(QWidget):
    """Signals:
    ticket_shown(int): a ticket was loaded into the view.
    """

    ticket_shown = Signal(int)

    def __init__(
        self,
        tickets: TicketService,
        editor: TicketEditor | None = None,
        history: Callable[[int], list[AuditEntryView]] | None = None,
        actions: TicketActions | None = None,
        parent: QWidget | None = None,
        *,
        mail: MailSource | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._tickets = tickets
        self._mail = mail
        self._tasks = tasks
        self.editor = editor
        self.actions = actions
        self._history = history
        self._tz = tickets.timezone()
        self.detail: TicketDetail | None = None

        self.number = QLabel(objectName="ticketNumber")
        self.status_chip = QLabel(objectName="chip")
        self.severity_chip = QLabel(objectName="chip")
        self.plan_chip = QLabel(objectName="chip")
        self.sla_chip = QLabel(objectName="chip")
        # R11: who the ticket went up to, in the header, not only on the timeline.
        self.escalation_chip = QLabel(objectName="escalationChip")
        self.escalation_chip.hide()
        self.agent_label = QLabel(objectName="muted")
        self.title = QLabel(objectName="ticketTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # The chips wrap to a second line rather than being cut on a laptop's narrower screen.
        chips = FlowLayout(spacing=8)
        chips.addWidget(self.number)
        for chip in (self.status_chip, self.severity_chip, self.plan_chip, self.sla_chip, self.escalation_chip):
            chips.addWidget(chip)
        header = QHBoxLayout()
        header.setSpacing(8)
        header.addLayout(chips, 1)
        header.addWidget(self.agent_label, 0, Qt.AlignmentFlag.AlignTop)

        # Mail text is shown on the timeline: it never loads anything from the network.
        self.timeline = TimelineBrowser()
        self.timeline.setOpenLinks(False)
        self.timeline.anchorClicked.connect(self._on_timeline_link_clicked)
        self.timeline.setFrameShape(QFrame.Shape.NoFrame)
        timeline_box = QFrame(objectName="card")
        timeline_layout = QVBoxLayout(timeline_box)
        timeline_layout.setContentsMargins(12, 10, 12, 12)
        if editor is not None:
            timeline_layout.addWidget(QLabel(_("Edit"), objectName="cardTitle"))
            timeline_layout.addWidget(editor)
            editor.ticket_saved.connect(self.show_detail)
        timeline_layout.addWidget(QLabel(_("Timeline"), objectName="cardTitle"))
        timeline_layout.addWidget(self.timeline, 1)

        self.description = _value()
        description_card, description_form = _card(_("Description"))
        description_form.addRow(self.description)
        self.received = _value()
        self.due = _value()
        self.channel = _value()
        description_form.addRow(_("Received"), self.received)
        description_form.addRow(_("Response due"), self.due)
        description_form.addRow(_("Channel"), self.channel)

        customer_card, customer_form = _card(_("Customer"))
        self.customer_name, self.customer_city = _value(), _value()
        self.customer_contact, self.customer_standing = _value(), _value()
        customer_form.addRow(_("Name"), self.customer_name)
        customer_form.addRow(_("City"), self.customer_city)
        customer_form.addRow(_("Contact"), self.customer_contact)
        customer_form.addRow(_("Standing"), self.customer_standing)

        machine_card, machine_form = _card(_("Machine"))
        self.machine_model, self.machine_serial = _value(), _value()
        self.machine_warranty, self.machine_maintenance = _value(), _value()
        self.machine_intervention = _value()
        machine_form.addRow(_("Model"), self.machine_model)
        machine_form.addRow(_("Serial"), self.machine_serial)
        machine_form.addRow(_("Warranty"), self.machine_warranty)
        machine_form.addRow(_("Maintenance"), self.machine_maintenance)
        machine_form.addRow(_("Intervention"), self.machine_intervention)
        self.machine_coverage = _value()
        machine_form.addRow(_("Coverage"), self.machine_coverage)

        attachments_card, attachments_form = _card(_("Attachments"))
        self.attachments = QListWidget()
        self.attachments.setViewMode(QListWidget.ViewMode.IconMode)
        self.attachments.setIconSize(THUMBNAIL)
        self.attachments.setGridSize(QSize(THUMBNAIL.width() + 48, THUMBNAIL.height() + 40))
        self.attachments.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.attachments.setMovement(QListWidget.Movement.Static)
        self.attachments.setWordWrap(True)
        self.attachments.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.attachments.setMinimumHeight(THUMBNAIL.height() + 48)
        self.attachments.setFrameShape(QFrame.Shape.NoFrame)
        self.attachments.itemActivated.connect(self._on_attachment_activated)
        self._attachments_card = attachments_card
        if actions is not None:
            # Files dropped on the ticket's attachments card are attached to the ticket.
            attachments_card.setAcceptDrops(True)
            attachments_card.installEventFilter(self)
        self.no_attachments = QLabel(
            _("No attachments. Drop files here or use “Attach files” (Ctrl+Shift+A).")
            if actions is not None
            else _("No attachments."),
            objectName="muted",
        )
        self.no_attachments.setWordWrap(True)
        attachments_form.addRow(self.no_attachments)
        attachments_form.addRow(self.attachments)

        self.visits_card, visits_form = _card(_("On-site visits"))
        self.visits = _value()
        self.visits.setTextFormat(Qt.TextFormat.RichText)
        visits_form.addRow(self.visits)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        due_card, due_form = _card(_("Why this due time"))
        self.due_summary = _value()
        self.due_steps = _value()
        self.due_steps.setObjectName("muted")
        due_form.addRow(self.due_summary)
        due_form.addRow(self.due_steps)

        changes_card, changes_form = _card(_("Recorded changes"))
        self.changes = _value()
        self.changes.setObjectName("muted")
        changes_form.addRow(self.changes)
        changes_card.setVisible(history is not None)

        cards = (
            description_card,
            due_card,
            customer_card,
            machine_card,
            self.visits_card,
            attachments_card,
            changes_card,
        )
        for card in cards:
            side_layout.addWidget(card)
        side_layout.addStretch(1)
        side_scroll = QScrollArea()
        side_scroll.setWidget(side)
        side_scroll.setWidgetResizable(True)
        side_scroll.setFrameShape(QFrame.Shape.NoFrame)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(timeline_box)
        self.splitter.addWidget(side_scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        # 3:2 from the first show: the stretch factors alone only share the space left over, and the
        # side's cards were cut at 1366 px (dates and the contact's e-mail).
        self.splitter.setSizes([600, 400])
        self.splitter.setChildrenCollapsible(False)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(header)
        content_layout.addWidget(self.title)
        if actions is not None:
            content_layout.addWidget(actions)
            actions.ticket_changed.connect(self.show_detail)
        content_layout.addWidget(self.splitter, 1)

        self.empty_label = QLabel(_("Select a ticket in the queue to see it here."), objectName="emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    # -- own API ---------------------------------------------------------------------------------

    def show_ticket(self, ticket_id: int) -> None:
        try:
            detail = self._tickets.get_ticket(ticket_id)  # type: ignore[arg-type]
        except NotFoundError as exc:
            self.clear(exc.message)
            return
        self.show_detail(detail)

    def show_detail(self, detail: TicketDetail) -> None:
        """Show a ticket already read, e.g. as a change returned it (no second read)."""
        self.detail = detail
        self._fill(detail)
        if self.editor is not None:
            self.editor.load(detail)
        if self.actions is not None:
            self.actions.load(detail)
        self.stack.setCurrentIndex(1)
        self.ticket_shown.emit(int(detail.id))

    def clear(self, message: str | None = None) -> None:
        self.detail = None
        self.empty_label.setText(message or _("Select a ticket in the queue to see it here."))
        self.stack.setCurrentIndex(0)

    # -- internals -------------------------------------------------------------------------------

    def _fill_escalation(self, level: int) -> None:
        if level <= 1:
            self.escalation_chip.hide()
            return
        title = self._tickets.escalation_level_title(level)
        text = _("Escalated to level {level}").format(level=level)
        self.escalation_chip.setText(f"{text} · {title}" if title else text)
        self.escalation_chip.setProperty("level", "top" if level >= 3 else "up")
        self.escalation_chip.style().unpolish(self.escalation_chip)
        self.escalation_chip.style().polish(self.escalation_chip)
        self.escalation_chip.show()

    def _fill(self, d: TicketDetail) -> None:
        tz = self._tz
        self.number.setText(d.number)
        status = status_label(d.status)
        self.status_chip.setText(_("{status} · reopened").format(status=status) if d.reopen_count else status)
        self.severity_chip.setText("● " + severity_label(d.severity))
        self.severity_chip.setStyleSheet(f"color: {theme.severity_color(d.severity).name()};")
        self.plan_chip.setText(_("Plan {plan}").format(plan=d.plan_name))
        background, foreground = theme.sla_colors(d.sla.state)
        self.sla_chip.setText(sla_text(d.sla))
        self.sla_chip.setStyleSheet(
            f"background: {background.name(background.NameFormat.HexArgb)}; color: {foreground.name()};"
        )
        self.agent_label.setText(_("Agent: {name}").format(name=d.agent_name or _("Unassigned")))
        self._fill_escalation(d.escalation_level)
        self.title.setText(d.description.splitlines()[0] if d.description else "")

        self.description.setText(d.description)
        self.received.setText(format_datetime(d.received_at, tz))
        if d.due_at is not None:
            self.due.setText(
                _("{when} ({hours} working hours)").format(
                    when=format_datetime(d.due_at, tz), hours=f"{d.response_hours:g}"
                )
            )
        elif d.first_responded_at is not None:
            self.due.setText(_("Answered {when}").format(when=format_datetime(d.first_responded_at, tz)))
        else:
            self.due.setText("—")
        self.channel.setText(channel_label(d.channel))

        self.customer_name.setText(d.customer_name)
        self.customer_city.setText(d.customer_city)
        self.customer_contact.setText(f"{d.customer_email}\n{d.customer_phone}")
        self.customer_standing.setText(
            _("Paid up: {paid} · Trained: {trained}").format(
                paid=_yes_no(d.customer_paid_up), trained=_yes_no(d.customer_trained)
            )
        )
        today = self._tickets.now().astimezone(tz).date()
        model = model_with_end_of_life(d.model_name, d.model_end_of_life, today)
        self.machine_model.setText(f"{model} ({d.technology.upper()})")
        self.machine_serial.setText(d.machine_serial)
        self.machine_warranty.setText(warranty_text(d.warranty_end, today, named=False))
        self.machine_maintenance.setText(
            _("Last preventive maintenance {date}").format(date=format_date(d.last_preventive_maintenance))
            if d.last_preventive_maintenance
            else _("No preventive maintenance recorded")
        )
        self.machine_intervention.setText(
            _("Unauthorised intervention recorded: warranty void")
            if d.unauthorized_intervention
            else _("None recorded")
        )
        # The coverage today (R3, R5): the plan may have been renewed or lapsed since intake.
        eligibility = self._tickets.eligibility(d.machine_id)
        plan_names = dict(self._tickets.plans())
        self.machine_coverage.setText(coverage_text(eligibility, plan_names.get(eligibility.plan_code or "", "")))
        self._fill_timeline(d)
        self._fill_explanation(d.id)
        if self._history is not None:
            lines = [
                f"{format_datetime(e.at, self._tz)} · {e.actor_name or _('System')} · {changes_text(e)}"
                for e in self._history(int(d.id))[:15]
            ]
            self.changes.setText("\n".join(lines) or _("No changes recorded yet."))
        self._fill_attachments(d.attachments)
        self._fill_visits(d)

    def _fill_explanation(self, ticket_id: TicketId) -> None:
        """R7, R9: the intervals counted and what was skipped, so the agent can explain the due time."""
        report = self._tickets.sla_report(ticket_id)
        sla = report.sla
        target = sla_target_label(sla.target)
        if sla.due_at is None:
            remaining = sla.status.remaining or timedelta(0)
            if not _is_paused(sla):
                summary = _("Nothing is due: {state}.").format(state=sla_text(sla.status))
            elif remaining < timedelta(0):
                summary = _(
                    "The clock is paused while waiting on the customer ({target} was already overdue by {time})."
                )
                summary = summary.format(target=target, time=format_working_hours(remaining))
            else:
                summary = _("The clock is paused while waiting on the customer ({target}: {left} left).")
                summary = summary.format(target=target, left=format_working_hours(remaining))
            self.due_summary.setText(summary)
            self.due_steps.setText("")
            return
        self.due_summary.setText(
            _("{target} due {when} · {hours} working hours · policy version {version}").format(
                target=target.capitalize(),
                when=format_datetime(sla.due_at, self._tz),
                hours=format_working_hours(report.response_time),
                version=report.policy_version or "—",
            )
        )
        lines = explanation_lines(report.explanation, report.holiday_names, self._tz) if report.explanation else []
        self.due_steps.setText("\n".join(lines))

    def _fill_timeline(self, d: TicketDetail) -> None:
        now = self._tickets.now()
        document: QTextDocument = self.timeline.document()
        muted = theme.colors().muted
        for kind, name in _EVENT_ICONS.items():
            pixmap = theme.icon(name, muted, 16).pixmap(16, 16)
            document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"icon:{kind.value}"), pixmap.toImage())
        mails = {mail_key(m): m for m in self._mail.ticket_mails(d.id)} if self._mail is not None else {}
        entries = list(d.timeline)
        named = {_event_mail_key(e.kind, e.data) for e in entries}
        unnamed = [m for key, m in mails.items() if key not in named]
        if unnamed:
            # A mail whose event does not name it still shows, at its own time.
            for m in unnamed:
                kind = EventKind.EMAIL_SENT if m.direction == "out" else EventKind.EMAIL_RECEIVED
                entries.append(TimelineEntry(kind, m.at, "", "", {"mail_id": str(m.id)}))
            entries.sort(key=lambda e: e.at, reverse=True)  # newest first, as the service gives them
        parts = []
        for entry in entries:
            when = f"{format_relative(entry.at, now)} · {format_datetime(entry.at, self._tz)}"
            author = html.escape(entry.author_name or _("System"))
            body = html.escape(entry.body).replace("\n", "<br>") if entry.body else ""
            mail = mails.get(_event_mail_key(entry.kind, entry.data))
            anchor = ""
            if mail is not None:
                anchor = f"<a name='{mail_anchor(mail)}'></a>"
                body = mail_block(mail, self._tz)  # a received mail lists the files it brought
                if mail.direction == "in" and not entry.author_name:
                    author = html.escape(mail.from_address)
            parts.append(
                anchor + "<table width='100%' cellspacing='0' cellpadding='3'><tr>"
                f"<td width='22' valign='top'><img src='icon:{entry.kind.value}' width='16' height='16'></td>"
                f"<td><b>{html.escape(event_label(entry.kind, entry.data))}</b>"
                f" <span style='color:{muted}'>· {author} · {html.escape(when)}</span>"
                + (f"<br>{body}" if body else "")
                + "</td></tr></table>"
            )
        self.timeline.setHtml("".join(parts) or html.escape(_("No events yet.")))

    def save_original(self, direction: str, mail_id: int) -> None:
        """ "Ver original": the mail as it was sent or received (.eml), where the person chooses;
        an existing file is replaced only when they say so."""
        if self._mail is None or self.detail is None:
            return
        save_original(self, self._mail, self._tasks, self.detail.number, direction, mail_id)

    def _on_timeline_link_clicked(self, url: QUrl) -> None:
        if url.scheme() == "original":
            direction, _sep, mail_id = url.path().partition("/")
            if mail_id.isdigit():
                self.save_original(direction, int(mail_id))

    def _fill_visits(self, d: TicketDetail) -> None:
        """R16: each visit with its length, and the flag on a maintenance longer than allowed."""
        self.visits_card.setVisible(bool(d.visits) or d.channel is Channel.ONSITE)
        if not d.visits:
            self.visits.setText(html.escape(_("No visits recorded.")))
            return
        bad = theme.sla_colors(SlaState.BREACHED)[1].name()
        blocks = []
        for v in d.visits:
            head = _("{start} – {end} ({length}) · {who} · {city}").format(
                start=format_datetime(v.started_at, self._tz, short=True),
                end=format_time(v.ended_at.astimezone(self._tz)),
                length=format_working_hours(v.ended_at - v.started_at),
                who=v.technician_name,
                city=v.city,
            )
            lines = [f"<b>{html.escape(head)}</b>"]
            if v.long_maintenance:
                flag = html.escape(_("Maintenance longer than allowed"))
                lines.append(f"<span style='color:{bad}'>⚠ {flag}</span>")
            lines.append(html.escape(v.work_done).replace("\n", "<br>"))
            details = [_("Maintenance") if v.maintenance else _("Visit")]
            if v.parts:
                details.append(_("Parts: {parts}").format(parts=v.parts))
            if v.travel_expenses:
                details.append(_("Travel expenses {amount}").format(amount=format_money(v.travel_expenses)))
            lines.append(html.escape(" · ".join(details)))
            blocks.append("<br>".join(lines))
        self.visits.setText("<br><br>".join(blocks))

    def _fill_attachments(self, attachments: tuple[AttachmentInfo, ...]) -> None:
        self.attachments.clear()
        self.no_attachments.setVisible(not attachments)
        self.attachments.setVisible(bool(attachments))
        for attachment in attachments:
            item = QListWidgetItem(self._thumbnail(attachment), attachment.filename)
            item.setToolTip(f"{attachment.filename} · {format_size(attachment.size)}")
            item.setData(Qt.ItemDataRole.UserRole, str(attachment.path))
            self.attachments.addItem(item)

    def _thumbnail(self, attachment: AttachmentInfo) -> QIcon:
        if attachment.media_type.startswith("image/") and attachment.path.exists():
            reader = QImageReader(str(attachment.path))
            reader.setAutoTransform(True)
            image = reader.read()
            if not image.isNull():
                return QIcon(
                    QPixmap.fromImage(
                        image.scaled(
                            THUMBNAIL * 2,
                            Qt.AspectRatioMode.KeepAspectRatio,
                            Qt.TransformationMode.SmoothTransformation,
                        )
                    )
                )
        return theme.icon("file", theme.colors().muted, 48)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._attachments_card and self.actions is not None:
            if event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
                if event.mimeData().hasUrls():  # type: ignore[attr-defined]
                    event.acceptProposedAction()  # type: ignore[attr-defined]
                    return True
            elif event.type() == QEvent.Type.Drop:
                urls = event.mimeData().urls()  # type: ignore[attr-defined]
                self.actions.attach_paths([Path(u.toLocalFile()) for u in urls if u.isLocalFile()])
                event.acceptProposedAction()  # type: ignore[attr-defined]
                return True
        return super().eventFilter(watched, event)

    def _on_attachment_activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if not Path(path).exists():
            QMessageBox.warning(
                self,
                _("Attachment missing"),
                _("The file {name} is no longer in the attachment store.").format(name=item.text()),
            )
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(path))
