"""The plan certificate as a one-page PDF (R15), worded in the policy's own terms: the plan and its
type, the invoice ("Factura"), the validity ("Vigencia") and the covered machines, with the
company's round seal (vector, dated the day of issue), a signature line, and the QR code that
carries the same facts signed.

The company's identity and seal texts are the company data saved in Settings (services/company.py),
handed in by the service; resources/certificate/company.json when none is given (a new
installation, the benchmark). Fonts are the DejaVu TTFs in resources/fonts, so accents print
everywhere. Rendering is deterministic (ReportLab invariant mode): the same certificate gives the
same bytes.

Nothing overflows the page whatever the data: the statement takes at most `STATEMENT_LINES` lines
(a longer customer name is shortened there and printed in full in the annex), words longer than a
line are broken, a value wider than its box is set smaller and then cut, and the annex runs over as
many pages as the machines need.
"""

from __future__ import annotations

import io
import math

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.documents.company_file import seal_colour, shipped_company
from desktop_app.documents.labels_pdf import FONT, FONT_BOLD, register_fonts
from desktop_app.documents.qr_drawing import QrModules, draw_qr, reportlab_modules
from desktop_app.documents.text_fit import draw_fitted, wrap
from desktop_app.domain.certificate import CertificateData, CertifiedMachine
from desktop_app.domain.company import CompanyProfile
from desktop_app.formatting import format_date
from desktop_app.i18n import _

# Letter ("carta") is the usual office paper in Colombia; A4 for customers who ask for it.
PAPER_SIZES = {"letter": LETTER, "a4": A4}
ROW = 6.5 * mm
TABLE_FLOOR = 88 * mm  # the machines table stays above the seal, signature and QR
STATEMENT_LINES = 5  # the statement's lines on the first page; the facts and table need the rest
ANNEX_FLOOR = 20 * mm
ANNEX_LINE = 4.2 * mm
SMALLEST_TEXT = 6.5  # points: a value is set down to this size before it is cut
ORANGE = colors.HexColor("#E8711A")
INK = colors.HexColor("#1F2328")
MUTED = colors.HexColor("#5F6B76")
RULE = colors.HexColor("#D9DEE3")


def identity_line(who: CompanyProfile, *middle: str) -> str:
    """The letterhead's line under the name: NIT, what the page is, address, phone, e-mail, web."""
    parts = [f"NIT {who.tax_id}"] if who.tax_id else []
    parts += [*middle, who.address, who.phone, who.support_email, who.website]
    return " · ".join(part for part in parts if part)


class CertificatePdfRenderer:
    """The services' CertificateRenderer port.

    Args:
        qr_modules: the QR encoder (zxing-cpp from devices/, wired by bootstrap.py).
    """

    def __init__(self, qr_modules: QrModules = reportlab_modules) -> None:
        self._qr_modules = qr_modules

    def render(
        self, data: CertificateData, qr_text: str, paper: str = "letter", company: CompanyProfile | None = None
    ) -> bytes:
        return render_certificate(data, qr_text, PAPER_SIZES[paper], self._qr_modules, company)


