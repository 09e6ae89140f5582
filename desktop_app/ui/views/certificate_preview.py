"""A certificate on screen before it goes out (R15): the PDF itself (QtPdf), printed through the
system's print dialog or saved where the person chooses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.errors import UserFacingError
from desktop_app.files import write_file
from desktop_app.i18n import _


class CertificatePreview(QDialog):
    """Args:
    rerender: the same certificate on another paper ("letter" or "a4"); None offers no choice.
    """

    def __init__(
        self, number: str, pdf: bytes, rerender: Callable[[str], bytes] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._number, self._pdf, self._rerender = number, pdf, rerender
        self.setWindowTitle(_("Certificate {number}").format(number=number))
        self.resize(760, 900)
        self.document = QPdfDocument(self)
        self._buffer: QBuffer | None = None
        self._load(pdf)
        self.paper = QComboBox()
        self.paper.addItem(_("Letter"), "letter")
        self.paper.addItem(_("A4"), "a4")
        self.paper.setVisible(rerender is not None)
        self.paper.currentIndexChanged.connect(self._on_paper_chosen)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.status = QLabel(objectName="hint")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.print_button = buttons.addButton(_("Print…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = buttons.addButton(_("Save PDF…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.clicked.connect(self.print_certificate)
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addStretch(1)
        paper_label = QLabel(_("Paper"))
        paper_label.setVisible(rerender is not None)
        top.addWidget(paper_label)
        top.addWidget(self.paper)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def _load(self, pdf: bytes) -> None:
        self._pdf = pdf
        buffer = QBuffer(self)
        buffer.setData(QByteArray(pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer

    def _on_paper_chosen(self) -> None:
        if self._rerender is None:
            return
        try:
            pdf = self._rerender(self.paper.currentData())
        except UserFacingError as exc:  # e.g. revoked meanwhile from another desk
            QMessageBox.warning(self, _("Certificate"), exc.message)
            return
        self._load(pdf)

    def print_certificate(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self._number)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer)
        self.status.setText(_("Sent to the printer."))

    def print_to(self, printer: QPrinter) -> None:
        """Each page rendered at the printer's resolution (the seal and QR stay sharp)."""
        painter = QPainter()
        if not painter.begin(printer):
            QMessageBox.warning(self, _("Not printed"), _("The printer could not be opened."))
            return
        try:
            for page in range(self.document.pageCount()):
                if page:
                    printer.newPage()
                area = painter.viewport()
                points = self.document.pagePointSize(page)
                scale = min(area.width() / points.width(), area.height() / points.height())
                size = QSize(int(points.width() * scale), int(points.height() * scale))
                painter.drawImage(0, 0, self.document.render(page, size))
        finally:
            painter.end()

    def save(self) -> None:
        name = f"{self._number}.pdf"
        path, _filter = QFileDialog.getSaveFileName(self, _("Save the certificate"), name, "PDF (*.pdf)")
        if not path:
            return
        target = Path(path if path.lower().endswith(".pdf") else f"{path}.pdf")
        try:
            write_file(target, self._pdf, replace=True)  # the save dialog asked before replacing
        except UserFacingError as exc:
            QMessageBox.warning(self, _("Not saved"), exc.message)
            return
        self.status.setText(_("Saved to {path}").format(path=target))
