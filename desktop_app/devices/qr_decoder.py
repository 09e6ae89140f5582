"""QR decoding behind one Qt-free interface: zxing-cpp first, pyzbar when zxing-cpp finds nothing.

zxing-cpp is the fast, tolerant one (about 3 ms for a 720p frame); pyzbar needs the native libzbar
and is a second opinion. A decoder whose library cannot be loaded is left out with a message, so a
machine without libzbar still scans with zxing-cpp and the other way round.

Frames are numpy arrays (greyscale or BGR, as OpenCV gives them). `decode_frame` is the webcam
path: the centre of the frame, where a person holds a label, in greyscale; and, when no decoder
finds anything there, the same crop enlarged for the first decoder, for a label held far from a
cheap camera.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

log = logging.getLogger(__name__)

# The part of the frame searched first: the centre 70 % (a label is held towards the middle).
CENTRE_SHARE = 0.7
# A crop smaller than this (pixels, short side) is enlarged before the second attempt.
SMALL_SIDE = 720


class QrDecoder(Protocol):
    name: str

    def decode(self, image: np.ndarray) -> list[str]:
        """The texts of the QR codes found in a greyscale or BGR image, best first."""
        ...


class ZxingDecoder:
    name = "zxing-cpp"

    def __init__(self) -> None:
        import zxingcpp

        self._zxing: Any = zxingcpp
        self._formats = zxingcpp.BarcodeFormat.QRCode

    def decode(self, image: np.ndarray) -> list[str]:
        found = self._zxing.read_barcodes(image, formats=self._formats)
        return [code.text for code in found if code.valid and code.text]


class PyzbarDecoder:
    name = "pyzbar"

    def __init__(self) -> None:
        from pyzbar import pyzbar  # raises ImportError when libzbar is missing

        self._pyzbar: Any = pyzbar
        self._symbols = [pyzbar.ZBarSymbol.QRCODE]

    def decode(self, image: np.ndarray) -> list[str]:
        grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        found = self._pyzbar.decode(grey, symbols=self._symbols)
        texts = []
        for code in found:
            try:
                texts.append(code.data.decode("utf-8"))
            except UnicodeDecodeError:
                continue  # not a text a label could hold
        return texts


@dataclass
class DecoderChain:
    """Each available decoder in turn until one finds a code."""

    decoders: Sequence[QrDecoder]
    missing: list[str] = field(default_factory=list)  # one message per decoder that could not load

    @property
    def available(self) -> bool:
        return bool(self.decoders)

    def decode(self, image: np.ndarray) -> list[str]:
        for decoder in self.decoders:
            texts = decoder.decode(image)
            if texts:
                return texts
        return []

    def decode_frame(self, frame: np.ndarray) -> list[str]:
        """The webcam path: the centre crop in greyscale, then enlarged when the crop is small."""
        grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        crop = centre_crop(grey, CENTRE_SHARE)
        texts = self.decode(crop)
        if texts:
            return texts
        if min(crop.shape[:2]) < SMALL_SIDE and self.decoders:
            # Only the first decoder on the enlarged crop: pyzbar there costs ~40 ms a frame for
            # almost nothing, and frames without a code (most of them) would pay it every time.
            enlarged = cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR)
            return self.decoders[0].decode(enlarged)
        return []

    def decode_file(self, path: Path) -> list[str]:
        """The codes in a photo, a scan or a PDF (each page). Raises OSError with a readable reason
        when the file is neither an image nor a PDF."""
        data = np.fromfile(str(path), dtype=np.uint8)  # also paths with accents, unlike cv2.imread
        if data[:5].tobytes() == b"%PDF-":
            return [text for page in pdf_pages(path) for text in self._decode_image(page)]
        image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
        if image is None:
            raise OSError(f"{path.name} is not an image that can be read")
        return self._decode_image(image)

    def _decode_image(self, image: np.ndarray) -> list[str]:
        texts = self.decode(image)
        if not texts and max(image.shape[:2]) > 2000:
            # A full-page scan: zxing's own downscaling can miss a small label on a big page.
            scale = 2000 / max(image.shape[:2])
            texts = self.decode(cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA))
        return texts


PDF_DPI = 200  # enough for a certificate's dense QR; a page renders in about 0.1 s
PDF_MAX_PAGES = 10


def pdf_pages(path: Path) -> list[np.ndarray]:
    """The pages of a PDF as greyscale images. Raises OSError when the PDF cannot be opened."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise OSError(f"{path.name} is not a PDF that can be read") from exc
    try:
        pages = []
        for index in range(min(len(document), PDF_MAX_PAGES)):
            bitmap = document[index].render(scale=PDF_DPI / 72, grayscale=True)
            pages.append(np.array(bitmap.to_numpy()).reshape(bitmap.height, bitmap.width, -1)[:, :, 0])
        return pages
    finally:
        document.close()


def centre_crop(image: np.ndarray, share: float) -> np.ndarray:
    height, width = image.shape[:2]
    h, w = int(height * share), int(width * share)
    top, left = (height - h) // 2, (width - w) // 2
    return image[top : top + h, left : left + w]


def default_chain() -> DecoderChain:
    """zxing-cpp, then pyzbar; whichever cannot load is named in `missing`."""
    decoders: list[QrDecoder] = []
    missing: list[str] = []
    for factory in (ZxingDecoder, PyzbarDecoder):
        try:
            decoders.append(factory())
        except (ImportError, OSError) as exc:  # a missing wheel, or libzbar not installed
            log.warning("QR decoder %s unavailable: %s", factory.name, exc)
            missing.append(factory.name)
    return DecoderChain(decoders, missing)
