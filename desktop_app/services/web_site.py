"""The facts makeR's public support pages are made from (`makersupport web export`, desktop_app/web).

The pages behind the QR codes are static: the company's support address and phone, the policy in
force (plans, response times, working hours), the public keys that verify certificates and the
signed list of revoked ones are read here once, when the site is exported, and written into it.
Reads only; the revocation list is signed with the office's key (services/certificates.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.domain.company import CompanyProfile
from desktop_app.domain.policy import PolicySettings
from desktop_app.services.certificates import CertificateService, PublishedTrust
from desktop_app.services.policy_service import PolicyService


@dataclass(frozen=True)
class WebSiteFacts:
    company: CompanyProfile
    policy: PolicySettings
    policy_version: int | None
    trust: PublishedTrust


class WebSiteService:
    def __init__(
        self, certificates: CertificateService, policy: PolicyService, company: Callable[[], CompanyProfile]
    ) -> None:
        self._certificates = certificates
        self._policy = policy
        self._company = company

    def facts(self) -> WebSiteFacts:
        """Everything the site states, as of now.

        Raises:
            UserFacingError: this installation has no signing key (see CertificateService.published_trust).
        """
        trust = self._certificates.published_trust()  # refused first: nothing else is worth reading then
        policy = self._policy.reload()  # another desk may have saved a newer version
        return WebSiteFacts(self._company(), policy, self._policy.version(), trust)