def render_certificate(
    data: CertificateData,
    qr_text: str,
    page: tuple[float, float] = A4,
    qr_modules: QrModules = reportlab_modules,
    company: CompanyProfile | None = None,
) -> bytes:
    register_fonts()
    who = company or shipped_company()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=page, invariant=True, pageCompression=1)
    canvas.setTitle(_("Certificate {number}").format(number=data.number))
    canvas.setAuthor(who.legal_name)
    canvas.setSubject(_("Technical support plan certificate"))
    width, height = page
    left, right = 22 * mm, width - 22 * mm

    # Letterhead.
    canvas.setFillColor(ORANGE)
    canvas.rect(0, height - 9 * mm, width, 9 * mm, stroke=0, fill=1)
    y = height - 24 * mm
    canvas.setFillColor(INK)
    canvas.setFont(FONT_BOLD, 17)
    draw_fitted(canvas, left, y, who.legal_name, FONT_BOLD, 17, right - left, smallest=SMALLEST_TEXT)
    canvas.setFillColor(MUTED)
    draw_fitted(
        canvas,
        left,
        y - 6 * mm,
        identity_line(who, _("Technical support")),
        FONT,
        9,
        right - left,
        smallest=SMALLEST_TEXT,
    )

    # Title and number.
    y -= 24 * mm
    canvas.setFillColor(INK)
    canvas.setFont(FONT_BOLD, 15)
    canvas.drawString(left, y, _("TECHNICAL SUPPORT PLAN CERTIFICATE"))
    canvas.setFont(FONT, 10)
    canvas.setFillColor(MUTED)
    canvas.drawString(
        left,
        y - 6.5 * mm,
        _("Certificate No. {number} · issued on {date}").format(number=data.number, date=format_date(data.issued_on)),
    )

    # The statement.
    y -= 20 * mm
    lines, full_name = _statement(data, who, right - left)
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 10.5)
    for line in lines:
        canvas.drawString(left, y, line)
        y -= 15

    # The plan's facts, in the policy's words.
    y -= 6 * mm
    kind = _("Special contract (discontinued model)") if data.special else _("Support plan")
    validity = _("{start} to {end}").format(start=format_date(data.valid_from), end=format_date(data.valid_to))
    rows = [
        (_("Plan"), data.plan_name),
        (_("Type"), kind),
        (_("Invoice"), data.invoice_number),
        (_("Validity"), validity),
    ]
    for label, value in rows:
        canvas.setStrokeColor(RULE)
        canvas.line(left, y - 2.5 * mm, right, y - 2.5 * mm)
        canvas.setFont(FONT, 10)
        canvas.setFillColor(MUTED)
        canvas.drawString(left, y, label)
        canvas.setFillColor(INK)
        draw_fitted(canvas, left + 45 * mm, y, value, FONT_BOLD, 11, right - left - 45 * mm, smallest=SMALLEST_TEXT)
        y -= 9 * mm

    # Covered machines: one column while they fit above the seal, then two; the rest, if any,
    # on an annex page (a school with forty printers still gets its certificate).
    y -= 5 * mm
    canvas.setFont(FONT_BOLD, 11)
    canvas.drawString(left, y, _("Covered products"))
    y -= 7 * mm
    rows = max(1, int((y - TABLE_FLOOR) // ROW))
    machines = list(data.machines)
    columns = 1 if len(machines) <= rows else 2
    shown = machines if len(machines) <= rows * columns else machines[: rows * columns - 1]
    _machine_table(canvas, shown, left, right, y, rows, columns)
    rest = machines[len(shown) :]
    if rest:
        canvas.setFont(FONT, 9)
        canvas.setFillColor(MUTED)
        # In the slot the last shown machine would have taken: the bottom of the last column.
        canvas.drawString(
            left + (right - left) / columns * (columns - 1) + 3 * mm,
            y - rows * ROW,
            _("… and {n} more, listed in the annex.").format(n=len(rest)),
        )

    # Seal, signature, QR along the bottom.
    bottom = 28 * mm
    qr_size = 48 * mm
    _draw_seal(canvas, who, left + 24 * mm, bottom + 26 * mm, 22 * mm, format_date(data.issued_on))
    canvas.setStrokeColor(INK)
    canvas.line(left + 56 * mm, bottom + 12 * mm, left + 116 * mm, bottom + 12 * mm)
    canvas.setFont(FONT, 9)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(left + 86 * mm, bottom + 7 * mm, _("Authorised signature"))
    canvas.drawCentredString(left + 86 * mm, bottom + 3 * mm, who.legal_name[:80])
    draw_qr(canvas, qr_modules(qr_text), right - qr_size, bottom + 4 * mm, qr_size)
    canvas.setFont(FONT, 7.5)
    canvas.drawCentredString(right - qr_size / 2, bottom, _("Scan to verify this certificate"))
    canvas.setFillColor(ORANGE)
    canvas.rect(0, 0, width, 4 * mm, stroke=0, fill=1)
    if rest or full_name:
        _annex(canvas, data.number, full_name, rest, page)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _statement(data: CertificateData, who: CompanyProfile, width: float) -> tuple[list[str], str]:
    """The statement's lines, and the customer's full name when the statement had to shorten it
    ("" otherwise) for the annex."""

    def lines(name: str) -> list[str]:
        customer = name + (f" (NIT {data.customer_tax_id})" if data.customer_tax_id else "")
        statement = _(
            "{company} certifies that {customer} has contracted the technical support plan described below, "
            "under makeR's technical support policy."
        ).format(company=who.legal_name, customer=customer)
        return wrap(statement, width, FONT, 10.5)

    whole = lines(data.customer_name)
    if len(whole) <= STATEMENT_LINES:
        return whole, ""
    # The longest start of the name that keeps the statement within its lines (the wrap only
    # grows with the name, so a binary search finds it).
    note = _("… (full name in the annex)")
    low, high = 0, len(data.customer_name)
    while low < high:
        middle = (low + high + 1) // 2
        if len(lines(data.customer_name[:middle].rstrip() + note)) <= STATEMENT_LINES:
            low = middle
        else:
            high = middle - 1
    return lines(data.customer_name[:low].rstrip() + note), data.customer_name


def _annex(
    canvas: Canvas,
    number: str,
    full_name: str,
    machines: list[CertifiedMachine],
    page: tuple[float, float],
) -> None:
    """The pages after the first: the customer's full name when the statement shortened it, then
    the machines that did not fit, in two columns, over as many pages as they need."""
    width, height = page
    left, right = 22 * mm, width - 22 * mm

    def new_page() -> float:
        canvas.showPage()
        canvas.setFillColor(INK)
        canvas.setFont(FONT_BOLD, 12)
        canvas.drawString(left, height - 25 * mm, _("Annex to certificate {number}").format(number=number))
        return height - 35 * mm

    y = new_page()
    if full_name:
        canvas.setFont(FONT_BOLD, 11)
        canvas.drawString(left, y, _("Customer"))
        y -= 6 * mm
        for line in wrap(full_name, right - left, FONT, 9):
            if y < ANNEX_FLOOR:
                y = new_page()
            canvas.setFillColor(INK)
            canvas.setFont(FONT, 9)
            canvas.drawString(left, y, line)
            y -= ANNEX_LINE
        y -= 6 * mm
    while machines:
        rows = int((y - 7 * mm - ANNEX_FLOOR) // ROW)
        if rows < 1:
            y = new_page()
            continue
        canvas.setFillColor(INK)
        canvas.setFont(FONT_BOLD, 11)
        canvas.drawString(left, y, _("Covered products"))
        shown, machines = machines[: rows * 2], machines[rows * 2 :]
        _machine_table(canvas, shown, left, right, y - 7 * mm, rows, 2)
        if machines:
            y = new_page()


def _machine_table(
    canvas: Canvas, machines: list[CertifiedMachine], left: float, right: float, y: float, rows: int, columns: int
) -> None:
    """Model and serial, filled down each column; a shaded heading over each column."""
    width = (right - left) / columns
    used_columns = min(columns, max(1, -(-len(machines) // rows)))
    for column in range(used_columns):
        x = left + column * width
        canvas.setFillColor(colors.HexColor("#F3F4F6"))
        canvas.rect(x, y - 2.2 * mm, width - (2 * mm if columns > 1 else 0), 7 * mm, stroke=0, fill=1)
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT_BOLD, 9)
        canvas.drawString(x + 3 * mm, y, _("Model"))
        canvas.drawString(x + width * 0.55, y, _("Serial"))
    canvas.setFont(FONT, 10 if columns == 1 else 9)
    for index, machine in enumerate(machines):
        column, row = divmod(index, rows)
        if column >= columns:
            break
        x = left + column * width
        line_y = y - (row + 1) * ROW
        canvas.setFillColor(INK)
        size = 10 if columns == 1 else 9
        draw_fitted(
            canvas, x + 3 * mm, line_y, machine.model, FONT, size, width * 0.55 - 5 * mm, smallest=SMALLEST_TEXT
        )
        draw_fitted(
            canvas, x + width * 0.55, line_y, machine.serial, FONT, size, width * 0.45 - 3 * mm, smallest=SMALLEST_TEXT
        )
        canvas.setStrokeColor(RULE)
        canvas.line(x, line_y - 2.2 * mm, x + width - (2 * mm if columns > 1 else 0), line_y - 2.2 * mm)


def _draw_seal(canvas: Canvas, who: CompanyProfile, cx: float, cy: float, radius: float, date_text: str) -> None:
    """The round company stamp: two rings, the company's name around, the department and the
    date of issue in the middle. Drawn slightly turned, as a stamp is."""
    ink = colors.HexColor(seal_colour())
    canvas.saveState()
    canvas.translate(cx, cy)
    canvas.rotate(-8)
    canvas.setStrokeColor(ink)
    canvas.setFillColor(ink)
    canvas.setLineWidth(1.6)
    canvas.circle(0, 0, radius, stroke=1, fill=0)
    canvas.setLineWidth(0.8)
    canvas.circle(0, 0, radius * 0.72, stroke=1, fill=0)
    # The name around the top, each letter turned to follow the ring.
    ring = who.seal_ring_text
    size = radius * 0.2
    canvas.setFont(FONT_BOLD, size)
    text_radius = radius * 0.8
    span = min(250.0, 10.5 * len(ring))
    for index, letter in enumerate(ring):
        angle = 90 + span / 2 - index * span / max(1, len(ring) - 1)
        canvas.saveState()
        canvas.rotate(angle)
        canvas.translate(text_radius, 0)
        canvas.rotate(-90)
        canvas.drawCentredString(0, 0, letter)
        canvas.restoreState()
    # A star closes the ring at the bottom, under the date.
    _star(canvas, 0, -text_radius, size * 0.5)
    canvas.setFont(FONT_BOLD, radius * 0.12)
    canvas.drawCentredString(0, radius * 0.12, who.seal_centre_text)
    canvas.setFont(FONT, radius * 0.13)
    canvas.drawCentredString(0, -radius * 0.16, date_text)
    canvas.setLineWidth(0.6)
    canvas.line(-radius * 0.5, -radius * 0.3, radius * 0.5, -radius * 0.3)
    canvas.restoreState()


def _star(canvas: Canvas, x: float, y: float, r: float) -> None:
    path = canvas.beginPath()
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.45
        angle = math.radians(90 + k * 36)
        px, py = x + radius * math.cos(angle), y + radius * math.sin(angle)
        if k == 0:
            path.moveTo(px, py)
        else:
            path.lineTo(px, py)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)
