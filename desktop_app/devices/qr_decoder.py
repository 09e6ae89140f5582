"""QR decoding behind one Qt-free interface: zxing-cpp first, pyzbar when zxing-cpp finds nothing.

zxing-cpp is the fast, tolerant one (about 2 ms for a 720p frame); pyzbar needs the native libzbar
and is a second opinion. A decoder whose library cannot be loaded is left out with a message, so a
machine without libzbar still scans with zxing-cpp and the other way round.

Frames are numpy arrays (greyscale or BGR, as OpenCV gives them). Photos (`decode_file`, the
`scan` command) and webcam frames (`decode_frame`, the scan dialog's worker) go through the same
attempts, cheapest first (`DecoderChain.read`):

1. zxing-cpp on the whole image, then, for a big page, on a copy shrunk to 2000 px;
2. zxing-cpp on the image enlarged 2× (bicubic): a label far from a cheap camera, at 3–4 pixels
   per module, blurred and JPEG-compressed, is read from the enlarged copy where the image itself
   is not (issue 16's field frames, bench/qr_bench.py: 60 of 75 read plain, 69 with the 2× copy);
3. pyzbar on the image: photos only when zxing-cpp is there (it adds 1 of the 75 for 20–25 ms).

A read of the image as it is answers any code (the scan dialog names a foreign one); the enlarged
copy answers only a makeR label or certificate (domain/qr.py), so that a misread of an enlarged,
noisy copy can never pass for a reading. The webcam path has a time budget per frame: an attempt
whose usual cost would overrun it is skipped on that frame, so the preview keeps its frame rate
(bench/qr_bench.py measures both).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from desktop_app.domain.qr import Foreign, ScannedLabel, read_label

log = logging.getLogger(__name__)

# Enlargements tried on a miss, in order. On the field frames ×2 (about 3× the plain read's cost)
# finds every label ×1.5 finds and more, so ×1.5 would only add its cost to every miss.
ENLARGEMENTS = (2.0,)
# No enlarged copy longer than this (pixels): a phone's 4000 px photo is not blown up to 8000.
MAX_ENLARGED_SIDE = 4096
# A page or photo longer than this is also read shrunk to it: zxing's own downscaling can miss a
# small label on a big page.
MAX_PLAIN_SIDE = 2000
# The webcam path's time per decoded frame (wall clock). With a decode every DECODE_EVERY_S (80 ms,
# devices/scanning.py) and a 30 fps camera, a decode that takes all of it still leaves three frames
# shown in about 110 ms: the preview stays above 20 fps even on a loaded two-core laptop.
FRAME_BUDGET_S = 0.045
# An attempt skipped for the budget has its usual cost lowered by this factor each time.
SKIPPED_COST_DECAY = 0.8


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

    def decode(self, image: np.ndarray, *, try_downscale: bool = True) -> list[str]:
        found = self._zxing.read_barcodes(image, formats=self._formats, try_downscale=try_downscale)
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


def is_ours(text: str) -> bool:
    """A makeR machine label or certificate: the only texts an enlarged retry may answer."""
    found = read_label(text)
    return isinstance(found, ScannedLabel) or found.kind is Foreign.CERTIFICATE


@dataclass(frozen=True)
class Attempt:
    """One way of reading an image: a decoder on it as it is, or on a shrunk or enlarged copy."""

    name: str
    run: Callable[[np.ndarray], list[str]]
    any_code: bool  # True: any text it reads is an answer; False: only is_ours() texts
    photos_only: bool = False  # too dear for the webcam, which gets another look 80 ms later


@dataclass
class DecoderChain:
    """The available decoders and the attempts made with them (`read`), for photos and the webcam."""

    decoders: Sequence[QrDecoder]
    missing: list[str] = field(default_factory=list)  # one message per decoder that could not load
    # Usual wall time of each attempt (seconds, moving average), for the webcam's frame budget.
    costs: dict[str, float] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return bool(self.decoders)

    def attempts(self, image: np.ndarray) -> list[Attempt]:
        """The attempts for an image of this size, cheapest first (see the module's docstring)."""
        height, width = image.shape[:2]
        longest = max(height, width)
        zxing = next((d for d in self.decoders if isinstance(d, ZxingDecoder)), None)
        others = [d for d in self.decoders if d is not zxing]
        found: list[Attempt] = []
        if zxing is not None:
            found.append(Attempt("zxing-cpp", zxing.decode, any_code=True))
            if longest > MAX_PLAIN_SIDE:
                found.append(
                    Attempt("zxing-cpp shrunk", partial(_shrunk, zxing, MAX_PLAIN_SIDE / longest), any_code=True)
                )
            for factor in ENLARGEMENTS:
                if longest * factor <= MAX_ENLARGED_SIDE:
                    found.append(Attempt(f"zxing-cpp ×{factor:g}", partial(_enlarged, zxing, factor), any_code=False))
        # pyzbar after zxing-cpp's attempts adds 1 field frame of 75 at 20-25 ms of CPU a frame.
        found += [Attempt(d.name, d.decode, any_code=True, photos_only=zxing is not None) for d in others]
        return found

    def read(self, image: np.ndarray, budget_s: float | None = None) -> list[str]:
        """The codes in a greyscale image through the attempts in order, until one answers. With a
        budget (the webcam path), the photos-only attempts and any attempt that would usually end
        past the budget are skipped."""
        start = time.perf_counter()
        for attempt in self.attempts(image):
            usual = self.costs.get(attempt.name, 0.0)
            if budget_s is not None and attempt.photos_only:
                continue
            if budget_s is not None and time.perf_counter() - start + usual > budget_s:
                # Forget a slow spell a little at each skip, so that the attempt is tried again
                # a few frames later instead of never once the laptop was busy for a moment.
                self.costs[attempt.name] = usual * SKIPPED_COST_DECAY
                continue
            began = time.perf_counter()
            texts = attempt.run(image)
            took = time.perf_counter() - began
            self.costs[attempt.name] = took if not usual else 0.8 * usual + 0.2 * took
            if not attempt.any_code:
                texts = [text for text in texts if is_ours(text)]
            if texts:
                return texts
        return []

    def decode_frame(self, frame: np.ndarray) -> list[str]:
        """The webcam path: the whole frame in greyscale, within FRAME_BUDGET_S."""
        grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        return self.read(grey, FRAME_BUDGET_S)

    def decode_file(self, path: Path) -> list[str]:
        """The codes in a photo, a scan or a PDF (each page). Raises OSError with a readable reason
        when the file is neither an image nor a PDF."""
        data = np.fromfile(str(path), dtype=np.uint8)  # also paths with accents, unlike cv2.imread
        if data[:5].tobytes() == b"%PDF-":
            return [text for page in pdf_pages(path) for text in self.read(page)]
        image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
        if image is None:
            raise OSError(f"{path.name} is not an image that can be read")
        return self.read(image)


def _enlarged(decoder: ZxingDecoder, factor: float, image: np.ndarray) -> list[str]:
    # Bicubic: sharper module edges than bilinear, and it found more (bench/qr_bench.py). zxing's
    # own downscaling would only undo the enlargement.
    enlarged = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return decoder.decode(enlarged, try_downscale=False)


def _shrunk(decoder: ZxingDecoder, factor: float, image: np.ndarray) -> list[str]:
    return decoder.decode(cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA))


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
