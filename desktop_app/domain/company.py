"""The company's own data, printed on certificates (R15) and statements: its legal name, NIT,
address, phone, support e-mail, web site and the texts of its round seal.

Checked as a whole, every problem named at once. The NIT's check digit is the DIAN's
(domain/nit.py); the service words that problem with `nit_problem`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, fields
from enum import StrEnum

# The stored columns (persistence/tables.py); the seal's texts are bounded by what the seal holds.
FIELD_LENGTHS = {
    "legal_name": 200,
    "tax_id": 30,
    "address": 200,
    "phone": 40,
    "support_email": 200,
    "website": 120,
    "seal_ring_text": 40,  # around the ring: more letters would overlap
    "seal_centre_text": 24,  # one line inside the inner ring
}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class CompanyProfile:
    legal_name: str
    tax_id: str  # stored as "900123456-7" (domain/nit.py)
    address: str
    phone: str
    support_email: str
    website: str
    seal_ring_text: str
    seal_centre_text: str


COMPANY_FIELDS = tuple(f.name for f in fields(CompanyProfile))


class CompanyProblem(StrEnum):
    LEGAL_NAME_MISSING = "legal_name_missing"
    EMAIL = "email"
    SEAL_RING_MISSING = "seal_ring_missing"
    TOO_LONG = "too_long"  # one problem per field (`company_problems` gives the field)


def company_problems(profile: CompanyProfile) -> tuple[tuple[CompanyProblem, str], ...]:
    """(problem, field) for every problem of the record but the NIT's, in the form's order."""
    problems: list[tuple[CompanyProblem, str]] = []
    for name in COMPANY_FIELDS:
        if len(getattr(profile, name)) > FIELD_LENGTHS[name]:
            problems.append((CompanyProblem.TOO_LONG, name))
    if not profile.legal_name:
        problems.append((CompanyProblem.LEGAL_NAME_MISSING, "legal_name"))
    if not _EMAIL.fullmatch(profile.support_email):
        problems.append((CompanyProblem.EMAIL, "support_email"))
    if not profile.seal_ring_text:
        problems.append((CompanyProblem.SEAL_RING_MISSING, "seal_ring_text"))
    return tuple(problems)


def key_fingerprint(raw_public_key: bytes) -> str:
    """The SHA-256 of a raw public key in groups of four hex digits, as people compare it read aloud
    or on paper ("3f2a 91c0 …")."""
    digest = hashlib.sha256(raw_public_key).hexdigest().upper()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))
