"""Scan a machine's QR label (R2) with the webcam, or from a photo when there is no camera; a
certificate's QR (R15) is verified on the spot.

The camera runs on its own thread (ui/workers/camera_worker.py); this dialog shows its frames,
says what it is doing, and resolves a confirmed code through the machine service. A foreign code
(another site's QR, a certificate) is named and scanning goes on; a registered machine closes the
dialog with its id.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.devices.scanning import Scanner
from desktop_app.domain.certificate import Verdict
from desktop_app.domain.ids import MachineId
from desktop_app.formatting import format_date
from desktop_app.i18n import _
from desktop_app.services.certificates import CertificateService, Verification
from desktop_app.services.machines import MachineService
from desktop_app.ui.workers.camera_worker import CameraWorker

log = logging.getLogger(__name__)

PREVIEW_SIZE = (640, 360)
RESUME_AFTER_MS = 1500  # after a foreign code, time to read the message and move the label away
IMAGE_FILTER = "*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp"


class ScanDialog(QDialog):
    """Signals:
    machine_found(int): a label of a registered machine was read (the dialog then closes).

    After exec(), `machine_id` holds the machine, or None when nothing was scanned.
    """

    machine_found = Signal(int)

    def __init__(
        self,
        scanner: Scanner,
        machines: MachineService,
        certificates: CertificateService | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._scanner, self._machines, self._certificates = scanner, machines, certificates
        self.last_verification: Verification | None = None
        self._worker: CameraWorker | None = None
        self.machine_id: MachineId | None = None
        self.setWindowTitle(_("Scan a machine label"))

        self.camera = QComboBox()
        self.preview = QLabel(objectName="scanPreview")
        self.preview.setFixedSize(*PREVIEW_SIZE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setWordWrap(True)
        self.status = QLabel(wordWrap=True)
        self.status.setMinimumHeight(40)
        # A certificate's verification (R15): the verdict and the signed facts.
        self.verdict = QLabel(wordWrap=True, objectName="coverage")
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict.hide()
        self.again = QPushButton(_("Scan another code"))
        self.again.hide()
        self.from_file = QPushButton(_("Scan from an image file…"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(QLabel(_("Camera")))
        top.addWidget(self.camera, 1)
        top.addWidget(self.from_file)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.status)
        layout.addWidget(self.verdict)
        layout.addWidget(self.again, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(buttons)

        self.from_file.clicked.connect(self._choose_file)
        self.again.clicked.connect(self._scan_again)
        self.camera.currentIndexChanged.connect(lambda _index: self._start())
        self._resume_timer = QTimer(self, singleShot=True, interval=RESUME_AFTER_MS)
        self._resume_timer.timeout.connect(self._start)
        if not scanner.decoder.available:
            self._say(_("No QR decoder could be loaded (zxing-cpp or pyzbar with libzbar). Reinstall the program."))
            self.from_file.setEnabled(False)
            return
        QTimer.singleShot(0, self._find_cameras)

    # -- own API ---------------------------------------------------------------------------------

    def scan_file(self, path: Path) -> None:
        """Decode a photo or scan of a label (no camera needed)."""
        try:
            texts = self._scanner.decoder.decode_file(path)
        except OSError:
            self._say(_("{name} is not an image that can be read.").format(name=path.name))
            return
        if not texts:
            self._say(_("No QR code found in {name}. Try a sharper or closer photo.").format(name=path.name))
            return
        self._resolve(texts[0])

    def stop(self) -> None:
        """Stop the camera and wait for its thread (it releases the device)."""
        self._resume_timer.stop()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.requestInterruption()
            worker.wait(5000)

    # -- internals -------------------------------------------------------------------------------

    def _find_cameras(self) -> None:
        cameras = self._scanner.cameras()
        self.camera.blockSignals(True)
        for camera in cameras:
            self.camera.addItem(camera.name.replace("Camera", _("Camera")), camera.index)
        self.camera.blockSignals(False)
        if not cameras:
            self.camera.addItem(_("No camera found"), None)
            self.camera.setEnabled(False)
            self.preview.setText(_("No camera was found. Scan from a photo of the label instead."))
            self._say(_("Connect a webcam, or use “Scan from an image file…”."))
            self.from_file.setDefault(True)
            return
        self._start()

    def _start(self) -> None:
        self.stop()
        index = self.camera.currentData()
        if index is None:
            return
        worker = CameraWorker(lambda: self._scanner.open_camera(index), self._scanner.decoder)
        worker.frame_ready.connect(self._show_frame)
        worker.code_read.connect(self._on_code_read)
        worker.failed.connect(self._on_camera_failed)
        self._worker = worker
        self._say(_("Hold the label in front of the camera, about a hand away."))
        worker.start()

    def _show_frame(self, image: QImage) -> None:
        pixmap = QPixmap.fromImage(image).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
        )
        self.preview.setPixmap(pixmap)

    def _on_camera_failed(self, detail: str) -> None:
        log.warning("camera failed: %s", detail)
        self.preview.setText(_("The camera cannot be used."))
        self._say(
            _(
                "The camera is missing or in use by another program (a video call?). Close that program, choose "
                "another camera, or scan from a photo."
            )
        )

    def _on_code_read(self, text: str) -> None:
        if not self._resolve(text):
            self._resume_timer.start()  # the camera stopped at that code; look for the next one

    def _resolve(self, text: str) -> bool:
        """True when the text was dealt with: a registered machine (the dialog closed) or a
        certificate (its verification is shown)."""
        if self._certificates is not None and self._certificates.is_certificate_text(text):
            self._show_verification(self._certificates.verify(text))
            return True
        resolution = self._machines.resolve_scan(text)
        if resolution.machine_id is not None:
            self.stop()
            self.machine_id = resolution.machine_id
            self.machine_found.emit(int(resolution.machine_id))
            self.accept()
            return True
        self._say(resolution.message)
        return False

    def _show_verification(self, result: Verification) -> None:
        self.stop()
        self.last_verification = result
        lines = [result.message]
        data = result.data
        if data is not None:
            validity = _("{start} to {end}").format(start=format_date(data.valid_from), end=format_date(data.valid_to))
            lines += [
                f"{data.number} · {data.customer_name}",
                _("Plan: {plan} · Invoice: {invoice}").format(plan=data.plan_name, invoice=data.invoice_number),
                _("Validity: {validity}").format(validity=validity),
            ]
            if data.machines:  # a shortened code may carry only their count (said in the message)
                lines.append(_("Machines: {serials}").format(serials=", ".join(m.serial for m in data.machines)))
            if result.contract_active is not None:
                lines.append(
                    _("The contract is active in this database.")
                    if result.contract_active
                    else _("The contract is no longer active in this database.")
                )
        self.verdict.setText("\n".join(lines))
        self.verdict.setProperty("state", "ok" if result.verdict is Verdict.VALID else "refused")
        self.verdict.style().unpolish(self.verdict)
        self.verdict.style().polish(self.verdict)
        self.verdict.show()
        self.again.show()
        self._say("")

    def _scan_again(self) -> None:
        self.verdict.hide()
        self.again.hide()
        self._start()

    def _choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Scan from an image file"), "", _("Images ({patterns})").format(patterns=IMAGE_FILTER)
        )
        if path:
            self.scan_file(Path(path))

    def _say(self, text: str) -> None:
        self.status.setText(text)

    def done(self, result: int) -> None:
        self.stop()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()
        super().closeEvent(event)
