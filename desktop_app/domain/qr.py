"""The machine-label QR payload: what a label encodes (format only, no image work).

A label encodes a URL with the machine's serial, so a phone camera opens makeR's support page for
that machine, while the desk reads the serial back out of it.
"""

from __future__ import annotations

LABEL_URL_PREFIX = "https://somosmaker.com/soporte/m/"


def label_payload(serial: str) -> str:
    return f"{LABEL_URL_PREFIX}{serial.strip().upper()}"
