"""The pieces the report PDFs are laid out with (documents/report_pdf.py), in the certificates' look:
pages that break with their heading repeated, section titles, wrapped paragraphs, key-figure boxes,
tables whose heading row comes back on each new page and whose cells are set smaller or cut rather
than spill, and simple bar charts drawn with ReportLab's graphics.

Nothing is drawn past a page's bottom margin: every piece asks for its room first.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from desktop_app.documents.certificate_pdf import INK, MUTED, ORANGE, RULE, identity_line
from desktop_app.documents.labels_pdf import FONT, FONT_BOLD
from desktop_app.documents.text_fit import draw_fitted, wrap
from desktop_app.domain.company import CompanyProfile
from desktop_app.i18n import _

LEFT, RIGHT = 18 * mm, A4[0] - 18 * mm
BOTTOM = 20 * mm
SHADE = colors.HexColor("#F3F4F6")
SECOND = colors.HexColor("#8A96A3")  # the second series of a chart (late, closed…)
SERIES = (ORANGE, SECOND, colors.HexColor("#3B82A0"))
SMALLEST = 6.0  # points: a cell's text is set down to this size before it is cut
ROW = 5.6 * mm


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # a share of the table's width; the shares are scaled to fill it
    right: bool = False  # figures align right


class ReportPage:
    """A canvas that starts a new page, its heading repeated, when a piece would not fit."""

    def __init__(self, canvas: Canvas, company: CompanyProfile, title: str, subtitle: str, stamp: str) -> None:
        self.canvas, self.company = canvas, company
        self.title, self.subtitle, self.stamp = title, subtitle, stamp
        self.number = 0
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        c = self.canvas
        if self.number:
            c.showPage()
        self.number += 1
        width, height = A4
        c.setFillColor(ORANGE)
        c.rect(0, height - 7 * mm, width, 7 * mm, stroke=0, fill=1)
        c.setFillColor(INK)
        draw_fitted(c, LEFT, height - 19 * mm, self.company.legal_name, FONT_BOLD, 14, RIGHT - LEFT, smallest=SMALLEST)
        c.setFillColor(MUTED)
        draw_fitted(
            c,
            LEFT,
            height - 23.5 * mm,
            identity_line(self.company, _("Technical support")),
            FONT,
            8,
            RIGHT - LEFT,
            smallest=SMALLEST,
        )
        c.setFillColor(INK)
        draw_fitted(c, LEFT, height - 31 * mm, self.title, FONT_BOLD, 13, RIGHT - LEFT, smallest=SMALLEST)
        c.setFillColor(MUTED)
        page = _("page {n}").format(n=self.number)
        stamp = f"{self.stamp} · {page}" if self.stamp else page
        stamp_width = pdfmetrics.stringWidth(stamp, FONT, 8.5)
        c.setFont(FONT, 8.5)
        c.drawRightString(RIGHT, height - 37 * mm, stamp)
        draw_fitted(
            c, LEFT, height - 37 * mm, self.subtitle, FONT, 9, RIGHT - LEFT - stamp_width - 6 * mm, smallest=SMALLEST
        )
        c.setStrokeColor(RULE)
        c.line(LEFT, height - 40 * mm, RIGHT, height - 40 * mm)
        c.setFillColor(ORANGE)
        c.rect(0, 0, width, 4 * mm, stroke=0, fill=1)
        self.y = height - 48 * mm

    def need(self, space: float) -> None:
        if self.y - space < BOTTOM:
            self.new_page()

    # -- pieces ----------------------------------------------------------------------------------

    def section(self, title: str) -> None:
        """A section title, kept with at least the first lines of what follows."""
        self.y -= 3 * mm
        self.need(24 * mm)
        c = self.canvas
        c.setFillColor(ORANGE)
        c.rect(LEFT, self.y - 1 * mm, 1.6 * mm, 5 * mm, stroke=0, fill=1)
        c.setFillColor(INK)
        draw_fitted(c, LEFT + 4 * mm, self.y, title, FONT_BOLD, 11.5, RIGHT - LEFT - 4 * mm, smallest=SMALLEST)
        self.y -= 8 * mm

    def subheading(self, title: str) -> None:
        self.need(16 * mm)
        self.canvas.setFillColor(INK)
        draw_fitted(self.canvas, LEFT, self.y, title, FONT_BOLD, 9.5, RIGHT - LEFT, smallest=SMALLEST)
        self.y -= 5.5 * mm

    def paragraph(self, text: str, *, size: float = 9, muted: bool = False) -> None:
        c = self.canvas
        for line in wrap(text, RIGHT - LEFT, FONT, size):
            self.need(size * 0.45 * mm + 2 * mm)
            c.setFillColor(MUTED if muted else INK)
            c.setFont(FONT, size)
            c.drawString(LEFT, self.y, line)
            self.y -= size * 0.42 * mm + 1.6 * mm
        self.y -= 1.5 * mm

    def figures(self, boxes: Sequence[tuple[str, str]]) -> None:
        """Key figures side by side, five at most on a row (six as two rows of three): a big value
        over its label (two lines)."""
        per_row = len(boxes) if len(boxes) <= 5 else -(-len(boxes) // 2)
        gap = 3 * mm
        for first in range(0, len(boxes), per_row):
            self.need(22 * mm)
            c = self.canvas
            width = (RIGHT - LEFT - gap * (per_row - 1)) / per_row
            for index, (label, value) in enumerate(boxes[first : first + per_row]):
                x = LEFT + index * (width + gap)
                c.setFillColor(SHADE)
                c.rect(x, self.y - 15 * mm, width, 18 * mm, stroke=0, fill=1)
                c.setFillColor(INK)
                draw_fitted(c, x + 2.5 * mm, self.y - 4 * mm, value, FONT_BOLD, 14, width - 5 * mm, smallest=SMALLEST)
                c.setFillColor(MUTED)
                lines = wrap(label, width - 5 * mm, FONT, 7.5)
                if len(lines) > 2:
                    lines = [lines[0], " ".join(lines[1:])]
                for row, line in enumerate(lines):
                    draw_fitted(
                        c,
                        x + 2.5 * mm,
                        self.y - (9.5 + 3.4 * row) * mm,
                        line,
                        FONT,
                        7.5,
                        width - 5 * mm,
                        smallest=SMALLEST,
                    )
            self.y -= 21 * mm

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]], *, bold_last: bool = False) -> None:
        """The rows under a shaded heading row, repeated after each page break."""
        total = sum(column.width for column in columns)
        widths = [(RIGHT - LEFT) * column.width / total for column in columns]

        def heading() -> None:
            c = self.canvas
            c.setFillColor(SHADE)
            c.rect(LEFT, self.y - 1.8 * mm, RIGHT - LEFT, 6 * mm, stroke=0, fill=1)
            c.setFillColor(MUTED)
            self._cells([column.title for column in columns], columns, widths, FONT_BOLD, 7)
            self.y -= ROW

        self.need(ROW * 3)
        heading()
        for index, row in enumerate(rows):
            if self.y - ROW < BOTTOM:
                self.new_page()
                heading()
            c = self.canvas
            c.setFillColor(INK)
            bold = bold_last and index == len(rows) - 1
            self._cells(row, columns, widths, FONT_BOLD if bold else FONT, 8)
            c.setStrokeColor(RULE)
            c.line(LEFT, self.y - 1.8 * mm, RIGHT, self.y - 1.8 * mm)
            self.y -= ROW
        self.y -= 4 * mm

    def _cells(
        self, texts: Sequence[str], columns: Sequence[Column], widths: Sequence[float], font: str, size: float
    ) -> None:
        x = LEFT
        for text, column, width in zip(texts, columns, widths, strict=True):
            room = width - 3 * mm
            smallest = size * 0.85  # a little smaller, then cut: a table stays readable
            if column.right:
                draw_fitted(
                    self.canvas, x + width - 1.5 * mm, self.y, text, font, size, room, right=True, smallest=smallest
                )
            else:
                draw_fitted(self.canvas, x + 1.5 * mm, self.y, text, font, size, room, smallest=smallest)
            x += width

    def bar_chart(
        self,
        title: str,
        labels: Sequence[str],
        series: Sequence[tuple[str, Sequence[float | None]]],
        value_text: Callable[[float | None], str],
        *,
        height: float = 52 * mm,
        top: float | None = None,
    ) -> None:
        """Vertical bars, one group per label, one bar per series; each bar's value written over it
        (a missing value as "—", its bar left out). `top`: the value axis's end (100 for %)."""
        self.need(height + 9 * mm)  # the title stays with its chart
        self.subheading(title)
        width = RIGHT - LEFT
        drawing = Drawing(width, height)
        chart = VerticalBarChart()
        chart.x, chart.y = 12 * mm, 9 * mm
        room = width - chart.x - (34 * mm if len(series) > 1 else 2 * mm)
        # Few groups get narrower bars, not a wall: at most 26 mm a group.
        chart.width = min(room, max(1, len(labels)) * 26 * mm)
        chart.height = height - chart.y - 5 * mm
        chart.data = [tuple(0.0 if value is None else value for value in values) for _name, values in series]
        largest = max((value or 0.0 for _name, values in series for value in values), default=0.0)
        axis_top, step = (top, top / 4) if top is not None else _axis(largest)
        chart.valueAxis.valueMin = 0
        chart.valueAxis.valueMax = axis_top
        chart.valueAxis.valueStep = step
        chart.valueAxis.labels.fontName = FONT
        chart.valueAxis.labels.fontSize = 6.5
        chart.valueAxis.labelTextFormat = lambda value: value_text(value) if top is None else f"{value:.0f}"
        chart.valueAxis.strokeColor = RULE
        chart.valueAxis.visibleGrid = True
        chart.valueAxis.gridStrokeColor = RULE
        chart.valueAxis.gridStrokeWidth = 0.3
        chart.categoryAxis.categoryNames = list(labels)
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = 6.5 if len(labels) > 8 else 7.5
        chart.categoryAxis.labels.boxAnchor = "n"
        chart.categoryAxis.labels.dy = -2
        chart.categoryAxis.strokeColor = MUTED
        chart.categoryAxis.visibleTicks = False
        chart.barSpacing = 0.6
        chart.groupSpacing = 4 if len(labels) > 8 else 8
        chart.barLabelArray = [[value_text(value) for value in values] for _name, values in series]
        chart.barLabelFormat = "values"
        chart.barLabels.fontName = FONT
        chart.barLabels.fontSize = 6 if len(labels) * len(series) > 14 else 7
        chart.barLabels.fillColor = INK
        chart.barLabels.nudge = 5
        chart.barLabels.boxAnchor = "s"
        chart.barLabels.dy = 0
        for index, paint in enumerate(SERIES[: len(series)]):
            chart.bars[index].fillColor = paint
            chart.bars[index].strokeColor = None
        drawing.add(chart)
        if len(series) > 1:
            legend = Legend()
            legend.x, legend.y = chart.x + chart.width + 5 * mm, chart.y + chart.height
            legend.fontName, legend.fontSize = FONT, 7.5
            legend.alignment = "right"
            legend.boxAnchor = "nw"
            legend.columnMaximum = 4
            legend.dx = legend.dy = 6
            legend.colorNamePairs = [(SERIES[i], name) for i, (name, _values) in enumerate(series[: len(SERIES)])]
            drawing.add(legend)
        renderPDF.draw(drawing, self.canvas, LEFT, self.y - height)
        self.y -= height + 5 * mm


def _axis(largest: float) -> tuple[float, float]:
    """The value axis's end and step: a round step (1, 2 or 5 × 10ⁿ, whole numbers from 1 up) with
    at most five steps, the end a little above the largest value so its label fits over the bar."""
    wanted = max(largest * 1.15, 1.0)
    step = 1.0
    while True:
        for factor in (1, 2, 5):
            if step * factor * 5 >= wanted:
                chosen = step * factor
                return chosen * -(-wanted // chosen), chosen
        step *= 10


def open_canvas(buffer: io.BytesIO, title: str, company: CompanyProfile) -> Canvas:
    """An A4 canvas with the document's title and author, deterministic (invariant mode)."""
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor(company.legal_name)
    return canvas
