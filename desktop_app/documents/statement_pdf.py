"""A customer's billing statement (R17) as a PDF: per contract, what the plan included and what was
used, then each billable line before IVA; then the work no contract covered ("Sin contrato"); the
totals with the IVA apart. Pages break as needed."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import timedelta

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.documents.certificate_pdf import INK, MUTED, ORANGE, RULE, identity_line
from desktop_app.documents.company_file import shipped_company
from desktop_app.documents.labels_pdf import FONT, FONT_BOLD, register_fonts
from desktop_app.domain.billing import BillingLine, Totals, totals
from desktop_app.domain.company import CompanyProfile
from desktop_app.domain.money import IVA_RATE_PERCENT
from desktop_app.formatting import format_date, format_money, format_working_hours
from desktop_app.i18n import _
from desktop_app.services.dto import CustomerStatement
from desktop_app.wording import billing_line_label

LEFT, RIGHT = 18 * mm, A4[0] - 18 * mm
BOTTOM = 22 * mm


class StatementPdfRenderer:
    """The services' StatementRenderer port."""

    def render(self, statement: CustomerStatement, company: CompanyProfile | None = None) -> bytes:
        return render_statement(statement, company)


class _Page:
    """A canvas that starts a new page, with the heading repeated, when a line would not fit."""

    def __init__(self, canvas: Canvas, statement: CustomerStatement, company: CompanyProfile) -> None:
        self.canvas, self.statement, self.company = canvas, statement, company
        self.number = 0
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        if self.number:
            self.canvas.showPage()
        self.number += 1
        c, s = self.canvas, self.statement
        width, height = A4
        c.setFillColor(ORANGE)
        c.rect(0, height - 7 * mm, width, 7 * mm, stroke=0, fill=1)
        c.setFillColor(INK)
        c.setFont(FONT_BOLD, 14)
        c.drawString(LEFT, height - 20 * mm, self.company.legal_name[:90])
        c.setFont(FONT, 8)
        c.setFillColor(MUTED)
        c.drawString(LEFT, height - 24.5 * mm, identity_line(self.company)[:160])
        c.setFillColor(INK)
        c.setFont(FONT_BOLD, 12)
        c.drawString(LEFT, height - 29 * mm, _("Billing statement"))
        c.setFont(FONT, 9)
        c.setFillColor(MUTED)
        customer = s.customer_name + (f" · NIT {s.customer_tax_id}" if s.customer_tax_id else "")
        c.drawString(LEFT, height - 35 * mm, customer)
        c.drawRightString(
            RIGHT,
            height - 35 * mm,
            _("{date} · page {n}").format(date=format_date(s.issued_on), n=self.number),
        )
        self.y = height - 46 * mm

    def need(self, space: float) -> None:
        if self.y - space < BOTTOM:
            self.new_page()


def render_statement(statement: CustomerStatement, company: CompanyProfile | None = None) -> bytes:
    """The statement; the company's data in its heading (company.json's when none is given)."""
    register_fonts()
    who = company or shipped_company()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    canvas.setTitle(_("Billing statement"))
    canvas.setAuthor(who.legal_name)
    page = _Page(canvas, statement, who)
    for part in statement.contracts:
        contract = part.contract
        page.need(30 * mm)
        c = page.canvas
        c.setFillColor(INK)
        c.setFont(FONT_BOLD, 10.5)
        validity = f"{format_date(contract.valid_from)} – {format_date(contract.valid_to)}"
        c.drawString(LEFT, page.y, f"{contract.plan_name} · {_('Invoice')} {contract.invoice_number} · {validity}")
        page.y -= 5.5 * mm
        c.setFont(FONT, 9)
        c.setFillColor(MUTED)
        used = part.balance
        c.drawString(
            LEFT,
            page.y,
            _("Advisory used: {used} of {included} h · Maintenances: {done} of {allowed}").format(
                used=format_working_hours(timedelta(minutes=used.advisory_minutes_used)),
                included=used.advisory_minutes_included // 60,
                done=used.maintenances_used,
                allowed=used.maintenances_included,
            ),
        )
        page.y -= 7 * mm
        if not part.lines:
            c.drawString(LEFT + 4 * mm, page.y, _("Nothing to bill for this contract."))
            page.y -= 9 * mm
            continue
        _lines(page, part.lines)
        _totals(page, part.totals, _("Contract subtotal"), small=True)
        page.y -= 6 * mm
    if statement.without_contract:
        # R17: work on machines no contract covered that day is billed too, in its own section.
        page.need(30 * mm)
        c = page.canvas
        c.setFillColor(INK)
        c.setFont(FONT_BOLD, 10.5)
        c.drawString(LEFT, page.y, _("No contract"))
        page.y -= 5.5 * mm
        c.setFont(FONT, 9)
        c.setFillColor(MUTED)
        c.drawString(
            LEFT, page.y, _("Work on machines no contract covered on the day: travel expenses and hours of work.")
        )
        page.y -= 7 * mm
        _lines(page, statement.without_contract)
        _totals(page, totals(statement.without_contract), _("Subtotal without a contract"), small=True)
        page.y -= 6 * mm
    page.need(30 * mm)
    _totals(page, statement.totals, _("Total to bill"), small=False)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _lines(page: _Page, lines: Sequence[BillingLine]) -> None:
    for line in lines:
        page.need(7 * mm)
        c = page.canvas
        c.setFillColor(INK)
        c.setFont(FONT, 9)
        c.drawString(LEFT + 4 * mm, page.y, format_date(line.day))
        concept = billing_line_label(line.kind)
        if line.quantity_minutes:
            hours = format_working_hours(timedelta(minutes=line.quantity_minutes))
            concept += f" · {hours} × {format_money(line.unit_price)}"
        c.drawString(LEFT + 30 * mm, page.y, concept)
        c.setFillColor(MUTED)
        c.setFont(FONT, 8)
        c.drawString(LEFT + 30 * mm, page.y - 3.6 * mm, line.reference[:90])
        c.setFillColor(INK)
        c.setFont(FONT, 9)
        c.drawRightString(RIGHT, page.y, format_money(line.amount))
        c.setStrokeColor(RULE)
        c.line(LEFT, page.y - 5.5 * mm, RIGHT, page.y - 5.5 * mm)
        page.y -= 9.5 * mm


def _totals(page: _Page, amounts: Totals, title: str, *, small: bool) -> None:
    c = page.canvas
    size = 9 if small else 11
    rows = [
        (_("{title} before IVA").format(title=title), amounts.before_iva),
        (_("IVA {rate} %").format(rate=IVA_RATE_PERCENT), amounts.iva),
        (_("Total"), amounts.total),
    ]
    for index, (label, amount) in enumerate(rows):
        page.need(6 * mm)
        c = page.canvas
        bold = index == len(rows) - 1
        c.setFont(FONT_BOLD if bold else FONT, size)
        c.setFillColor(INK if bold else MUTED)
        c.drawRightString(RIGHT - 40 * mm, page.y, label)
        c.setFillColor(INK)
        c.drawRightString(RIGHT, page.y, format_money(amount))
        page.y -= (5 if small else 6.5) * mm
    c.setStrokeColor(colors.HexColor("#1F2328"))
