"""Drawing a QR code as vector squares on a ReportLab canvas, from its modules.

The modules come from an encoder handed in (zxing-cpp from devices/, wired by bootstrap.py);
without one, ReportLab's own encoder is used, which is correct but about 80 times slower.
Dark modules are merged into horizontal runs, so a dense code is a few hundred rectangles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.pdfgen.canvas import Canvas

QrModules = Callable[[str], Sequence[Sequence[bool]]]
QUIET_MODULES = 2  # drawn white around the code; the white paper around it completes the quiet zone


def reportlab_modules(text: str) -> list[list[bool]]:
    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    count = code.getModuleCount()
    return [[bool(code.isDark(row, column)) for column in range(count)] for row in range(count)]


def draw_qr(canvas: Canvas, modules: Sequence[Sequence[bool]], x: float, y: float, size: float) -> None:
    """The code with its quiet zone fills the square (x, y, size); row 0 is at the top."""
    count = len(modules)
    step = size / (count + 2 * QUIET_MODULES)
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for row, line in enumerate(modules):
        top = y + size - (row + QUIET_MODULES + 1) * step
        column = 0
        while column < count:
            if not line[column]:
                column += 1
                continue
            start = column
            while column < count and line[column]:
                column += 1
            # A hair of overlap so a PDF viewer's anti-aliasing shows no seams between squares.
            canvas.rect(x + (start + QUIET_MODULES) * step, top, (column - start) * step, step * 1.02, stroke=0, fill=1)
    canvas.restoreState()
