"""The scanning loop's rules, Qt-free: how often a frame is decoded and when a reading is believed.

A single frame can misread (motion blur across two labels, a reflection); a code is accepted only
once the same text is read in `CONFIRMATIONS` decoded frames in a row. Decoding runs at most every
`DECODE_EVERY_S`, so the preview keeps its frame rate on a two-core laptop.
"""

from __future__ import annotations

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
