"""The published list of revoked certificates (R15): what the web verifier checks a certificate against.

The office signs the list with the key that signs certificates, so the page behind the QR
(`makersupport web export`) can tell a list makeR published from one somebody edited on the web host.
The signed bytes are compact, canonical JSON (sorted keys, no blanks, UTF-8):

    {"at":"2026-12-02T09:00:00-05:00","r":[["CERT-2026-00007","2026-11-30"], …],"v":1}

`at` is when the list was made; `r` holds each revoked certificate's number and the day it was revoked
(Colombia time), sorted by number. The reason stays in the office: it may name the customer's affairs.

This module only encodes and decodes; signing is the services' (through their signer port).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

REVOCATION_LIST_VERSION = 1


class RevocationListError(ValueError):
    """The bytes are not a revocation list this version can read."""


@dataclass(frozen=True)
class RevokedEntry:
    number: str
    revoked_on: date


@dataclass(frozen=True)
class RevocationList:
    made_at: datetime
    entries: tuple[RevokedEntry, ...]

    def revoked(self, number: str) -> RevokedEntry | None:
        return next((entry for entry in self.entries if entry.number == number), None)


def revocation_payload(entries: Iterable[RevokedEntry], made_at: datetime) -> bytes:
    """The bytes the office signs. Raises ValueError for a naive `made_at`."""
    if made_at.tzinfo is None:
        raise ValueError("made_at must carry its offset")
    rows = sorted({(e.number, e.revoked_on.isoformat()) for e in entries})
    facts = {"v": REVOCATION_LIST_VERSION, "at": made_at.isoformat(timespec="seconds"), "r": [list(r) for r in rows]}
    return json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def read_revocation_payload(payload: bytes) -> RevocationList:
    """The list the bytes hold (after their signature was checked). Raises RevocationListError."""
    try:
        facts = json.loads(payload.decode("utf-8"))
        if not isinstance(facts, dict) or facts.get("v") != REVOCATION_LIST_VERSION:
            raise RevocationListError("unknown revocation list version")
        entries = tuple(RevokedEntry(str(number), date.fromisoformat(day)) for number, day in facts["r"])
        made_at = datetime.fromisoformat(facts["at"])
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, RevocationListError):
            raise
        raise RevocationListError(f"unreadable revocation list: {exc}") from exc
    if made_at.tzinfo is None:
        raise RevocationListError("the list's time has no offset")
    return RevocationList(made_at, entries)
