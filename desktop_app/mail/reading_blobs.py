"""A shortcut around the standard library's parser for big attachments, with the same result.

The parser reads a mail line by line in Python: two 2 MB photos are 75,000 base64 lines and
most of the time of reading the mail. Before parsing, each long run of base64 lines that follows
a part's `Content-Transfer-Encoding: base64` header is set aside and replaced by a one-line token;
after parsing, each part's content gets its lines back. The tree, the decoded files and the bytes
of a forwarded mail are the same as without the shortcut (tests/unit/mail compare both).
"""

from __future__ import annotations

import re
import secrets
from email.message import Message

# Below this size the shortcut saves nothing worth its scan.
MIN_MAIL_BYTES = 128 * 1024
_MIN_RUN_BYTES = 8 * 1024
_HEADER = b"content-transfer-encoding:"
_BASE64_VALUE = re.compile(rb'[ \t]*"?base64"?[ \t]*\r?\n', re.IGNORECASE)
_HEADERS_END = re.compile(rb"\r?\n\r?\n")
# What a run may hold: base64 letters and line ends. No "=" (padding ends the last line, which stays
# in place), so nothing a boundary ("--…"), a header ("Name: …") or quoted-printable ("=C3") starts with.
_BASE64_LINES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/\r\n"


def set_aside(raw: bytes) -> tuple[bytes, dict[str, str]]:
    """The mail with each long base64 run replaced by a token line, and token → the run's text."""
    if len(raw) < MIN_MAIL_BYTES:
        return raw, {}
    lowered = raw.lower()
    nonce = secrets.token_hex(8)  # a mail cannot contain a token by design
    pieces: list[bytes] = []
    blobs: dict[str, str] = {}
    position = found = 0
    while (found := lowered.find(_HEADER, found)) >= 0:
        found += len(_HEADER)
        at_line_start = found == len(_HEADER) or raw[found - len(_HEADER) - 1 : found - len(_HEADER)] == b"\n"
        if found < position or not at_line_start or not _BASE64_VALUE.match(raw, found):
            continue
        headers_end = _HEADERS_END.search(raw, found)
        if headers_end is None:
            break
        start = headers_end.end()
        stop = raw.find(b"\n--", start)
        stop = len(raw) if stop < 0 else stop
        padding = raw.find(b"=", start, stop)
        stop = raw.rfind(b"\n", start, stop if padding < 0 else padding) + 1  # whole lines before the last
        if stop - start < _MIN_RUN_BYTES or raw[start:stop].translate(None, _BASE64_LINES):
            continue
        token = f"makersupport-blob-{nonce}-{len(blobs)}"
        blobs[token] = raw[start:stop].decode("ascii")
        pieces += [raw[position:start], token.encode("ascii"), b"\r\n"]
        position = found = stop
    if not blobs:
        return raw, {}
    pieces.append(raw[position:])
    return b"".join(pieces), blobs


def put_back(message: Message, blobs: dict[str, str]) -> None:
    """Give every part (forwarded mails' parts too) its base64 lines back."""
    if not blobs:
        return
    stack = [message]
    while stack:
        part = stack.pop()
        payload = getattr(part, "_payload", None)  # as stored: get_payload() may re-decode it
        if isinstance(payload, list):
            stack.extend(child for child in payload if isinstance(child, Message))
        elif isinstance(payload, str) and "makersupport-blob-" in payload:
            for token in re.findall(r"makersupport-blob-[0-9a-f]{16}-\d+", payload):
                if token in blobs:
                    payload = payload.replace(token + "\r\n", blobs[token]).replace(token + "\n", blobs[token])
                    payload = payload.replace(token, blobs[token].rstrip("\r\n"))  # the part's last line
            part.set_payload(payload)
