"""The webcam loop on its own thread: open the source in `run()`, read frames, hand a preview copy
to the window, decode the whole frame at a throttled rate (DecoderChain.decode_frame, within its
frame budget), and report a code once it is confirmed.

Nothing here touches a widget: frames and results cross to the GUI thread by queued signals. The
loop ends when the thread is asked to stop (`requestInterruption`), when the source ends, or after
a code is confirmed; the source is released on the same thread that opened it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QImage

from desktop_app.devices.camera import CameraError, FrameSource, preview_rgb
from desktop_app.devices.qr_decoder import DecoderChain
from desktop_app.devices.scanning import DECODE_EVERY_S, ConsecutiveReads

log = logging.getLogger(__name__)

PREVIEW_WIDTH = 640
# A source that sends nothing for this long has stopped (unplugged, taken by another program).
STALL_SECONDS = 3.0


class CameraWorker(QThread):
    """Signals:
    frame_ready(QImage): a preview copy, at most PREVIEW_WIDTH wide.
    code_read(str): a text confirmed in consecutive decoded frames; the loop then stops.
    failed(str): the source cannot be opened or stopped delivering (English detail; the dialog
        shows its own translated message and logs this).
    """

    frame_ready = Signal(QImage)
    code_read = Signal(str)
    failed = Signal(str)

    def __init__(self, source_factory: Callable[[], FrameSource], decoder: DecoderChain) -> None:
        super().__init__()
        self._source_factory = source_factory
        self._decoder = decoder
        self.frames_decoded = 0  # the benchmark reports the decode rate

    def run(self) -> None:
        source = self._source_factory()
        try:
            source.open()
        except CameraError as exc:
            self.failed.emit(str(exc))
            return
        try:
            self._loop(source)
        finally:
            source.close()

    def _loop(self, source: FrameSource) -> None:
        reads = ConsecutiveReads()
        last_decode = 0.0
        last_frame = time.monotonic()
        while not self.isInterruptionRequested():
            frame = source.read()
            now = time.monotonic()
            if frame is None:
                if now - last_frame > STALL_SECONDS:
                    self.failed.emit("the camera stopped sending pictures")
                    return
                if not source.live:
                    return  # a file or frame list has ended
                self.msleep(10)
                continue
            last_frame = now
            self.frame_ready.emit(_preview(frame))
            if now - last_decode < DECODE_EVERY_S:
                continue
            last_decode = now
            texts = self._decoder.decode_frame(frame)
            self.frames_decoded += 1
            confirmed = reads.feed(texts[0] if texts else None)
            if confirmed is not None:
                self.code_read.emit(confirmed)
                return


def _preview(frame: object) -> QImage:
    rgb = preview_rgb(frame, PREVIEW_WIDTH)  # type: ignore[arg-type]
    h, w = rgb.shape[:2]
    # copy(): the QImage must own its pixels once the numpy buffer goes away.
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
