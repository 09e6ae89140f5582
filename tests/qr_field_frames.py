"""The hard frame set of issue 16 ("scanning in the field"): labels at a customer's site, worn, far
from the camera, off-centre, in bad light, through a cheap webcam's JPEG. Shared by
bench/qr_bench.py and the tests; seeded, so every run sees the same frames.

`field_set()` (or `field_frames()`, one at a time) gives 90 BGR 1280×720 frames: 75 with a label
encoding the real label URL (https://somosmaker.com/soporte/m/MK-<model>-<yy><nnnn>, as the demo
serials), most at 3–4 pixels per module, and 15 without any code but with what could fool a
decoder: printed text, tables and grids, checkerboards, squares of random modules with three
finder-like corners, the bars of a 1-D barcode.

Each labelled frame gets all of these, in varying amounts:
- the label anywhere in the frame, not only where people aim (up to 40 % of the width off centre);
- turned to any angle and tilted (perspective: corners moved up to 15 % of the label's size);
- worn: faded ink (low contrast, 0.3–0.75) and up to two scuffs of paper colour across the code;
- uneven light: a gradient across the frame (the dark side at 45–75 % of the bright one) and,
  in one frame in three, a glare;
- motion blur in two frames in three (a line 2–5.5 px long, any direction) over a slight defocus;
- sensor noise, then JPEG at quality 40–60, as a webcam sends over USB.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from desktop_app.domain.qr import label_payload
from tests.qr_frames import HEIGHT, WIDTH, label_patch

MODELS = ("M3", "P2", "XL", "R1", "R2", "M2")
LABELLED, EMPTY = 75, 15
# Pixels per module of the labelled frames: 60 of the 75 at 3–4, the rest a little closer.
NEAR_PPM = (4.5, 5.0, 5.5, 6.0)
FIELD_SEED = 16


@dataclass(frozen=True)
class FieldDegradation:
    pixels_per_module: float
    offset: tuple[float, float]  # the label's centre from the frame's, as a share of width/height
    rotation: float  # degrees
    tilt: float  # share of the label's size its corners move (perspective)
    contrast: float  # ink against paper: 1 black on white, 0.3 very faded
    scuffs: int  # worn spots of paper colour across the code
    light_low: float  # the dark side of the frame's light, as a share of the bright side
    light_angle: float  # the direction the light falls off, degrees
    glare: float  # strength of a bright blob, 0–1
    motion: float  # motion blur length, pixels
    motion_angle: float  # degrees
    defocus: float  # Gaussian sigma, pixels
    noise: float  # sensor noise sigma, grey levels
    jpeg_quality: int


@dataclass(frozen=True)
class FieldFrame:
    image: np.ndarray  # BGR, 1280×720
    text: str | None  # what the label encodes; None for a frame without a code
    degradation: FieldDegradation


def field_degradation(rng: random.Random, pixels_per_module: float) -> FieldDegradation:
    return FieldDegradation(
        pixels_per_module=pixels_per_module,
        offset=(rng.uniform(-0.4, 0.4), rng.uniform(-0.32, 0.32)),
        rotation=rng.uniform(-180, 180),
        tilt=rng.uniform(0.0, 0.15),
        contrast=rng.uniform(0.3, 0.75),
        scuffs=rng.choice((0, 1, 1, 2, 2)),
        light_low=rng.uniform(0.45, 0.75),
        light_angle=rng.uniform(0, 360),
        glare=rng.choice((0.0, 0.0, rng.uniform(0.2, 0.5))),
        motion=rng.choice((0.0, rng.uniform(2, 5.5), rng.uniform(2, 5.5))),
        motion_angle=rng.uniform(0, 180),
        defocus=rng.uniform(0.3, 0.8),
        noise=rng.uniform(2, 7),
        jpeg_quality=rng.randint(40, 60),
    )


def serial(rng: random.Random) -> str:
    return f"MK-{rng.choice(MODELS)}-{rng.randint(18, 26):02d}{rng.randint(1, 2400):04d}"


def _place(frame: np.ndarray, patch: np.ndarray, rng: np.random.Generator, d: FieldDegradation) -> np.ndarray:
    """The patch warped into the frame at its offset, angle and tilt (kept whole inside the frame)."""
    size = patch.shape[0]
    reach = size * 0.75
    cx = min(max(WIDTH * (0.5 + d.offset[0]), reach), WIDTH - reach)
    cy = min(max(HEIGHT * (0.5 + d.offset[1]), reach), HEIGHT - reach)
    half = size / 2
    corners = np.array([[-half, -half], [half, -half], [half, half], [-half, half]])
    corners += rng.uniform(-d.tilt, d.tilt, (4, 2)) * size
    angle = np.deg2rad(d.rotation)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    target = (corners @ turn.T + [cx, cy]).astype(np.float32)
    source = np.array([[0, 0], [size, 0], [size, size], [0, size]], dtype=np.float32)
    # Warp into the label's bounding box only (the whole frame would cost five times as much).
    left, top = np.floor(target.min(axis=0)).astype(int) - 1
    right, bottom = np.ceil(target.max(axis=0)).astype(int) + 2
    left, top = max(left, 0), max(top, 0)
    right, bottom = min(right, WIDTH), min(bottom, HEIGHT)
    warp = cv2.getPerspectiveTransform(source, (target - [left, top]).astype(np.float32))
    box = (right - left, bottom - top)
    warped = cv2.warpPerspective(patch, warp, box, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones_like(patch), warp, box, flags=cv2.INTER_LINEAR)
    region = frame[top:bottom, left:right]
    frame[top:bottom, left:right] = region * (1 - mask) + warped * mask
    return frame


def _worn(patch: np.ndarray, rng: np.random.Generator, d: FieldDegradation) -> np.ndarray:
    """Faded ink and scuffs: paper-coloured spots and streaks across the code."""
    paper = 235.0
    ink = paper - d.contrast * (paper - 25.0)
    worn = np.where(patch > 0, paper, ink).astype(np.float32)
    size = patch.shape[0]
    quiet = 4 * d.pixels_per_module
    for _ in range(d.scuffs):
        x, y = rng.uniform(quiet, size - quiet, 2)
        if rng.random() < 0.5:  # a spot
            radius = max(1, int(rng.uniform(0.6, 1.2) * d.pixels_per_module))
            cv2.circle(worn, (int(x), int(y)), radius, paper - 10, -1)
        else:  # a streak
            length = rng.uniform(2, 5) * d.pixels_per_module
            angle = rng.uniform(0, np.pi)
            end = (int(x + length * np.cos(angle)), int(y + length * np.sin(angle)))
            cv2.line(worn, (int(x), int(y)), end, paper - 10, max(1, int(d.pixels_per_module * 0.6)))
    return worn


def _clutter(frame: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """What a frame without a label holds that could pass for a code: text, a table, a
    checkerboard, a square of random modules with finder-like corners, a 1-D barcode's bars."""
    canvas = np.clip(frame, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(2, 5))):
        kind = int(rng.integers(0, 5))
        x, y = int(rng.integers(60, WIDTH - 360)), int(rng.integers(60, HEIGHT - 300))
        ink = int(rng.integers(10, 80))
        if kind == 0:  # printed text, a sticker or a manual's page
            cv2.rectangle(canvas, (x - 10, y - 30), (x + 330, y + 150), 230, -1)
            for line in range(6):
                words = "".join(chr(int(c)) for c in rng.integers(65, 91, 14))
                cv2.putText(canvas, words, (x, y + line * 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6, ink, 1, cv2.LINE_AA)
        elif kind == 1:  # a table or a grid
            step = int(rng.integers(4, 14))
            for i in range(0, 240, step):
                cv2.line(canvas, (x + i, y), (x + i, y + 240), ink, 1)
                cv2.line(canvas, (x, y + i), (x + 240, y + i), ink, 1)
        elif kind == 2:  # a checkerboard
            cell = int(rng.integers(3, 8))
            board = (np.indices((40, 40)).sum(axis=0) % 2).astype(np.uint8)
            tile = cv2.resize(board, (40 * cell, 40 * cell), interpolation=cv2.INTER_NEAREST)
            side = tile.shape[0]
            canvas[y : y + side, x : x + side] = np.where(tile > 0, 225.0, ink)[: HEIGHT - y, : WIDTH - x]
        elif kind == 3:  # random modules with three finder-like corners: a code that is not one
            n = 33
            modules = rng.random((n, n)) < 0.5
            for fy, fx in ((0, 0), (0, n - 7), (n - 7, 0)):
                finder = np.ones((7, 7), dtype=bool)
                finder[1:6, 1:6] = False
                finder[2:5, 2:5] = True
                modules[fy : fy + 7, fx : fx + 7] = finder
            padded = np.pad(modules, 4, constant_values=False)
            ppm = float(rng.uniform(3, 5))
            side = round(padded.shape[0] * ppm)
            tile = cv2.resize(padded.astype(np.uint8), (side, side), interpolation=cv2.INTER_NEAREST)
            canvas[y : y + side, x : x + side] = np.where(tile > 0, ink, 225.0)[: HEIGHT - y, : WIDTH - x]
        else:  # a 1-D barcode's bars
            bars = rng.integers(0, 2, 90).repeat(int(rng.integers(2, 4)))
            strip = np.where(bars > 0, ink, 225.0)[None, :].repeat(120, axis=0)
            canvas[y : y + 120, x : x + strip.shape[1]] = strip[: HEIGHT - y, : WIDTH - x]
    return canvas.astype(np.float32)


def _background(rng: np.random.Generator) -> np.ndarray:
    """A printer's side or a desk: a base grey, a slope and a soft texture (float32)."""
    base = float(rng.integers(60, 190))
    slope = (
        np.linspace(-40, 40, WIDTH, dtype=np.float32)[None, :] + np.linspace(-25, 25, HEIGHT, dtype=np.float32)[:, None]
    )
    coarse = cv2.GaussianBlur(rng.normal(0, 18, (HEIGHT // 4, WIDTH // 4)).astype(np.float32), (0, 0), 1.5)
    texture = cv2.resize(coarse * 2.5, (WIDTH, HEIGHT), interpolation=cv2.INTER_LINEAR)
    return base + slope + texture


_ROWS, _COLUMNS = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)


def field_frame(seed: int, text: str | None, d: FieldDegradation) -> np.ndarray:
    """One BGR frame with the label (or, text None, clutter and no code), degraded as `d` says."""
    rng = np.random.default_rng(seed)
    frame = _background(rng)
    if text is not None:
        frame = _place(frame, _worn(label_patch(text, d.pixels_per_module), rng, d), rng, d)
    else:
        frame = _clutter(frame, rng)
    # Uneven light: the frame darkens towards one side, as under one window or one lamp.
    angle = np.deg2rad(d.light_angle)
    reach = abs(WIDTH / 2 * np.cos(angle)) + abs(HEIGHT / 2 * np.sin(angle))
    along = (_COLUMNS - WIDTH / 2) * np.float32(np.cos(angle)) + (_ROWS - HEIGHT / 2) * np.float32(np.sin(angle))
    light = d.light_low + (1 - d.light_low) * (along / np.float32(2 * reach) + np.float32(0.5))
    frame = frame * light
    if d.glare > 0:
        gx, gy = rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT)
        frame += np.float32(d.glare * 255) * np.exp(-(((_COLUMNS - gx) / 200) ** 2 + ((_ROWS - gy) / 140) ** 2))
    frame = cv2.GaussianBlur(frame, (0, 0), d.defocus)
    if d.motion > 0:
        # A line `motion` pixels long (its two end pixels partly covered), turned to its direction.
        size = (int(d.motion) + 3) | 1
        centre = (size - 1) / 2
        kernel = np.zeros((size, size), np.float32)
        kernel[size // 2, :] = np.clip(d.motion / 2 + 0.5 - np.abs(np.arange(size) - centre), 0, 1)
        turn = cv2.getRotationMatrix2D((centre, centre), d.motion_angle, 1.0)
        kernel = cv2.warpAffine(kernel, turn, (size, size))
        frame = cv2.filter2D(frame, -1, kernel / kernel.sum())
    frame += rng.standard_normal(frame.shape, dtype=np.float32) * np.float32(d.noise)
    frame = cv2.max(frame, 0.0)
    # A faint colour cast (a warm lamp), so the JPEG's chroma subsampling has something to do.
    bgr = cv2.merge([cv2.convertScaleAbs(frame, alpha=cast) for cast in (0.92, 0.98, 1.04)])
    ok, jpeg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, d.jpeg_quality])
    assert ok
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)


def field_frames(seed: int = FIELD_SEED) -> Iterator[FieldFrame]:
    """The 90 frames one by one: 75 labelled (60 at 3–4 px/module, 15 at 4.5–6), then 15 without a code."""
    rng = random.Random(seed)
    for n in range(LABELLED + EMPTY):
        if n < LABELLED:
            ppm = 3.0 + (n % 5) * 0.25 if n < 60 else NEAR_PPM[n % len(NEAR_PPM)]
            text: str | None = label_payload(serial(rng))
        else:
            ppm, text = 4.0, None
        d = field_degradation(rng, ppm)
        yield FieldFrame(field_frame(seed * 1000 + n, text, d), text, d)


def field_set(seed: int = FIELD_SEED) -> list[FieldFrame]:
    """The 90 frames (about 2 s of CPU to make)."""
    return list(field_frames(seed))
