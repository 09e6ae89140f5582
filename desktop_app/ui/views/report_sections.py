"""The tabs of the Informes page that read the desk's tickets: SLA compliance (R7, R9, R10) and
workload (R11, R12, R14). Each tab shows a service result as it came: figures at the top, charts
with their tables, and the service's reason in words when there is nothing to show."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.formatting import format_date
from desktop_app.i18n import _, ngettext
from desktop_app.services.report_dto import SlaCompliance, SlaFigures, Workload
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.views.report_charts import MET, MISSED, NEUTRAL, SECOND, Bars, ChartPanel, Trend
from desktop_app.ui.views.report_tables import Column, Kind, TablePanel, display

Say = Callable[[str], None]


def percent(ratio: float | None) -> float | None:
    """A 0–1 ratio as the 0–100 the tables and the trend axis show; None stays "no data"."""
    return None if ratio is None else ratio * 100


def month_axis_label(key: str) -> str:
    """ "2026-11" → "nov 2026": short enough for a month axis."""
    year, month = (int(part) for part in key.split("-")[:2])
    return format_date(date(year, month, 1)).split(" ", 1)[1]


class Figure(QFrame):
    """A headline figure: what it is, its value, a line of context."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="card")
        self.caption = QLabel(caption, objectName="cardTitle", wordWrap=True)
        self.value = QLabel(objectName="ticketNumber")
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = QLabel(objectName="muted", wordWrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)

    def set(self, value: str, detail: str = "") -> None:
        self.value.setText(value)
        self.detail.setText(detail)


