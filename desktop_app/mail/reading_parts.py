"""The pieces of a received mail: text decoding, header words, the MIME tree's body and files.

Each helper reads from what the standard library's parser built, never trusting it to succeed: a
header object or a parameter that cannot be parsed falls back to a regular expression on the raw
value. Bytes become text with the declared charset, then charset-normalizer's guess (ties broken
towards Windows-1252, the usual charset of Spanish mail), then Latin-1, which always succeeds.
"""

from __future__ import annotations

import binascii
import codecs
import mimetypes
import re
from dataclasses import dataclass, field
from email.header import decode_header
from email.message import Message
from email.parser import BytesHeaderParser

import charset_normalizer

from desktop_app.mail.html import html_to_text, sanitise
from desktop_app.services.mail_ports import MailFile

# Text larger than this is cut (the raw mail keeps it all); it is far beyond what a person writes.
MAX_TEXT_BYTES = 4 * 1024 * 1024
MAX_TEXT_CHARS = 1_000_000
MAX_FILES = 200
MAX_DEPTH = 40
_DETECT_BYTES = 64 * 1024  # what charset-normalizer looks at: enough to decide, fast on big parts
_SPANISH_CHARSETS = ("cp1252", "latin_1", "iso8859_15")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]+")
_SPACES = re.compile(r"\s+")
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")


def clean_text(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """Line breaks as "\\n", no control characters, lone surrogates or NULs; at most `limit` characters."""
    text = text[:limit]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def one_line(text: str, limit: int = 998) -> str:
    """The text on one line: breaks and runs of spaces become one space, controls are dropped."""
    return _SPACES.sub(" ", _CONTROL_OR_BREAK.sub(" ", text[: limit * 4])).strip()[:limit]


def _known(charset: str) -> str | None:
    """Python's name of a text charset, or None when it is unknown or not a text codec."""
    try:
        info = codecs.lookup(charset.strip().strip("\"'"))
    except (LookupError, ValueError, TypeError):
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def guess_decode(data: bytes) -> str:
    """Bytes in an unknown charset: UTF-8 if they are, else charset-normalizer's best guess, else Latin-1."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    sample = data[:_DETECT_BYTES]
    try:
        matches = list(charset_normalizer.from_bytes(sample))
    except Exception:  # the detector is a heuristic: its failure only means "no guess"
        matches = []
    if matches:
        least = min(match.chaos for match in matches)
        for match in matches:  # among equally clean guesses, prefer what Spanish-speaking mailers write
            if match.chaos <= least + 0.01 and any(cs in _SPANISH_CHARSETS for cs in match.could_be_from_charset):
                return _decode_western(data)
        best = min(matches, key=lambda match: match.chaos)
        try:
            return data.decode(best.encoding, errors="replace")
        except (LookupError, ValueError):
            pass
    return _decode_western(data)


def _decode_western(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def decode_bytes(data: bytes, declared: str | None) -> tuple[str, str]:
    """(text, problem code or "") of a text part's bytes with its declared charset."""
    if declared:
        name = _known(declared)
        if name is None:
            return guess_decode(data), "unknown-charset"
        try:
            return data.decode(name), ""
        except Exception:  # UnicodeError, or a codec's own surprise
            return guess_decode(data), "undeclared-8bit" if name == "ascii" else "bad-charset"
    try:
        return data.decode("ascii"), ""
    except UnicodeDecodeError:
        return guess_decode(data), "undeclared-8bit"


def header_text(raw: str, limit: int = 998) -> str:
    """A raw header value as one line of text: 8-bit bytes and encoded words (=?utf-8?q?…?=) decoded."""
    if not raw:
        return ""
    raw = raw[: limit * 8]
    if any("\udc80" <= ch <= "\udcff" for ch in raw):  # raw 8-bit bytes, kept by the parser as surrogates
        raw = guess_decode(raw.encode("utf-8", "surrogateescape"))
    raw = _SPACES.sub(" ", raw)
    pieces: list[str] = []
    try:
        for word, charset in decode_header(raw):
            if isinstance(word, str):
                pieces.append(word)
            elif charset is None:
                pieces.append(word.decode("raw-unicode-escape", errors="replace"))
            else:
                pieces.append(decode_bytes(word, charset)[0])
    except Exception:  # a broken encoded word: show the header as written
        pieces = [raw]
    return one_line("".join(pieces), limit)


# -- parameters of a part, with a fallback when the header object cannot be built -----------------------


def _raw_header(part: Message, name: str) -> str:
    try:
        for key, value in part.raw_items():
            if key.lower() == name:
                return str(value)
    except Exception:
        pass
    return ""


def _raw_param(part: Message, header: str, name: str) -> str:
    match = re.search(rf'(?i)(?:^|;)\s*{name}\*?\s*=\s*"?([^";]*)', _raw_header(part, header))
    return match.group(1).strip() if match else ""


def content_type(part: Message) -> str:
    try:
        media = part.get_content_type()
    except Exception:
        media = _raw_header(part, "content-type").split(";")[0].strip().lower() or "text/plain"
    return media if _MEDIA_TYPE.match(media) else "application/octet-stream"


def _charset(part: Message) -> str | None:
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = _raw_param(part, "content-type", "charset") or None
    return charset if isinstance(charset, str) and charset.strip() else None


def _disposition(part: Message) -> str:
    try:
        return part.get_content_disposition() or ""
    except Exception:
        return _raw_header(part, "content-disposition").split(";")[0].strip().lower()


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:
        name = _raw_param(part, "content-disposition", "filename") or _raw_param(part, "content-type", "name")
    return name if isinstance(name, str) else ""


def _payload(part: Message) -> bytes:
    """The part's content, transfer encoding undone."""
    stored = getattr(part, "_payload", None)
    if isinstance(stored, str) and len(stored) > 65536 and stored.isascii():
        # A big base64 file straight through binascii (the stdlib splits and joins its lines first,
        # 40% of reading two photos); the same bytes, and the stdlib's lenience when it is broken.
        try:
            if str(part.get("content-transfer-encoding", "")).strip().lower() == "base64":
                return binascii.a2b_base64(stored.encode("ascii"))
        except Exception:
            pass
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    return data if isinstance(data, bytes) else b""


_UNSAFE_NAME = re.compile(r'[<>:"|?*\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]')
_RESERVED = re.compile(r"(?i)^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$")


def safe_filename(raw: str, media_type: str, number: int) -> str:
    """A name that is safe to save: decoded, folders and odd characters removed, never empty."""
    name = header_text(raw, 500) if raw else ""
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    if _RESERVED.match(name):
        name = "_" + name
    if len(name) > 150:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 140 - len(extension)] + dot + extension) if dot and len(extension) <= 10 else name[:150]
    if name:
        return name
    readable = media_type.startswith("text/") or media_type == "message/delivery-status"
    extension = mimetypes.guess_extension(media_type, strict=False) or (".txt" if readable else ".bin")
    return f"adjunto-{number}{extension}"


