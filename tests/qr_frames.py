"""Synthetic "cheap webcam" frames holding a machine label: the camera of the scan tests and of
bench/qr_bench.py. Seeded, so a run can be repeated exactly.

A frame is 1280×720: a textured background (a printer's side, a desk), and, unless told otherwise,
a white label with its QR code drawn at a given number of pixels per module, then turned, seen at
an angle, blurred, lit by a glare, washed out and sprinkled with sensor noise.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np

from desktop_app.devices.qr_encoder import qr_modules

WIDTH, HEIGHT = 1280, 720
QUIET_ZONE = 4  # modules of white around the code, as on the printed labels


@dataclass(frozen=True)
class Degradation:
    pixels_per_module: float
    rotation: float = 0.0  # degrees, in the image plane
    perspective: float = 0.0  # share of the label's size its corners move
    blur: float = 0.0  # Gaussian sigma, pixels
    noise: float = 0.0  # sensor noise sigma, grey levels
    glare: float = 0.0  # strength of a bright blob, 0–1
    contrast: float = 1.0  # 1: black on white; 0.3: dark grey on light grey


def label_patch(text: str, pixels_per_module: float) -> np.ndarray:
    """A white label with the code and its quiet zone, greyscale (modules from the app's encoder)."""
    modules = np.pad(np.array(qr_modules(text), dtype=bool), QUIET_ZONE, constant_values=False)
    size = max(1, round(modules.shape[0] * pixels_per_module))
    dark = cv2.resize(modules.astype(np.uint8), (size, size), interpolation=cv2.INTER_NEAREST)
    return np.where(dark > 0, 0, 255).astype(np.uint8)


def _background(rng: np.random.Generator) -> np.ndarray:
    base = rng.integers(60, 190)
    gradient = np.linspace(-40, 40, WIDTH)[None, :] + np.linspace(-25, 25, HEIGHT)[:, None]
    texture = cv2.GaussianBlur(rng.normal(0, 18, (HEIGHT, WIDTH)), (0, 0), 6)
    return np.clip(base + gradient + texture, 0, 255)


def webcam_frame(seed: int, text: str | None, d: Degradation) -> np.ndarray:
    """One BGR frame; text None gives a frame without any code (for false positives)."""
    rng = np.random.default_rng(seed)
    frame = _background(rng)
    if text is not None:
        patch = label_patch(text, d.pixels_per_module).astype(np.float64)
        patch = d.contrast * (patch - 128) + 128  # a washed-out print or a dim room
        size = patch.shape[0]
        # Place the label so that it stays in the middle half of the frame, where people aim.
        margin = size * 0.75
        cx = rng.uniform(WIDTH * 0.5 - WIDTH * 0.15, WIDTH * 0.5 + WIDTH * 0.15)
        cy = rng.uniform(HEIGHT * 0.5 - HEIGHT * 0.12, HEIGHT * 0.5 + HEIGHT * 0.12)
        cx = min(max(cx, margin), WIDTH - margin)
        cy = min(max(cy, margin), HEIGHT - margin)
        half = size / 2
        corners = np.array([[-half, -half], [half, -half], [half, half], [-half, half]])
        corners += rng.uniform(-d.perspective, d.perspective, (4, 2)) * size
        angle = np.deg2rad(d.rotation)
        turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        target = (corners @ turn.T + [cx, cy]).astype(np.float32)
        source = np.array([[0, 0], [size, 0], [size, size], [0, size]], dtype=np.float32)
        warp = cv2.getPerspectiveTransform(source, target)
        warped = cv2.warpPerspective(patch, warp, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR, borderValue=-1)
        mask = cv2.warpPerspective(np.ones_like(patch), warp, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
        frame = frame * (1 - mask) + np.where(mask > 0, warped, 0) * mask
    if d.glare > 0:
        gx, gy = rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT)
        yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
        blob = np.exp(-(((xx - gx) / 220) ** 2 + ((yy - gy) / 160) ** 2))
        frame = frame + d.glare * 255 * blob
    if d.blur > 0:
        frame = cv2.GaussianBlur(frame, (0, 0), d.blur)
    if d.noise > 0:
        frame = frame + rng.normal(0, d.noise, frame.shape)
    grey = np.clip(frame, 0, 255).astype(np.uint8)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)


def random_degradation(rng: random.Random, pixels_per_module: float) -> Degradation:
    """The mix of the benchmark: every frame gets some of everything, in varying amounts."""
    return Degradation(
        pixels_per_module=pixels_per_module,
        rotation=rng.uniform(-180, 180),
        perspective=rng.uniform(0, 0.12),
        blur=rng.uniform(0, 1.2),
        noise=rng.uniform(0, 10),
        glare=rng.choice((0.0, 0.0, rng.uniform(0.2, 0.6))),
        contrast=rng.uniform(0.45, 1.0),
    )
