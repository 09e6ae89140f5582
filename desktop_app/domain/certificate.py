"""The plan certificate (R15): what it must state, and the signed text its QR code carries.

A certificate states the plan (code, name, special or not), the invoice ("Factura"), the validity
("Vigencia") and the covered machines (model and serial), for one customer. Its QR carries those
same facts, signed with the office's Ed25519 key, so anyone can check a printed page:

    https://somosmaker.com/soporte/c/<key id>.<facts>.<signature>

each part base64url without padding. The facts are compact, canonical JSON (sorted keys, no
blanks, UTF-8; machines by serial only), deflated, so the same certificate always gives the same
bytes and a contract with many printers still fits a QR that a phone and a webcam read. The key id names the key
that signed (the first 8 bytes of the SHA-256 of its raw public key), so a page signed by an
unknown key is told apart from a page whose facts were altered.

This module only encodes and decodes; signing and checking signatures is done by the services
through their signer port.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from desktop_app.domain.qr import CERTIFICATE_PATH, LABEL_HOST

CERTIFICATE_URL_PREFIX = f"https://{LABEL_HOST}{CERTIFICATE_PATH}"
PAYLOAD_VERSION = 1
MAX_FACTS_BYTES = 64 * 1024  # a certificate's facts are a few hundred bytes; more is not ours


class CertificateFormatError(ValueError):
    """The text is not a makeR certificate code, or its facts cannot be read."""


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


@dataclass(frozen=True)
class SignedCode:
    key_id: bytes
    payload: bytes
    signature: bytes


def to_payload(data: CertificateData) -> bytes:
    facts = {
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
    text = json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return zlib.compress(text, 9)


def from_payload(payload: bytes) -> CertificateData:
    """Raises CertificateFormatError for anything but a payload this version wrote."""
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(payload, MAX_FACTS_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:
            raise CertificateFormatError("certificate facts too large or truncated")
        facts = json.loads(raw.decode("utf-8"))
        if not isinstance(facts, dict) or facts.get("v") != PAYLOAD_VERSION:
            raise CertificateFormatError("unknown certificate version")
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
            machines=tuple(CertifiedMachine("", str(serial)) for serial in facts["m"]),
            issued_on=date.fromisoformat(facts["i"]),
        )
    except (zlib.error, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, CertificateFormatError):
            raise
        raise CertificateFormatError(f"unreadable certificate facts: {exc}") from exc


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
