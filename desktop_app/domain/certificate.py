"""The plan certificate (R15): what it must state, and the signed text its QR code carries.

A certificate states the plan (code, name, special or not), the invoice ("Factura"), the validity
("Vigencia") and the covered machines (model and serial), for one customer. Its QR carries those
same facts, signed with the office's Ed25519 key, so anyone can check a printed page:

    https://somosmaker.com/soporte/c/<key id>.<facts>.<signature>

each part base64url without padding. The facts are compact, canonical JSON (sorted keys, no
blanks, UTF-8; machines by serial only), deflated, so the same certificate always gives the same
bytes. The key id names the key that signed (the first 8 bytes of the SHA-256 of its raw public
key), so a page signed by an unknown key is told apart from a page whose facts were altered.

The QR is printed 48 mm wide, so its text is bounded: at most `MAX_QR_TEXT` characters (QR version
23 at most, modules of 0.43 mm). Measured on the page printed at 150 dpi, photographed tilted, blurred
(σ 0.8 px) and saved as JPEG: versions 22 to 24 read every time (10 of 10 codes each), version 25
never (0 of 5), so one version is kept in hand for worn paper and cheap cameras; a clean 150 dpi
scan reads up to version 37, so the photo is the limit. Facts that fit travel in full
(version 1, as every certificate before version 2 was made). Facts that do not (a 5,000-character
customer name, 400 machines) travel as version 2: each text cut to a fixed size ending in "…" and,
if still too long, the machines as their count and a digest of their serials instead of the list.
The page prints everything; the office's database keeps the full facts (`to_payload`), from which
the same QR is made again on a reprint (`qr_payload`).

This module only encodes and decodes; signing and checking signatures is done by the services
through their signer port.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from desktop_app.domain.qr import CERTIFICATE_PATH, LABEL_HOST

CERTIFICATE_URL_PREFIX = f"https://{LABEL_HOST}{CERTIFICATE_PATH}"
PAYLOAD_VERSION = 1  # the facts in full
SHORTENED_VERSION = 2  # texts cut and, if needed, the machines as a count and a digest (see the module's doc)
MAX_FACTS_BYTES = 64 * 1024  # a QR's facts are under 1 KB deflated; more, read from a scan, is not ours
MAX_STORED_FACTS_BYTES = 16 * 1024 * 1024  # the full facts the office keeps (thousands of machines)
MAX_QR_TEXT = 850  # characters: QR version 23 at level M (857 bytes), 0.43 mm modules at the printed 48 mm
# The JSON size (UTF-8, escapes included) each text may take in a shortened QR. With the fixed
# fields (dates, ids, count, digest: about 170 bytes) the worst case, incompressible text in 4-byte
# characters, stays under the deflated size MAX_QR_TEXT allows (tests/unit/domain/test_certificate.py).
SHORTENED_TEXT_BYTES = {"c": 120, "t": 32, "p": 24, "pn": 64, "f": 48, "n": 32}
ELLIPSIS = "…"
_KEY_ID_CHARS = 11  # base64url of the 8-byte key id
_SIGNATURE_CHARS = 86  # base64url of the 64-byte Ed25519 signature


class CertificateFormatError(ValueError):
    """The text is not a makeR certificate code, or its facts cannot be read."""


class FactsDoNotFitError(ValueError):
    """Even shortened, the facts would make a QR too dense to print at the certificate's size."""

    def __init__(self, length: int) -> None:
        super().__init__(f"{length} characters, at most {MAX_QR_TEXT} print legibly")
        self.length = length


