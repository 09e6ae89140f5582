"""The decoder chain and the scanning loop's rules, without Qt or a camera."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from desktop_app.devices import qr_decoder
from desktop_app.devices.camera import FrameListSource, VideoFileSource, write_video
from desktop_app.devices.qr_decoder import DecoderChain, PyzbarDecoder, ZxingDecoder, default_chain
from desktop_app.devices.scanning import ConsecutiveReads
from desktop_app.domain.qr import label_payload
from tests.qr_frames import Degradation, webcam_frame

PAYLOAD = label_payload("MK-M3-240001")


def _frame(ppm: float = 4, text: str | None = PAYLOAD, seed: int = 1):  # type: ignore[no-untyped-def]
    return webcam_frame(seed, text, Degradation(ppm, rotation=30, perspective=0.05, blur=0.6, noise=5, contrast=0.7))


@pytest.mark.parametrize("decoder", [ZxingDecoder, PyzbarDecoder])
def test_each_decoder_reads_a_webcam_frame(decoder: type) -> None:
    assert decoder().decode(cv2.cvtColor(_frame(5), cv2.COLOR_BGR2GRAY)) == [PAYLOAD]


def test_a_missing_native_library_leaves_the_other_decoder_and_says_which(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_zbar(self: object) -> None:
        raise ImportError("Unable to find zbar shared library")

    monkeypatch.setattr(PyzbarDecoder, "__init__", no_zbar)
    chain = default_chain()
    assert [d.name for d in chain.decoders] == ["zxing-cpp"] and chain.missing == ["pyzbar"]
    assert chain.decode_frame(_frame()) == [PAYLOAD]

    def no_zxing(self: object) -> None:
        raise ImportError("No module named 'zxingcpp'")

    monkeypatch.undo()
    monkeypatch.setattr(ZxingDecoder, "__init__", no_zxing)
    chain = default_chain()
    assert [d.name for d in chain.decoders] == ["pyzbar"] and chain.missing == ["zxing-cpp"]
    assert chain.decode_frame(_frame(6)) == [PAYLOAD]


def test_the_fallback_runs_only_when_the_first_decoder_finds_nothing() -> None:
    calls: list[str] = []

    class Fake:
        def __init__(self, name: str, texts: list[str]) -> None:
            self.name, self._texts = name, texts

        def decode(self, image: object) -> list[str]:
            calls.append(self.name)
            return self._texts

    image = np.zeros((8, 8), dtype=np.uint8)
    assert DecoderChain([Fake("a", ["x"]), Fake("b", ["y"])]).read(image) == ["x"]
    assert calls == ["a"]
    calls.clear()
    assert DecoderChain([Fake("a", []), Fake("b", ["y"])]).read(image) == ["y"]
    assert calls == ["a", "b"]


def test_a_small_label_far_from_the_camera_is_read_from_the_enlarged_frame() -> None:
    chain = default_chain()
    frame = webcam_frame(7, PAYLOAD, Degradation(2.5, rotation=10, blur=0.3, noise=2))
    assert chain.decode_frame(frame) == [PAYLOAD]


def test_no_code_no_text_and_a_file_that_is_no_image_is_an_oserror(tmp_path: Path) -> None:
    chain = default_chain()
    assert chain.decode_frame(_frame(text=None)) == []
    not_image = tmp_path / "notas.png"
    not_image.write_text("hola")
    with pytest.raises(OSError, match=r"notas\.png"):
        chain.decode_file(not_image)
    accented = tmp_path / "fotografía etiqueta.png"
    cv2.imwrite(str(accented), _frame())  # a path with an accent, as Windows users name files
    assert accented.exists() and chain.decode_file(accented) == [PAYLOAD]


def test_a_code_is_believed_after_two_consecutive_readings() -> None:
    reads = ConsecutiveReads()
    assert [reads.feed(t) for t in ("a", None, "a", "b", "a", "a")] == [None, None, None, None, None, "a"]
    assert reads.feed("a") is None  # starts over after a confirmation
    assert reads.feed("a") == "a"


def test_a_recorded_video_and_a_frame_list_serve_as_cameras(tmp_path: Path) -> None:
    frames = [_frame(seed=s) for s in range(3)]
    video = write_video(tmp_path / "camara.avi", frames)
    source = VideoFileSource(video)
    source.open()
    read = [source.read() for _ in range(4)]
    source.close()
    assert [f is not None for f in read] == [True, True, True, False]
    assert qr_decoder.default_chain().decode_frame(read[0]) == [PAYLOAD]
    listed = FrameListSource(frames)
    listed.open()
    delivered = [listed.read() for _ in range(4)]
    assert [f is not None for f in delivered] == [True, True, True, False]
