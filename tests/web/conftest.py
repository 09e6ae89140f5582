"""Shared by the web export's tests: a site built from sample facts, without a database."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from desktop_app.domain.company import CompanyProfile
from desktop_app.domain.policy import DEFAULT_POLICY
from desktop_app.domain.revocation_list import RevokedEntry, revocation_payload
from desktop_app.paths import resource_path
from desktop_app.services.certificates import PublishedTrust
from desktop_app.services.web_site import WebSiteFacts
from desktop_app.signing import PRIVATE_KEY_NAME, Ed25519CertificateSigner, generate_keys
from desktop_app.web.site import SiteFiles, build_site

MADE_AT = datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("America/Bogota"))


@pytest.fixture(scope="session")
def signer(tmp_path_factory: pytest.TempPathFactory) -> Ed25519CertificateSigner:
    folder = tmp_path_factory.mktemp("llaves")
    generate_keys(folder)
    return Ed25519CertificateSigner(folder / PRIVATE_KEY_NAME, [resource_path("keys")])


@pytest.fixture(scope="session")
def files(signer: Ed25519CertificateSigner) -> SiteFiles:
    revoked = (RevokedEntry("CERT-2026-00007", date(2026, 11, 30)),)
    trust = PublishedTrust(
        tuple(signer.trusted_public_keys()), revoked, signer.sign(revocation_payload(revoked, MADE_AT)), MADE_AT
    )
    company = CompanyProfile(
        '3D makeR <script>alert("x")</script> & Cía',
        "900123456-8",
        "Cra 53 # 80-100, Barranquilla",
        "+57 605 385 0000",
        "soporte@somosmaker.com",
        "somosmaker.com",
        "3D MAKER",
        "SOPORTE",
    )
    return build_site(WebSiteFacts(company, DEFAULT_POLICY, 3, trust))
