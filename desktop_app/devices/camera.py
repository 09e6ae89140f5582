"""Frames from a webcam or a video file, behind one small Qt-free protocol.

The scan dialog's worker thread opens the source in its own `run()` (OpenCV captures belong to the
thread that opened them), reads until asked to stop, and releases it. Tests and the benchmark use
a video file or a list of frames in place of a camera.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

log = logging.getLogger(__name__)

# Indexes probed for cameras: a laptop has one or two, a docking station adds one.
PROBED_INDEXES = range(4)


class CameraError(Exception):
    """The camera cannot be used; the message says why (missing, busy, stopped delivering)."""


class FrameSource(Protocol):
    # A live camera may skip a frame and recover; a file or a list has ended when read() is None.
    live: bool

    def open(self) -> None:
        """Raises CameraError when the source cannot deliver frames."""
        ...

    def read(self) -> np.ndarray | None:
        """The next BGR frame; None when the source has ended (a file) or failed (a camera)."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class CameraInfo:
    index: int
    name: str


class _OpenCvCapture:
    """Reading and releasing an OpenCV capture: shared by the webcam and the video file."""

    def __init__(self) -> None:
        self._capture: cv2.VideoCapture | None = None

    def read(self) -> np.ndarray | None:
        if self._capture is None:
            return None
        ok, frame = self._capture.read()
        return frame if ok else None

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class OpenCvCamera(_OpenCvCapture):
    """A webcam by OpenCV index, asked for 1280×720 (cheap webcams give what they have)."""

    live = True

    def __init__(self, index: int, width: int = 1280, height: int = 720) -> None:
        super().__init__()
        self.index, self._width, self._height = index, width, height

    def open(self) -> None:
        capture = cv2.VideoCapture(self.index)
        if not capture.isOpened():
            capture.release()
            raise CameraError(f"camera {self.index} cannot be opened (missing, or in use by another program)")
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._height)
        ok, _frame = capture.read()
        if not ok:
            capture.release()
            raise CameraError(f"camera {self.index} opened but sends no picture (in use by another program?)")
        self._capture = capture


class VideoFileSource(_OpenCvCapture):
    """A recorded video as a camera; with `loop`, it starts again at the end (a steady test camera)."""

    live = False

    def __init__(self, path: Path, *, loop: bool = False) -> None:
        super().__init__()
        self.path, self._loop = path, loop

    def open(self) -> None:
        capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            raise CameraError(f"{self.path.name} cannot be read as a video")
        self._capture = capture

    def read(self) -> np.ndarray | None:
        frame = super().read()
        if frame is None and self._loop and self._capture is not None:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            frame = super().read()
        return frame


class FrameListSource:
    """Frames already in memory (synthetic frames in tests and benchmarks); with `fps`, delivered
    at a camera's pace instead of as fast as they are asked for."""

    live = False

    def __init__(self, frames: Sequence[np.ndarray], fps: float | None = None) -> None:
        self._frames = frames
        self._interval = 1 / fps if fps else 0.0
        self._next_at = 0.0
        self._iterator: Iterator[np.ndarray] | None = None

    def open(self) -> None:
        self._iterator = iter(self._frames)

    def read(self) -> np.ndarray | None:
        if self._iterator is None:
            return None
        if self._interval:
            wait = self._next_at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._next_at = max(self._next_at, time.monotonic()) + self._interval
        return next(self._iterator, None)

    def close(self) -> None:
        self._iterator = None


def available_cameras() -> list[CameraInfo]:
    """The webcams that open, by index. Opening is what tells: OpenCV has no portable listing.
    OpenCV's warnings about the indexes with no camera are silenced: they are the expected answer."""
    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    try:
        return _probe_cameras()
    finally:
        cv2.utils.logging.setLogLevel(previous)


def _probe_cameras() -> list[CameraInfo]:
    found = []
    for index in PROBED_INDEXES:
        capture = cv2.VideoCapture(index)
        try:
            if capture.isOpened():
                found.append(CameraInfo(index, f"Camera {index + 1}"))
        finally:
            capture.release()
    return found


def write_video(path: Path, frames: Sequence[np.ndarray], fps: float = 15.0) -> Path:
    """Frames to an MJPG AVI file (readable back by OpenCV everywhere): test and bench cameras."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
    try:
        for frame in frames:
            writer.write(frame if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    finally:
        writer.release()
    return path


def preview_rgb(frame: np.ndarray, max_width: int) -> np.ndarray:
    """A contiguous RGB copy of a BGR frame, no wider than max_width, for the preview."""
    height, width = frame.shape[:2]
    if width > max_width:
        frame = cv2.resize(frame, (max_width, int(height * max_width / width)), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