class Verdict(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"  # genuine, but the validity has ended
    NOT_YET_VALID = "not_yet_valid"  # genuine, validity not started
    REVOKED = "revoked"  # genuine, withdrawn by makeR
    ALTERED = "altered"  # signed by a known key, but the facts were changed
    UNKNOWN_KEY = "unknown_key"  # signed by a key this installation does not trust (a forgery, or another office)
    NOT_A_CERTIFICATE = "not_a_certificate"


@dataclass(frozen=True)
class CertifiedMachine:
    model: str  # printed on the certificate; not carried by the QR (empty when read back from it)
    serial: str


@dataclass(frozen=True)
class CertificateData:
    number: str
    contract_id: int
    customer_name: str
    customer_tax_id: str
    plan_code: str
    plan_name: str
    special: bool
    invoice_number: str
    valid_from: date
    valid_to: date
    machines: tuple[CertifiedMachine, ...]
    issued_on: date
    # Read back from a shortened QR (version 2): texts may end in "…", and when the QR carries the
    # machines' count and digest instead of their serials, `machines` is empty.
    shortened: bool = False
    machine_count: int = 0  # the machines covered, when only counted (serials_digest set)
    serials_digest: str = ""

    @property
    def covered_machines(self) -> int:
        """How many machines the certificate covers, listed or only counted."""
        return self.machine_count if self.serials_digest else len(self.machines)


@dataclass(frozen=True)
class SignedCode:
    key_id: bytes
    payload: bytes
    signature: bytes


def to_payload(data: CertificateData) -> bytes:
    """The certificate's facts in full (version 1): what the office keeps, and the QR's payload when it fits."""
    return _deflate(_facts(data))


def qr_payload(data: CertificateData, full: bytes | None = None) -> bytes:
    """The facts the QR carries: `full` (default `to_payload(data)`) when its QR fits, else shortened.

    A reprint passes the stored full facts, so a certificate printed before version 2 keeps its bytes.

    Raises:
        FactsDoNotFitError: even shortened they do not fit (cannot happen with SHORTENED_TEXT_BYTES;
            kept so a later change to the caps is refused, never printed unreadable).
    """
    full = to_payload(data) if full is None else full
    if qr_text_length(full) <= MAX_QR_TEXT:
        return full
    facts = _facts(data)
    facts["v"] = SHORTENED_VERSION
    for key, limit in SHORTENED_TEXT_BYTES.items():
        facts[key] = _cut(str(facts[key]), limit)
    shortened = _deflate(facts)
    if qr_text_length(shortened) <= MAX_QR_TEXT:
        return shortened
    del facts["m"]
    facts["mn"] = len(data.machines)
    facts["mh"] = serials_digest(machine.serial for machine in data.machines)
    counted = _deflate(facts)
    if qr_text_length(counted) > MAX_QR_TEXT:
        raise FactsDoNotFitError(qr_text_length(counted))
    return counted


def qr_text_length(payload: bytes) -> int:
    """The length of the QR text that would carry this payload (key id and signature have fixed sizes)."""
    return len(CERTIFICATE_URL_PREFIX) + _KEY_ID_CHARS + 1 + len(_b64(payload)) + 1 + _SIGNATURE_CHARS


def serials_digest(serials: Iterable[str]) -> str:
    """What a shortened QR carries for the machines: the first 12 bytes of the SHA-256 of their serials,
    one per line in the certificate's order, base64url (so a page's list can be checked against it)."""
    return _b64(hashlib.sha256("\n".join(serials).encode("utf-8", "surrogatepass")).digest()[:12])


def from_payload(payload: bytes, max_bytes: int = MAX_FACTS_BYTES) -> CertificateData:
    """The facts of a version 1 or 2 payload (`max_bytes`: MAX_STORED_FACTS_BYTES for the office's own).

    Raises:
        CertificateFormatError: anything else, or a payload a newer version wrote.
    """
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(payload, max_bytes)
        if inflater.unconsumed_tail or not inflater.eof:
            raise CertificateFormatError("certificate facts too large or truncated")
        facts = json.loads(raw.decode("utf-8"))
        if not isinstance(facts, dict) or facts.get("v") not in (PAYLOAD_VERSION, SHORTENED_VERSION):
            raise CertificateFormatError("unknown certificate version")
        counted = facts["v"] == SHORTENED_VERSION and "m" not in facts
        serials = [] if counted else facts["m"]
        if not isinstance(serials, list):
            raise CertificateFormatError("machines are not a list")
        return CertificateData(
            number=str(facts["n"]),
            contract_id=int(facts["k"]),
            customer_name=str(facts["c"]),
            customer_tax_id=str(facts["t"]),
            plan_code=str(facts["p"]),
            plan_name=str(facts["pn"]),
            special=bool(facts["s"]),
            invoice_number=str(facts["f"]),
            valid_from=date.fromisoformat(facts["a"]),
            valid_to=date.fromisoformat(facts["b"]),
            machines=tuple(CertifiedMachine("", str(serial)) for serial in serials),
            issued_on=date.fromisoformat(facts["i"]),
            shortened=facts["v"] == SHORTENED_VERSION,
            machine_count=int(facts["mn"]) if counted else 0,
            serials_digest=str(facts["mh"]) if counted else "",
        )
    except (zlib.error, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, CertificateFormatError):
            raise
        raise CertificateFormatError(f"unreadable certificate facts: {exc}") from exc


def _facts(data: CertificateData) -> dict[str, object]:
    return {
        "v": PAYLOAD_VERSION,
        "n": data.number,
        "k": data.contract_id,
        "c": data.customer_name,
        "t": data.customer_tax_id,
        "p": data.plan_code,
        "pn": data.plan_name,
        "s": 1 if data.special else 0,
        "f": data.invoice_number,
        "a": data.valid_from.isoformat(),
        "b": data.valid_to.isoformat(),
        "m": [m.serial for m in data.machines],
        "i": data.issued_on.isoformat(),
    }


def _deflate(facts: dict[str, object]) -> bytes:
    try:
        text = json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (half an emoji from a broken paste) cannot be UTF-8: escaped as JSON
        # allows, it reads back the same. Other text keeps the bytes every earlier version wrote.
        text = json.dumps(facts, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode("ascii")
    return zlib.compress(text, 9)


def _json_size(text: str) -> int:
    """Bytes the text takes inside a JSON string as `_deflate` writes it (escapes counted)."""
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8")) - 2


def _cut(text: str, limit: int) -> str:
    """The text, or its start and "…", taking at most `limit` JSON bytes (never half a character).

    Lone surrogates become U+FFFD first, so the shortened facts are always plain UTF-8."""
    text = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    if _json_size(text) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode("utf-8"))
    used, kept = 0, []
    for ch in text:
        size = _json_size(ch)
        if used + size > room:
            break
        used += size
        kept.append(ch)
    return "".join(kept) + ELLIPSIS


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    if not text or any(ch not in _B64_ALPHABET for ch in text):
        raise CertificateFormatError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise CertificateFormatError("not base64url") from exc


_B64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def qr_text(code: SignedCode) -> str:
    return f"{CERTIFICATE_URL_PREFIX}{_b64(code.key_id)}.{_b64(code.payload)}.{_b64(code.signature)}"


def is_certificate_code(text: str) -> bool:
    """Whether a scanned text claims to be a certificate (it may still be forged or damaged)."""
    return text.strip().lower().startswith(CERTIFICATE_URL_PREFIX.lower())


def read_qr_text(text: str) -> SignedCode:
    """The three parts of a certificate code. Raises CertificateFormatError for any other text."""
    cleaned = text.strip()
    if not is_certificate_code(cleaned):
        raise CertificateFormatError("not a makeR certificate code")
    parts = cleaned[len(CERTIFICATE_URL_PREFIX) :].split(".")
    if len(parts) != 3:
        raise CertificateFormatError("a certificate code has three parts")
    key_id, payload, signature = (_unb64(part) for part in parts)
    if len(key_id) != 8 or len(signature) != 64:
        raise CertificateFormatError("wrong key id or signature length")
    return SignedCode(key_id, payload, signature)


def validity_verdict(data: CertificateData, today: date) -> Verdict:
    """The verdict of a genuine certificate on a given day (revocation is the services' to add)."""
    if today < data.valid_from:
        return Verdict.NOT_YET_VALID
    if today > data.valid_to:
        return Verdict.EXPIRED
    return Verdict.VALID
