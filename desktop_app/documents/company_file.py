"""The company data shipped with the program (resources/certificate/company.json): what certificates
and statements print on a new installation until an administrator saves the company's own data in
Settings (then the database's, services/company.py), and the seal's ink colour (artwork, not data).

Plain JSON, no ReportLab: bootstrap.py hands `shipped_company` to the services as the default.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from desktop_app.domain.company import CompanyProfile
from desktop_app.paths import resource_path

DEFAULT_SEAL_COLOUR = "#1F3A93"


@cache
def _facts() -> dict[str, Any]:
    facts: dict[str, Any] = json.loads(resource_path("certificate", "company.json").read_text(encoding="utf-8"))
    return facts


def shipped_company() -> CompanyProfile:
    """The company data of company.json (absent fields empty)."""
    facts = _facts()
    seal = facts.get("seal", {})
    return CompanyProfile(
        legal_name=facts.get("name", ""),
        tax_id=facts.get("tax_id", ""),
        address=facts.get("address", ""),
        phone=facts.get("phone", ""),
        support_email=facts.get("email", ""),
        website=facts.get("website", ""),
        seal_ring_text=seal.get("ring_text", ""),
        seal_centre_text=seal.get("centre_text", ""),
    )


def seal_colour() -> str:
    return str(_facts().get("seal", {}).get("colour", DEFAULT_SEAL_COLOUR))
