"""Issue 16, scanning in the field: the decoding chain on the hard field frames (tests/qr_field_frames.py),
and its two rules: an enlarged retry answers only a makeR code, and the webcam's frame budget."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from desktop_app.devices import qr_decoder
from desktop_app.devices.qr_decoder import DecoderChain, ZxingDecoder, default_chain
from desktop_app.domain.certificate import CERTIFICATE_URL_PREFIX
from desktop_app.domain.qr import label_payload
from tests.qr_field_frames import FieldFrame, field_set

GOAL = 0.9
LABEL = label_payload("MK-M3-240001")
FRAME = np.full((720, 1280), 128, np.uint8)


@pytest.fixture(scope="module")
def field() -> list[tuple[FieldFrame, np.ndarray]]:
    return [(frame, cv2.cvtColor(frame.image, cv2.COLOR_BGR2GRAY)) for frame in field_set()]


def test_the_chain_reads_nine_in_ten_field_labels_where_one_plain_read_does_not(
    field: list[tuple[FieldFrame, np.ndarray]], monkeypatch: pytest.MonkeyPatch
) -> None:
    chain, plain = default_chain(), ZxingDecoder()
    labelled = [(frame, grey) for frame, grey in field if frame.text is not None]
    assert len(labelled) == 75
    photo = [(frame.text, chain.read(grey)) for frame, grey in labelled]  # makersupport scan's path
    # The webcam's path from the colour frame. Its time budget is lifted: on a loaded machine it
    # skips attempts by the clock (tested below with fakes); bench/qr_bench.py measures it as is.
    monkeypatch.setattr(qr_decoder, "FRAME_BUDGET_S", 10.0)
    webcam = [(frame.text, chain.decode_frame(frame.image)) for frame, _grey in labelled]
    for read in (photo, webcam):
        assert sum(texts == [text] for text, texts in read) >= GOAL * 75
        assert [texts for text, texts in read if texts and texts != [text]] == []  # nothing wrong
    # The frames are hard: a single plain read of the whole frame stays under the goal.
    assert sum(plain.decode(grey) == [frame.text] for frame, grey in labelled) < GOAL * 75


def test_frames_without_a_label_yield_nothing_on_either_path(field: list[tuple[FieldFrame, np.ndarray]]) -> None:
    chain = default_chain()
    empty = [(frame, grey) for frame, grey in field if frame.text is None]
    assert len(empty) == 15
    assert [chain.read(grey) for _frame, grey in empty] == [[]] * 15
    assert [chain.decode_frame(frame.image) for frame, _grey in empty] == [[]] * 15


class _ReadsOnlyWhenEnlarged(ZxingDecoder):
    """zxing-cpp that 'reads' `text` only in an image wider than the frame (an enlarged retry)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.seen_widths: list[int] = []

    def decode(self, image: np.ndarray, *, try_downscale: bool = True) -> list[str]:
        self.seen_widths.append(image.shape[1])
        return [self.text] if image.shape[1] > 1280 else []


@pytest.mark.parametrize(
    ("text", "answered"),
    [
        (label_payload("MK-M3-240001"), True),
        (f"{CERTIFICATE_URL_PREFIX}AbC123", True),
        ("https://example.com/wifi", False),  # a foreign code, or noise misread as one
        ("4729", False),
    ],
)
def test_an_enlarged_retry_answers_only_a_makeR_label_or_certificate(text: str, answered: bool) -> None:
    decoder = _ReadsOnlyWhenEnlarged(text)
    assert DecoderChain([decoder]).read(FRAME) == ([text] if answered else [])
    assert decoder.seen_widths == [1280, 2560]  # the frame, then enlarged 2×


class _Pyzbar:
    name = "pyzbar"

    def __init__(self) -> None:
        self.calls = 0

    def decode(self, image: np.ndarray) -> list[str]:
        self.calls += 1
        return []


def test_the_webcam_skips_what_overruns_its_frame_budget_and_pyzbar_while_zxing_is_there() -> None:
    zxing, pyzbar = _ReadsOnlyWhenEnlarged(LABEL), _Pyzbar()
    chain = DecoderChain([zxing, pyzbar])
    chain.costs["zxing-cpp ×2"] = 0.5  # the 2× copy usually takes 0.5 s
    assert chain.read(FRAME, budget_s=0.1) == [] and zxing.seen_widths == [1280] and pyzbar.calls == 0
    assert chain.read(FRAME) == [LABEL] and zxing.seen_widths == [1280, 1280, 2560]  # a photo has no budget
    chain.costs["zxing-cpp ×2"] = 0.01
    zxing.text = "https://example.com/wifi"
    assert chain.read(FRAME, budget_s=0.1) == [] and pyzbar.calls == 0
    assert chain.read(FRAME) == [] and pyzbar.calls == 1  # photos get the second opinion
    alone = DecoderChain([pyzbar])  # no zxing-cpp: pyzbar reads the webcam too
    assert alone.read(FRAME, budget_s=0.1) == [] and pyzbar.calls == 2


def test_an_attempt_skipped_after_a_slow_spell_is_tried_again_a_few_frames_later() -> None:
    zxing = _ReadsOnlyWhenEnlarged(LABEL)
    chain = DecoderChain([zxing])
    chain.costs["zxing-cpp ×2"] = 0.5  # one 2× read took long while the laptop was busy
    answers = [chain.read(FRAME, budget_s=0.1) for _ in range(12)]
    assert answers[0] == [] and [LABEL] in answers[1:] and answers[-1] == [LABEL]
