"""The scanning loop's rules, Qt-free: how often a frame is decoded and when a reading is believed.

A single frame can misread (motion blur across two labels, a reflection); a code is accepted only
once the same text is read in `CONFIRMATIONS` decoded frames in a row. Decoding runs at most every
`DECODE_EVERY_S`, so the preview keeps its frame rate on a two-core laptop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.devices.camera import CameraInfo, FrameSource, OpenCvCamera, available_cameras
from desktop_app.devices.qr_decoder import DecoderChain, default_chain

DECODE_EVERY_S = 0.08  # about 12 decodes a second: a label held up is read in well under a second
CONFIRMATIONS = 2


class ConsecutiveReads:
    """Feed it each decoded frame's first text (or None); it answers the text once confirmed."""

    def __init__(self, needed: int = CONFIRMATIONS) -> None:
        self._needed = needed
        self._text: str | None = None
        self._count = 0

    def feed(self, text: str | None) -> str | None:
        if text is None or text != self._text:
            self._text, self._count = text, (1 if text is not None else 0)
        else:
            self._count += 1
        if self._text is not None and self._count >= self._needed:
            confirmed, self._text, self._count = self._text, None, 0
            return confirmed
        return None


@dataclass(frozen=True)
class Scanner:
    """What the scan dialog needs from the hardware side, handed in so tests can swap the camera:
    the decoder chain, the list of cameras, and how to open one of them."""

    decoder: DecoderChain
    cameras: Callable[[], list[CameraInfo]]
    open_camera: Callable[[int], FrameSource]


def default_scanner() -> Scanner:
    return Scanner(default_chain(), available_cameras, OpenCvCamera)