class Section(QStackedWidget):
    """A tab: its content in a scroll area (a laptop screen shows one chart at a time), or the
    service's reason when the result is empty."""

    def __init__(self, tasks: TaskRunner, say: Say, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._say = tasks, say
        self.content = QWidget()
        self.body = QVBoxLayout(self.content)
        self.body.setContentsMargins(0, 4, 8, 8)
        self.body.setSpacing(12)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.content)
        self.empty_label = QLabel(objectName="emptyState", wordWrap=True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.addWidget(self.scroll)
        self.addWidget(self.empty_label)
        self.figures = QGridLayout()
        self.figures.setHorizontalSpacing(10)
        self.body.addLayout(self.figures)
        self.panels: list[ChartPanel] = []
        self.tables: list[TablePanel] = []

    def add_figures(self, captions: Sequence[str]) -> list[Figure]:
        made = [Figure(caption) for caption in captions]
        for i, figure in enumerate(made):
            self.figures.addWidget(figure, 0, i)
        return made

    def add_chart(
        self, title: str, columns: Sequence[Column], chart_share: int = 3, into: QBoxLayout | None = None
    ) -> ChartPanel:
        panel = ChartPanel(title, columns, self._tasks, self._say, chart_share)
        (self.body if into is None else into).addWidget(panel, 1)  # a big screen gives the charts its height
        self.panels.append(panel)
        self.tables.append(panel.table)
        return panel

    def add_table(self, title: str, columns: Sequence[Column], stretch: int | None = 0) -> TablePanel:
        card = QFrame(objectName="card")
        panel = TablePanel(title, columns, self._tasks, self._say, stretch=stretch)
        panel.setMinimumHeight(220)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(panel)
        self.body.addWidget(card, 1)
        self.tables.append(panel)
        return panel

    def show_reason(self, reason: str) -> bool:
        """The service's reason instead of the content; False (content shown) when there is none."""
        if reason:
            self.empty_label.setText(reason)
            self.setCurrentWidget(self.empty_label)
            for table in self.tables:
                table.set_rows([])
            return True
        self.setCurrentWidget(self.scroll)
        return False

    @property
    def is_empty(self) -> bool:
        return self.currentWidget() is self.empty_label


def _sla_row(figures: SlaFigures) -> tuple[object, ...]:
    return (
        figures.label,
        figures.tickets,
        figures.first_met,
        figures.first_missed,
        figures.first_pending,
        percent(figures.compliance),
        figures.updates_met,
        figures.updates_missed,
        percent(figures.update_compliance),
        figures.median_first_response_hours,
        figures.p90_first_response_hours,
        figures.paused_hours,
    )


class SlaSection(Section):
    """Cumplimiento SLA: first responses and updates met or missed, by month (bars and the trend
    line), then by plan, severity, agent, city or customer; median and 90th percentile of the first
    response in working hours; time paused waiting on the customer."""

    def __init__(self, tasks: TaskRunner, say: Say, parent: QWidget | None = None) -> None:
        super().__init__(tasks, say, parent)
        self.result: SlaCompliance | None = None
        self.first, self.updates, self.median, self.p90, self.paused = self.add_figures(
            [
                _("First responses on time"),
                _("Updates on time"),
                _("Median first response"),
                _("90th percentile"),
                _("Paused, waiting on the customer"),
            ]
        )
        self.note = QLabel(objectName="hint", wordWrap=True)
        self.body.addWidget(self.note)
        self.months = self.add_chart(
            _("First responses by month"),
            [
                Column(_("Month")),
                Column(_("On time"), Kind.COUNT),
                Column(_("Late"), Kind.COUNT),
                Column(_("%"), Kind.PERCENT, _("Compliance")),  # short: the month stays readable at 1366 px
                Column(_("Median"), Kind.HOURS, _("Median first response, working hours")),
                Column(_("P90"), Kind.HOURS, _("90th percentile of the first response, working hours")),
            ],
        )
        self.by = QComboBox()
        for label, attribute in (
            (_("by plan"), "by_plan"),
            (_("by severity"), "by_severity"),
            (_("by agent"), "by_agent"),
            (_("by city"), "by_city"),
            (_("by customer"), "by_customer"),
        ):
            self.by.addItem(label, attribute)
        self.breakdown = self.add_table(
            _("Compliance"),
            [
                Column(_("Group")),
                Column(_("Tickets"), Kind.COUNT),
                Column(_("On time"), Kind.COUNT),
                Column(_("Late"), Kind.COUNT),
                Column(_("Pending"), Kind.COUNT),
                Column(_("Compliance"), Kind.PERCENT),
                Column(_("Upd. on time"), Kind.COUNT, _("Updates on time")),
                Column(_("Upd. late"), Kind.COUNT, _("Updates late")),
                Column(_("Upd. %"), Kind.PERCENT, _("Updates on time, in percent")),
                Column(_("Median"), Kind.HOURS, _("Median first response, working hours")),
                Column(_("P90"), Kind.HOURS, _("90th percentile of the first response, working hours")),
                Column(_("Paused"), Kind.HOURS, _("Working hours waiting on the customer")),
            ],
        )
        self.breakdown.setMinimumHeight(300)
        self.breakdown.extra.addWidget(self.by)
        self.by.currentIndexChanged.connect(lambda _i: self._show_breakdown())

    def show_result(self, result: SlaCompliance) -> None:
        self.result = result
        if self.show_reason(result.empty_reason):
            return
        total = result.total
        due = total.first_met + total.first_missed
        self.first.set(
            display(percent(total.compliance), Kind.PERCENT),
            _("{met} of {due} on time").format(met=total.first_met, due=due)
            + (
                ngettext(" · {n} not yet due", " · {n} not yet due", total.first_pending).format(n=total.first_pending)
                if total.first_pending
                else ""
            ),
        )
        self.updates.set(
            display(percent(total.update_compliance), Kind.PERCENT),
            _("{met} of {due} on time").format(met=total.updates_met, due=total.updates_met + total.updates_missed),
        )
        self.median.set(display(total.median_first_response_hours, Kind.HOURS), _("working hours, pauses excluded"))
        self.p90.set(
            display(total.p90_first_response_hours, Kind.HOURS), _("9 of 10 first responses took this or less")
        )
        self.paused.set(display(total.paused_hours, Kind.HOURS), _("working hours in the period"))
        versions = result.policy_versions
        self.note.setVisible(len(versions) > 1)
        if len(versions) > 1:
            self.note.setText(
                _(
                    "The period spans a policy change (versions {versions}): each ticket is judged by the version "
                    "it was received under."
                ).format(versions=", ".join(str(v) for v in versions))
            )
        months = result.by_month
        rows = [
            (
                month_axis_label(m.key),
                m.first_met,
                m.first_missed,
                percent(m.compliance),
                m.median_first_response_hours,
                m.p90_first_response_hours,
            )
            for m in months
        ]
        if not any(m.first_met or m.first_missed for m in months):
            self.months.show_empty(_("No first response fell due in this period."))
            self.months.table.set_rows(rows)
        else:
            self.months.show_data(
                [month_axis_label(m.key) for m in months],
                [
                    Bars(_("On time"), [m.first_met for m in months], MET),
                    Bars(_("Late"), [m.first_missed for m in months], MISSED),
                ],
                rows,
                Trend(_("Compliance"), [percent(m.compliance) for m in months]),
                stacked=True,
            )
        self._show_breakdown()

    def _show_breakdown(self) -> None:
        if self.result is None or self.result.empty_reason:
            return
        groups: tuple[SlaFigures, ...] = getattr(self.result, self.by.currentData())
        self.breakdown.set_rows([_sla_row(g) for g in groups])


def week_columns() -> list[Column]:
    return [
        Column(_("Week of")),
        Column(_("Opened"), Kind.COUNT),
        Column(_("Tickets closed"), Kind.COUNT),
        Column(_("Reopened"), Kind.COUNT),
    ]


def level_label(level: int) -> str:
    return {2: _("Level 2 (coordinator)"), 3: _("Level 3 (technical director)")}.get(
        level, _("Level {level}").format(level=level)
    )


def age_label(bucket_label: str) -> str:
    return _("{days} days").format(days=bucket_label)


class WorkloadSection(Section):
    """Carga de trabajo: tickets opened, closed and reopened per week; the backlog by age at the
    end of the period; escalations by level; contact attempts that ended without a response (R12)."""

    def __init__(self, tasks: TaskRunner, say: Say, parent: QWidget | None = None) -> None:
        super().__init__(tasks, say, parent)
        self.result: Workload | None = None
        self.opened, self.backlog_figure, self.escalated, self.no_response = self.add_figures(
            [
                _("Opened"),
                _("Open at the end of the period"),
                _("Escalations"),
                _("Closed without customer response"),
            ]
        )
        self.weeks = self.add_chart(_("Tickets per week"), week_columns())
        pair = QHBoxLayout()  # two small charts side by side: each has a short table
        pair.setSpacing(12)
        self.backlog = self.add_chart(
            _("Open tickets by age at the end of the period"),
            [Column(_("Age")), Column(_("Tickets"), Kind.COUNT)],
            into=pair,
        )
        self.escalations = self.add_chart(
            _("Escalations by level"),
            [Column(_("Level")), Column(_("Escalations"), Kind.COUNT)],
            chart_share=2,
            into=pair,
        )
        self.body.addLayout(pair, 1)

    def show_result(self, result: Workload) -> None:
        self.result = result
        if self.show_reason(result.empty_reason):
            return
        weeks = result.weeks
        self.opened.set(
            display(sum(w.opened for w in weeks), Kind.COUNT),
            _("{closed} closed · {reopened} reopened").format(
                closed=sum(w.closed for w in weeks), reopened=sum(w.reopened for w in weeks)
            ),
        )
        self.backlog_figure.set(display(result.backlog_total, Kind.COUNT), format_date(result.period.end))
        self.escalated.set(display(sum(level.count for level in result.escalations), Kind.COUNT), "")
        self.no_response.set(
            display(result.closed_without_response, Kind.COUNT),
            ngettext(
                "after the attempts (R12) · {n} contact attempt in the period",
                "after the attempts (R12) · {n} contact attempts in the period",
                result.contact_attempts,
            ).format(n=result.contact_attempts),
        )
        week_rows = [(format_date(w.week_start), w.opened, w.closed, w.reopened) for w in weeks]
        if not any(w.opened or w.closed or w.reopened for w in weeks):
            self.weeks.show_empty(_("No ticket was opened, closed or reopened in this period."))
        else:
            self.weeks.show_data(
                [format_date(w.week_start, with_year=False) for w in weeks],
                [
                    Bars(_("Opened"), [w.opened for w in weeks], NEUTRAL),
                    Bars(_("Tickets closed"), [w.closed for w in weeks], MET),
                    Bars(_("Reopened"), [w.reopened for w in weeks], SECOND),
                ],
                week_rows,
            )
        if result.backlog_total == 0:
            self.backlog.show_empty(_("No ticket was open at the end of the period."))
        else:
            labels = [age_label(b.label) for b in result.backlog]
            self.backlog.show_data(
                labels,
                [Bars(_("Open tickets"), [b.count for b in result.backlog], NEUTRAL)],
                [(label, b.count) for label, b in zip(labels, result.backlog, strict=True)],
                short_labels=[b.label for b in result.backlog],
                axis_title=_("days open"),
            )
        if not any(level.count for level in result.escalations):
            self.escalations.show_empty(_("No ticket was escalated in this period."))
        else:
            labels = [level_label(level.level) for level in result.escalations]
            self.escalations.show_data(
                labels,
                [Bars(_("Escalations"), [level.count for level in result.escalations], MISSED)],
                [(label, level.count) for label, level in zip(labels, result.escalations, strict=True)],
                short_labels=[_("Level {level}").format(level=level.level) for level in result.escalations],
            )
