"""The machine-label QR payload: what a label encodes, and reading it back (format only, no image work).

A label encodes one URL, https://somosmaker.com/soporte/m/<SERIAL>, so a phone camera opens makeR's
support page for that printer while the desk reads the serial out of it. A serial is 3 to 40 of
A–Z, 0–9, "-" and "_", starting with a letter or digit.

Reading is tolerant of what cameras and keyboards do to text (surrounding blanks and line breaks,
letter case) and strict about everything else: another site, another path, a query string, an
extra segment or any other text is "not a makeR machine label", never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

LABEL_HOST = "somosmaker.com"
LABEL_PATH = "/soporte/m/"
LABEL_URL_PREFIX = f"https://{LABEL_HOST}{LABEL_PATH}"
# Certificates (R15) carry their own QR under this path; recognised so the message can say so.
CERTIFICATE_PATH = "/soporte/c/"

_SERIAL = r"[A-Z0-9][A-Z0-9_-]{2,39}"
# ASCII only: Unicode case folding would let "ſ" or the Kelvin sign pass for a serial's letters.
_FLAGS = re.IGNORECASE | re.ASCII
SERIAL_PATTERN = re.compile(_SERIAL, re.ASCII)
_LABEL = re.compile(rf"https?://(?:www\.)?{re.escape(LABEL_HOST)}{re.escape(LABEL_PATH)}({_SERIAL})", _FLAGS)
_CERTIFICATE = re.compile(rf"https?://(?:www\.)?{re.escape(LABEL_HOST)}{re.escape(CERTIFICATE_PATH)}", _FLAGS)
_URL = re.compile(r"[a-z][a-z0-9+.-]*://", _FLAGS)


class Foreign(StrEnum):
    """Why a decoded text is not a machine label."""

    EMPTY = "empty"
    CERTIFICATE = "certificate"  # a makeR certificate's QR (R15), not a machine
    OTHER_URL = "other_url"  # a link to somewhere else (another site, another makeR page)
    TEXT = "text"  # anything else


@dataclass(frozen=True)
class ScannedLabel:
    serial: str


@dataclass(frozen=True)
class ForeignCode:
    kind: Foreign
    text: str


def label_payload(serial: str) -> str:
    """The text a machine's label encodes. Raises ValueError for a serial the format cannot carry."""
    serial = serial.strip().upper()
    if not SERIAL_PATTERN.fullmatch(serial):
        raise ValueError(f"not a valid serial: {serial!r}")
    return f"{LABEL_URL_PREFIX}{serial}"


def read_label(text: str) -> ScannedLabel | ForeignCode:
    """The machine a scanned text names, or why it names none. Never raises."""
    cleaned = text.strip()
    if not cleaned:
        return ForeignCode(Foreign.EMPTY, text)
    match = _LABEL.fullmatch(cleaned)
    if match is not None:
        return ScannedLabel(match.group(1).upper())
    if _CERTIFICATE.match(cleaned):
        return ForeignCode(Foreign.CERTIFICATE, cleaned)
    if _URL.match(cleaned):
        return ForeignCode(Foreign.OTHER_URL, cleaned)
    return ForeignCode(Foreign.TEXT, cleaned)
