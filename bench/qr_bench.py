"""QR benchmark (issues 6 and 16): hard field frames through today's chain and the improved one.

    python bench/qr_bench.py [--seed S] [--explore] [--fps-seconds N]

Frames: tests/qr_field_frames.field_set(), 90 seeded 1280×720 webcam frames: 75 with a label
encoding https://somosmaker.com/soporte/m/<serial>, most at 3–4 pixels per module, anywhere in the
frame, turned and tilted, worn, faded, unevenly lit, motion-blurred, noisy, JPEG quality 40–60;
15 with no code but text, grids, checkerboards and fake codes.

Compared in the same run, on the same frames:
- "before webcam" / "before photo": the chain as it was before issue 16 (kept here as the
  reference): the webcam read the centre 70 % with zxing-cpp, then pyzbar, then zxing-cpp on the
  centre enlarged 2×; a photo was read whole with zxing-cpp, then pyzbar.
- "after webcam" / "after photo": DecoderChain.decode_frame (with its frame budget) and
  DecoderChain.read (no budget: `makersupport scan`).

Printed per chain: found/75, wrong (another text than the label's), false positives (a text from a
frame without a code), median and p95 per frame of wall time and of CPU time (time.process_time;
the machine is shared, CPU time is the steadier figure). Then what each attempt of the improved
chain adds, and the preview rate of the real scan worker (ui/workers/camera_worker.py) with each
chain, fed at a webcam's 30 fps with the frames without a code: the worst case, where every
attempt runs on each decoded frame. With --explore, other candidate passes alone (binarizers,
CLAHE, unsharp masking, 3×, bilinear) with what they find beyond the plain read.

Goals (issue 16): ≥ 90 % of the labelled frames, 0 wrong, 0 false positives, preview ≥ 20 fps.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2
import numpy as np

from desktop_app.devices.qr_decoder import DecoderChain, PyzbarDecoder, ZxingDecoder, default_chain, is_ours
from tests.qr_field_frames import FIELD_SEED, FieldFrame, field_set

Decode = Callable[[np.ndarray], list[str]]


class BeforeChain(DecoderChain):
    """The decoding chain as it was before issue 16, for comparison in the same run."""

    def decode_frame(self, frame: np.ndarray) -> list[str]:
        grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        height, width = grey.shape
        h, w = int(height * 0.7), int(width * 0.7)
        crop = grey[(height - h) // 2 : (height - h) // 2 + h, (width - w) // 2 : (width - w) // 2 + w]
        texts = self.plain(crop)
        if texts or min(crop.shape) >= 720 or not self.decoders:
            return texts
        return self.decoders[0].decode(cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR))

    def read(self, image: np.ndarray, budget_s: float | None = None) -> list[str]:
        return self.plain(image)  # decode_file's path for a photo under 2000 px

    def plain(self, image: np.ndarray) -> list[str]:
        """Each decoder in turn on the image as it is, until one finds a code."""
        for decoder in self.decoders:
            texts = decoder.decode(image)
            if texts:
                return texts
        return []


@dataclass
class Result:
    found: int
    wrong: int
    false_positives: int
    wall: list[float]
    cpu: list[float]
    hits: set[int]


def measure(decode: Decode, frames: list[FieldFrame], grey: bool = False) -> Result:
    result = Result(0, 0, 0, [], [], set())
    for index, frame in enumerate(frames):
        image = cv2.cvtColor(frame.image, cv2.COLOR_BGR2GRAY) if grey else frame.image
        wall, cpu = time.perf_counter(), time.process_time()
        texts = decode(image)
        result.wall.append(time.perf_counter() - wall)
        result.cpu.append(time.process_time() - cpu)
        if frame.text is None:
            result.false_positives += bool(texts)
        elif texts and texts[0] == frame.text:
            result.found += 1
            result.hits.add(index)
        elif texts:
            result.wrong += 1
    return result


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def cpu_ms(r: Result) -> str:
    return f"CPU median {statistics.median(r.cpu) * 1000:5.1f} p95 {p95(r.cpu) * 1000:5.1f} ms"


def line(name: str, r: Result, labelled: int) -> str:
    return (
        f"{name:16} found {r.found:2}/{labelled} ({r.found / labelled:5.1%})  wrong {r.wrong}  "
        f"false positives {r.false_positives}  ms wall median {statistics.median(r.wall) * 1000:5.1f} "
        f"p95 {p95(r.wall) * 1000:5.1f}  CPU median {statistics.median(r.cpu) * 1000:5.1f} p95 {p95(r.cpu) * 1000:5.1f}"
    )


def attempt_breakdown(chain: DecoderChain, frames: list[FieldFrame]) -> set[int]:
    """Each attempt of the improved chain alone: what it finds, what it adds to those before it.
    Answers what the plain zxing-cpp read found (the first attempt)."""
    sample = cv2.cvtColor(frames[0].image, cv2.COLOR_BGR2GRAY)
    seen: set[int] = set()
    first: set[int] | None = None
    for attempt in chain.attempts(sample):

        def run(image: np.ndarray, attempt=attempt) -> list[str]:  # type: ignore[no-untyped-def]
            texts = attempt.run(image)
            return texts if attempt.any_code else [t for t in texts if is_ours(t)]

        r = measure(run, frames, grey=True)
        added = r.hits - seen
        seen |= r.hits
        first = r.hits if first is None else first
        print(
            f"  {attempt.name:16} alone {r.found:2}  adds {len(added):2} (total {len(seen):2})  wrong {r.wrong}  "
            f"false {r.false_positives}  {cpu_ms(r)}"
        )
    return first or set()


def explore(frames: list[FieldFrame], plain: set[int], chain: set[int]) -> None:
    """Candidate passes that were measured and not kept (or kept): each alone on the whole frame."""
    import zxingcpp

    qr = zxingcpp.BarcodeFormat.QRCode
    read_barcodes: Any = zxingcpp.read_barcodes  # options passed through as keywords
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))

    def z(image: np.ndarray, **options: object) -> list[str]:
        return [c.text for c in read_barcodes(image, formats=qr, **options) if c.valid and c.text]

    def up(image: np.ndarray, factor: float, interpolation: int = cv2.INTER_CUBIC) -> np.ndarray:
        return cv2.resize(image, None, fx=factor, fy=factor, interpolation=interpolation)

    def unsharp(image: np.ndarray, sigma: float) -> np.ndarray:
        return cv2.addWeighted(image, 2.0, cv2.GaussianBlur(image, (0, 0), sigma), -1.0, 0)

    pyzbar = PyzbarDecoder()
    candidates: dict[str, Decode] = {
        "global histogram": lambda g: z(g, binarizer=zxingcpp.Binarizer.GlobalHistogram),
        "fixed threshold ×2": lambda g: z(up(g, 2), binarizer=zxingcpp.Binarizer.FixedThreshold, try_downscale=False),
        "CLAHE": lambda g: z(clahe.apply(g)),
        "CLAHE ×2 bilinear": lambda g: z(up(clahe.apply(g), 2, cv2.INTER_LINEAR), try_downscale=False),
        "unsharp": lambda g: z(unsharp(g, 1.0)),
        "×1.5 bilinear": lambda g: z(up(g, 1.5, cv2.INTER_LINEAR), try_downscale=False),
        "×2 bilinear": lambda g: z(up(g, 2, cv2.INTER_LINEAR), try_downscale=False),
        "×2 unsharp": lambda g: z(unsharp(up(g, 2), 2.0), try_downscale=False),
        "×3 bicubic": lambda g: z(up(g, 3), try_downscale=False),
        "adaptive ×2": lambda g: z(
            cv2.adaptiveThreshold(up(g, 2), 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 31, 5),
            try_downscale=False,
        ),
        "pyzbar": pyzbar.decode,
    }
    for name, decode in candidates.items():
        r = measure(decode, frames, grey=True)
        print(
            f"  {name:20} alone {r.found:2}  beyond plain zxing-cpp {len(r.hits - plain):2}, "
            f"beyond the chain {len(r.hits - chain):2}  wrong {r.wrong}  false {r.false_positives}  {cpu_ms(r)}"
        )


def preview_rate(chain: DecoderChain, frames: list[FieldFrame], seconds: float) -> tuple[float, float]:
    """(preview fps, decodes per second) of the real scan worker on its own thread, fed at 30 fps
    with the frames that hold no code, so that every attempt runs on each decoded frame."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QElapsedTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.devices.camera import FrameListSource
    from desktop_app.ui.workers.camera_worker import CameraWorker

    app = QApplication.instance() or QApplication([])
    empty = [f.image for f in frames if f.text is None]
    fed = (empty * (int(seconds * 30) // len(empty) + 1))[: int(seconds * 30)]
    worker = CameraWorker(lambda: FrameListSource(fed, fps=30), chain)
    shown = [0]
    worker.frame_ready.connect(lambda _image: shown.__setitem__(0, shown[0] + 1))
    clock = QElapsedTimer()
    clock.start()
    worker.start()
    while worker.isRunning() or clock.elapsed() < 200:
        QCoreApplication.processEvents()
        worker.wait(5)
    QCoreApplication.processEvents()
    elapsed = clock.elapsed() / 1000
    assert app is not None
    return shown[0] / elapsed, worker.frames_decoded / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=FIELD_SEED)
    parser.add_argument("--explore", action="store_true", help="also measure candidate passes not in the chain")
    parser.add_argument("--fps-seconds", type=float, default=6.0)
    args = parser.parse_args()
    start = time.perf_counter()
    frames = field_set(args.seed)
    labelled = sum(1 for f in frames if f.text is not None)
    print(
        f"{len(frames)} field frames 1280x720 ({labelled} labelled, {len(frames) - labelled} without a code), "
        f"seed {args.seed}, made in {time.perf_counter() - start:.1f} s"
    )
    before = BeforeChain([ZxingDecoder(), PyzbarDecoder()])
    after = default_chain()
    results = {
        "before webcam": measure(before.decode_frame, frames),
        "before photo": measure(before.read, frames, grey=True),
        "after webcam": measure(after.decode_frame, frames),
        "after photo": measure(after.read, frames, grey=True),
    }
    for name, r in results.items():
        print(line(name, r, labelled))
    print("attempts of the improved chain, each alone on every frame (whole frame, greyscale):")
    plain = attempt_breakdown(after, frames)
    if args.explore:
        print("candidate passes, each alone:")
        explore(frames, plain, results["after photo"].hits)
    rates = {}
    for name, chain in (("before", BeforeChain([ZxingDecoder(), PyzbarDecoder()])), ("after", default_chain())):
        rates[name] = preview_rate(chain, frames, args.fps_seconds)
        fps, decodes = rates[name]
        print(
            f"camera worker, {name:6}: preview {fps:4.1f} fps from a 30 fps camera, "
            f"{decodes:4.1f} decodes/s (no code in view)"
        )
    webcam, photo = results["after webcam"], results["after photo"]
    goal = 0.9 * labelled
    print(
        f"goals: ≥ 90 % found: webcam {'yes' if webcam.found >= goal else 'NO'}, "
        f"photo {'yes' if photo.found >= goal else 'NO'}; "
        f"0 wrong: {'yes' if webcam.wrong == photo.wrong == 0 else 'NO'}; "
        f"0 false positives: {'yes' if webcam.false_positives == photo.false_positives == 0 else 'NO'}; "
        f"≥ 20 fps: {'yes' if rates['after'][0] >= 20 else 'NO'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
