"""The charts of the Informes page (Qt Charts): bars per category, optionally with a line on a
percentage axis, each beside a table with its numbers; hovering a bar or a point shows its value;
an empty result shows the reason in words instead of an empty chart."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCharts import (
    QAbstractAxis,
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QScatterSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QCursor, QFont, QPainter, QPen
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QSplitter, QStackedWidget, QToolTip, QVBoxLayout, QWidget

from desktop_app.i18n import _
from desktop_app.ui import theme
from desktop_app.ui.views.report_tables import Column, Kind, TablePanel, display

# Colours that read on light and dark. Met and missed differ in lightness too (a dark green, a light
# red), so they stay apart for the colour-blind; the legend, the hover and the table say it in words.
MET = "#2F7D4F"
MISSED = "#E0603A"
NEUTRAL = "#4C78A8"
SECOND = "#F0A030"
THIRD = "#8E6CB8"
TREND = "#2B4C7E"  # a dark blue line over green and red bars
TREND_ON_DARK = "#8FB3E8"  # the same line on a dark palette

CHART_MIN_HEIGHT = 250
MAX_AXIS_LABELS = 14  # more bar labels would be elided to "…" at 1366 px


@dataclass(frozen=True)
class Bars:
    """One series of bars: a label for the legend, a value per category, a colour."""

    label: str
    values: Sequence[float]
    color: str


@dataclass(frozen=True)
class Trend:
    """A line over the bars on a 0–100 % axis at the right; None where there is nothing to measure
    (the point is left out, and the table says "—")."""

    label: str
    values: Sequence[float | None]
    color: str = TREND


def category_axis(categories: Sequence[str], horizontal: bool) -> QAbstractAxis:
    """The axis of the categories: one label per bar when they fit; otherwise (a year of weeks) a
    value axis over the bars' places with a label on one bar in `step`, about one a month, because
    a bar axis would elide every label to "…"."""
    if horizontal or len(categories) <= MAX_AXIS_LABELS:
        bars = QBarCategoryAxis()
        bars.append(list(categories))
        return bars
    axis = QCategoryAxis()
    axis.setRange(-0.5, len(categories) - 0.5)
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    step = math.ceil(len(categories) / MAX_AXIS_LABELS)
    for i in range(0, len(categories), step):
        axis.append(categories[i], i)
    return axis


def _small_font(base: QFont, points: float = 8.5) -> QFont:
    font = QFont(base)
    font.setPointSizeF(points)
    return font


class ReportChart(QChartView):
    """A bar chart (vertical, stacked or horizontal) with an optional trend line; hovering shows
    the value of the bar or point under the pointer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(CHART_MIN_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.categories: list[str] = []
        self.bars: list[Bars] = []
        self.trend: Trend | None = None
        self._format: Callable[[float], str] = lambda v: display(int(v), Kind.COUNT)
        self.last_hover = ""  # what the last hover said (the tooltip's text), for tests and screen readers

    def plot(
        self,
        categories: Sequence[str],
        bars: Sequence[Bars],
        trend: Trend | None = None,
        *,
        stacked: bool = False,
        horizontal: bool = False,
        value_format: Callable[[float], str] | None = None,
        short_labels: Sequence[str] | None = None,
        axis_title: str = "",
    ) -> None:
        """Draw the bars (and the trend); `short_labels` name the categories on the axis where the
        full names, kept for the hover and the table, would be cut; `axis_title` says their unit."""
        axis_names = list(short_labels if short_labels is not None else categories)
        if horizontal:  # Qt draws the first category at the bottom; a ranking reads from the top
            categories = list(reversed(categories))
            axis_names.reverse()
            bars = [Bars(b.label, list(reversed(b.values)), b.color) for b in bars]
        self.categories, self.bars, self.trend = list(categories), list(bars), trend
        if value_format is not None:
            self._format = value_format
        colors = theme.colors()
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setBackgroundBrush(QColor(colors.card))
        chart.setBackgroundRoundness(0)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.layout().setContentsMargins(0, 0, 0, 0)
        legend = chart.legend()
        legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
        legend.setFont(_small_font(self.font(), 9))
        legend.setLabelColor(QColor(colors.text))
        legend.setVisible(len(bars) > 1 or trend is not None)

        series: QAbstractBarSeries
        if horizontal:
            series = QHorizontalBarSeries()
        elif stacked:
            series = QStackedBarSeries()
        else:
            series = QBarSeries()
        series.setBarWidth(0.7)
        for item in bars:
            bar_set = QBarSet(item.label)
            bar_set.setColor(QColor(item.color))
            bar_set.setBorderColor(QColor(item.color))
            bar_set.append([float(v) for v in item.values])
            series.append(bar_set)
        series.hovered.connect(self._on_bar_hovered)
        chart.addSeries(series)

        x_axis = category_axis(axis_names, horizontal)
        if axis_title:
            x_axis.setTitleText(axis_title)
            x_axis.setTitleFont(_small_font(self.font()))
            x_axis.setTitleBrush(QColor(colors.muted))
        value_axis = QValueAxis()
        columns = list(zip(*(b.values for b in bars), strict=True))
        top = math.ceil(max((sum(col) if stacked else max(col) for col in columns), default=0))
        if top <= 5:  # small counts: one tick per unit, never "0, 0, 1, 1"
            value_axis.setRange(0, max(top, 1))
            value_axis.setTickCount(max(top, 1) + 1)
        else:
            value_axis.setRange(0, top)
            value_axis.applyNiceNumbers()
        value_axis.setLabelFormat("%.0f")
        for axis in (x_axis, value_axis):
            axis.setLabelsFont(_small_font(self.font()))
            axis.setLabelsColor(QColor(colors.muted))
            axis.setGridLineColor(QColor(colors.border))
            axis.setLinePenColor(QColor(colors.border))
        x_axis.setGridLineVisible(False)
        if not horizontal and min(len(self.categories), MAX_AXIS_LABELS) > 8:
            x_axis.setLabelsAngle(-60)  # weeks and months stay readable when there are many
        if horizontal:
            chart.addAxis(x_axis, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(value_axis, Qt.AlignmentFlag.AlignBottom)
        else:
            chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(value_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(value_axis)

        if trend is not None and not horizontal:
            line = QLineSeries()
            line.setName(trend.label)
            line_color = QColor(TREND_ON_DARK if colors.dark and trend.color == TREND else trend.color)
            pen = QPen(line_color)
            pen.setWidthF(2.5)
            line.setPen(pen)
            # The points are markers of their own: they show, and answer the pointer, even when the
            # period has a single month (a line of one point has nothing to hover).
            points = QScatterSeries()
            points.setColor(line_color)
            points.setBorderColor(line_color)
            points.setMarkerSize(9)
            for i, value in enumerate(trend.values):
                if value is not None:
                    line.append(QPointF(i, float(value)))
                    points.append(QPointF(i, float(value)))
            line.hovered.connect(self._on_point_hovered)
            points.hovered.connect(self._on_point_hovered)
            chart.addSeries(line)
            chart.addSeries(points)
            percent_axis = QValueAxis()
            percent_axis.setRange(0, 100)
            percent_axis.setTickCount(6)
            percent_axis.setLabelFormat("%.0f %%")
            percent_axis.setLabelsFont(_small_font(self.font()))
            percent_axis.setLabelsColor(line_color)
            percent_axis.setGridLineVisible(False)
            percent_axis.setLinePenColor(QColor(colors.border))
            chart.addAxis(percent_axis, Qt.AlignmentFlag.AlignRight)
            for series_ in (line, points):
                series_.attachAxis(x_axis)
                series_.attachAxis(percent_axis)
            for marker in legend.markers(points):
                marker.setVisible(False)  # the line's entry names them
        self.setChart(chart)

    def bar_text(self, set_index: int, index: int) -> str:
        """What hovering bar `index` of series `set_index` shows."""
        item = self.bars[set_index]
        return _("{category} · {series}: {value}").format(
            category=self.categories[index], series=item.label, value=self._format(float(item.values[index]))
        )

    def point_text(self, index: int) -> str:
        """What hovering the trend's point over category `index` shows."""
        assert self.trend is not None
        value = self.trend.values[index]
        return _("{category} · {series}: {value}").format(
            category=self.categories[index], series=self.trend.label, value=display(value, Kind.PERCENT)
        )

    def _show(self, text: str) -> None:
        self.last_hover = text
        QToolTip.showText(QCursor.pos(), text, self)

    def _on_bar_hovered(self, status: bool, index: int, bar_set: QBarSet) -> None:
        if not status:
            QToolTip.hideText()
            return
        labels = [b.label for b in self.bars]
        if bar_set.label() in labels and 0 <= index < len(self.categories):
            self._show(self.bar_text(labels.index(bar_set.label()), index))

    def _on_point_hovered(self, point: QPointF, state: bool) -> None:
        if not state or self.trend is None:
            QToolTip.hideText()
            return
        index = round(point.x())
        if 0 <= index < len(self.categories) and self.trend.values[index] is not None:
            self._show(self.point_text(index))


class ChartPanel(QFrame):
    """A card: a title, the chart with its numbers in a table beside it, or the reason there is
    nothing to draw."""

    def __init__(
        self,
        title: str,
        columns: Sequence[Column],
        tasks: object,
        message: Callable[[str], None],
        chart_share: int = 3,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, objectName="card")
        self.chart = ReportChart()
        self.table_panel = TablePanel(title, columns, tasks, message)  # type: ignore[arg-type]
        self.table_panel.title_label.hide()  # the card says it once, above both
        self.title_label = QLabel(title, objectName="cardTitle")
        self.empty_label = QLabel(objectName="emptyState", wordWrap=True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.chart)
        self.splitter.addWidget(self.table_panel)
        self.splitter.setStretchFactor(0, chart_share)
        self.splitter.setStretchFactor(1, 5 - chart_share)
        self.splitter.setChildrenCollapsible(False)
        # Scaled to the width there is: the chart gets `chart_share` fifths, the table the rest.
        self.splitter.setSizes([1000 * chart_share, 1000 * (5 - chart_share)])
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.empty_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        layout.addWidget(self.title_label)
        layout.addWidget(self.stack, 1)
        self.setMinimumHeight(CHART_MIN_HEIGHT + 60)

    @property
    def table(self) -> TablePanel:
        return self.table_panel

    def show_data(
        self,
        categories: Sequence[str],
        bars: Sequence[Bars],
        rows: Sequence[Sequence[object]],
        trend: Trend | None = None,
        **options: object,
    ) -> None:
        self.chart.plot(categories, bars, trend, **options)  # type: ignore[arg-type]
        self.table_panel.set_rows(rows)
        self.stack.setCurrentWidget(self.splitter)

    def show_empty(self, reason: str) -> None:
        """Nothing to draw: the reason, in words, where the chart would be."""
        self.empty_label.setText(reason)
        self.table_panel.set_rows([])
        self.stack.setCurrentWidget(self.empty_label)

    @property
    def is_empty(self) -> bool:
        return self.stack.currentWidget() is self.empty_label
