"""Printable sheets of machine labels (R2): one QR code per machine, with its serial, model and the
support e-mail, laid out for common adhesive label sheets.

The QR is vector artwork (sharp at any printer resolution) with error correction M; two white
modules and the label's margin make its quiet zone; about 0.8 mm per module on the A4 sheet: a cheap webcam reads it
from a hand's length, a phone from further.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from desktop_app.documents.qr_drawing import QrModules, draw_qr, reportlab_modules
from desktop_app.paths import resource_path
from desktop_app.services.dto import MachineLabel

SUPPORT_EMAIL = "soporte@somosmaker.com"
COMPANY = "3D makeR Technologies SAS"
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"


class SheetFormat(StrEnum):
    A4_21 = "a4-21"  # Avery L7160 and equivalents: 3 × 7 labels of 63.5 × 38.1 mm on A4
    LETTER_30 = "letter-30"  # Avery 5160 and equivalents: 3 × 10 labels of 2⅝ × 1 in on Letter


@dataclass(frozen=True)
class SheetLayout:
    page: tuple[float, float]
    columns: int
    rows: int
    label_width: float
    label_height: float
    left: float
    top: float
    column_pitch: float
    row_pitch: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


LAYOUTS = {
    SheetFormat.A4_21: SheetLayout(A4, 3, 7, 63.5 * mm, 38.1 * mm, 7.2 * mm, 15.15 * mm, 66.0 * mm, 38.1 * mm),
    SheetFormat.LETTER_30: SheetLayout(
        LETTER, 3, 10, 66.675 * mm, 25.4 * mm, 4.7625 * mm, 12.7 * mm, 69.85 * mm, 25.4 * mm
    ),
}


def register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(resource_path("fonts", "DejaVuSans.ttf"))))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(resource_path("fonts", "DejaVuSans-Bold.ttf"))))


class LabelSheetRenderer:
    """The services' LabelRenderer port; qr_modules is the QR encoder (zxing-cpp, wired by bootstrap)."""

    def __init__(self, qr_modules: QrModules = reportlab_modules) -> None:
        self._qr_modules = qr_modules

    def render(self, labels: Sequence[MachineLabel], sheet: str) -> bytes:
        return render_labels(labels, SheetFormat(sheet), qr_modules=self._qr_modules)


def render_labels(
    labels: Sequence[MachineLabel],
    sheet: SheetFormat = SheetFormat.A4_21,
    *,
    title: str = "",
    qr_modules: QrModules = reportlab_modules,
) -> bytes:
    """The PDF of the sheets, as bytes (the caller decides where they go)."""
    if not labels:
        raise ValueError("no labels to render")
    register_fonts()
    layout = LAYOUTS[sheet]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=layout.page, invariant=True, pageCompression=1)
    canvas.setTitle(title or "makeR labels")
    canvas.setAuthor(COMPANY)
    for index, label in enumerate(labels):
        slot = index % layout.per_page
        if index and slot == 0:
            canvas.showPage()
        row, column = divmod(slot, layout.columns)
        x = layout.left + column * layout.column_pitch
        y = layout.page[1] - layout.top - (row + 1) * layout.row_pitch
        _draw_label(canvas, label, x, y, layout, qr_modules)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_label(
    canvas: Canvas, label: MachineLabel, x: float, y: float, layout: SheetLayout, qr_modules: QrModules
) -> None:
    pad = 2.0 * mm
    # The QR takes most of the label's height; the white label stock around it completes the
    # quiet zone (2 modules drawn + the padding ≥ the standard 4 modules).
    size = min(layout.label_height - 2 * pad, layout.label_width * 0.46)
    draw_qr(canvas, qr_modules(label.payload), x + pad, y + (layout.label_height - size) / 2, size)

    text_x = x + pad + size + 1.5 * mm
    width = x + layout.label_width - pad - text_x
    lines = [
        (FONT_BOLD, 10.0, label.serial),
        (FONT, 7.5, label.model_name),
        (FONT, 6.5, label.customer_name),
        (FONT, 6.5, SUPPORT_EMAIL),  # shrunk to fit, never cut: it is how the customer reaches makeR
    ]
    line_height = [size * 0.26, size * 0.22, size * 0.22, size * 0.22]
    cursor = y + (layout.label_height + size) / 2 - line_height[0] * 0.8
    for (font, points, text), step in zip(lines, line_height, strict=True):
        points = _fit(text, font, points, width)
        canvas.setFont(font, points)
        canvas.drawString(text_x, cursor, _ellipsis(text, font, points, width))
        cursor -= step


def _fit(text: str, font: str, points: float, width: float) -> float:
    """Shrink the type (down to 5.5 pt) before cutting the text: a serial must be read whole."""
    while points > 5.5 and pdfmetrics.stringWidth(text, font, points) > width:
        points -= 0.5
    return points


def _ellipsis(text: str, font: str, points: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, points) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, points) > width:
        text = text[:-1]
    return text + "…"