# -- the tree ------------------------------------------------------------------------------------------


@dataclass
class Body:
    """What the walk over the MIME tree found."""

    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    files: list[MailFile] = field(default_factory=list)
    embedded: list[Message] = field(default_factory=list)  # message/rfc822 parts and header blocks (bounces)
    problems: list[str] = field(default_factory=list)

    def problem(self, code: str) -> None:
        if code and code not in self.problems:
            self.problems.append(code)

    @property
    def text(self) -> str:
        if self.plain:
            return "\n\n".join(clean_text(p).strip() for p in self.plain).strip()
        return clean_text(html_to_text("\n".join(self.html))).strip()

    @property
    def sanitised_html(self) -> str:
        return clean_text(sanitise("\n".join(self.html)), limit=2 * MAX_TEXT_CHARS) if self.html else ""


def _text_of(part: Message, media: str, body: Body) -> str:
    data = _payload(part)
    if len(data) > MAX_TEXT_BYTES:
        data = data[:MAX_TEXT_BYTES]
        body.problem("long-text-cut")
    declared = _charset(part)
    if declared is None and media == "text/html":
        meta = re.search(rb'(?i)<meta[^>]{0,200}charset\s*=\s*["\']?([\w.:-]{1,40})', data[:4096])
        declared = meta.group(1).decode("ascii") if meta else None
    text, problem = decode_bytes(data, declared)
    body.problem(problem)
    return text


def _message_bytes(part: Message, body: Body) -> bytes:
    """The bytes of a message/* part's content (a forwarded mail, a bounce's copy, a status block)."""
    if not part.is_multipart():
        return _payload(part)
    payload = part.get_payload()
    try:
        from email import policy

        flat = policy.compat32.clone(max_line_length=0, linesep="\r\n")
        return b"\r\n".join(m.as_bytes(policy=flat) for m in payload if isinstance(m, Message))
    except Exception:
        body.problem("unreadable-part")
        return b""


def _is_file(part: Message, media: str, disposition: str, raw_name: str) -> bool:
    if disposition == "attachment":
        return True
    return media not in ("text/plain", "text/html") or bool(raw_name)


def walk(message: Message) -> Body:
    """The body texts and the files of a mail, depth first in the order written."""
    body = Body()
    stack: list[tuple[Message, int]] = [(message, 0)]
    while stack:
        part, depth = stack.pop()
        media = content_type(part)
        payload = part.get_payload() if part.is_multipart() else None  # a list of parts, never a header read
        if media.startswith("multipart/"):
            if isinstance(payload, list):
                if depth >= MAX_DEPTH:
                    body.problem("too-deep")
                    continue
                stack.extend((child, depth + 1) for child in reversed(payload) if isinstance(child, Message))
                continue
            body.problem("broken-multipart")  # no boundary: the content is most likely the text
            media = "text/plain"
        if media in ("message/rfc822", "message/global") and isinstance(payload, list):
            body.embedded.extend(m for m in payload[:1] if isinstance(m, Message))
        elif media in ("text/rfc822-headers", "message/rfc822-headers"):
            try:
                body.embedded.append(BytesHeaderParser().parsebytes(_payload(part) or _message_bytes(part, body)))
            except Exception:
                body.problem("unreadable-part")
        disposition, raw_name = _disposition(part), _filename(part)
        if not _is_file(part, media, disposition, raw_name):
            (body.plain if media == "text/plain" else body.html).append(_text_of(part, media, body))
            continue
        if len(body.files) >= MAX_FILES:
            body.problem("too-many-files")
            continue
        content = _message_bytes(part, body) if media.startswith("message/") else _payload(part)
        name = safe_filename(raw_name, media, len(body.files) + 1)
        body.files.append(MailFile(filename=name, media_type=media, content=content))
    return body
