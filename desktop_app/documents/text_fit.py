"""Fitting text into a width on a ReportLab page: lines wrapped at a width, and one line set
smaller, then cut with "…", to fit its box. The certificates and the reports use the same rules."""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas


def wrap(text: str, width: float, font: str, size: float) -> list[str]:
    """The text's lines at this width, a line per paragraph at least (so a blank line stays); a
    word wider than a line is cut between characters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}" if line else word
            if pdfmetrics.stringWidth(trial, font, size) <= width:
                line = trial
                continue
            if line:
                lines.append(line)
            line = word
            while pdfmetrics.stringWidth(line, font, size) > width and len(line) > 1:
                cut = fitting_prefix(line, width, font, size)
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines


def fitting_prefix(text: str, width: float, font: str, size: float) -> int:
    """How many of the text's first characters fit the width (at least one, so wrapping advances)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if pdfmetrics.stringWidth(text[:middle], font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def draw_fitted(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    font: str,
    size: float,
    width: float,
    *,
    smallest: float,
    right: bool = False,
) -> None:
    """One line in a box `width` wide: set smaller down to `smallest`, then cut with "…"; with
    `right`, `x` is where the line ends."""
    natural = pdfmetrics.stringWidth(text, font, size)
    if natural > width > 0:
        size = max(min(smallest, size), size * width / natural * 0.99)
        if pdfmetrics.stringWidth(text, font, size) > width:
            room = width - pdfmetrics.stringWidth("…", font, size)
            text = text[: fitting_prefix(text, max(room, 1.0), font, size)] + "…"
    canvas.setFont(font, size)
    if right:
        canvas.drawRightString(x, y, text)
    else:
        canvas.drawString(x, y, text)
