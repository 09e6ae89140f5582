"""The document renderers as start-up wires them: ReportLab is imported when the first document is drawn.

Importing ReportLab costs about a third of a second, and most sessions never print anything, so
bootstrap.py hands the services these stand-ins. Each builds the real renderer (certificate_pdf,
labels_pdf, statement_pdf) on its first call and then passes every call straight to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.documents.certificate_pdf import CertificatePdfRenderer
    from desktop_app.documents.labels_pdf import LabelSheetRenderer
    from desktop_app.documents.statement_pdf import StatementPdfRenderer
    from desktop_app.domain.certificate import CertificateData
    from desktop_app.domain.company import CompanyProfile
    from desktop_app.services.dto import CustomerStatement, MachineLabel

# The same shape as qr_drawing.QrModules, named here so this module does not import ReportLab.
QrEncoder = Callable[[str], Sequence[Sequence[bool]]]


class LazyCertificateRenderer:
    """The services' CertificateRenderer port; qr_modules is the QR encoder wired by bootstrap."""

    def __init__(self, qr_modules: QrEncoder) -> None:
        self._qr_modules = qr_modules
        self._renderer: CertificatePdfRenderer | None = None

    def render(
        self, data: CertificateData, qr_text: str, paper: str = "letter", company: CompanyProfile | None = None
    ) -> bytes:
        if self._renderer is None:
            from desktop_app.documents.certificate_pdf import CertificatePdfRenderer

            self._renderer = CertificatePdfRenderer(self._qr_modules)
        return self._renderer.render(data, qr_text, paper, company)


class LazyLabelRenderer:
    """The services' LabelRenderer port; qr_modules is the QR encoder wired by bootstrap."""

    def __init__(self, qr_modules: QrEncoder) -> None:
        self._qr_modules = qr_modules
        self._renderer: LabelSheetRenderer | None = None

    def render(self, labels: Sequence[MachineLabel], sheet: str) -> bytes:
        if self._renderer is None:
            from desktop_app.documents.labels_pdf import LabelSheetRenderer

            self._renderer = LabelSheetRenderer(self._qr_modules)
        return self._renderer.render(labels, sheet)


class LazyStatementRenderer:
    """The services' StatementRenderer port."""

    def __init__(self) -> None:
        self._renderer: StatementPdfRenderer | None = None

    def render(self, statement: CustomerStatement, company: CompanyProfile | None = None) -> bytes:
        if self._renderer is None:
            from desktop_app.documents.statement_pdf import StatementPdfRenderer

            self._renderer = StatementPdfRenderer()
        return self._renderer.render(statement, company)
