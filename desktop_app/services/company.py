"""The company's own data (legal name, NIT, address, phone, support e-mail, web site, the seal's
texts), which certificates (R15) and statements print, and the signing key they are signed with.

Decision: the database holds the company data; until an administrator first saves it (a new
installation) the data shipped with the program is shown and printed (`defaults`, wired by
bootstrap.py from resources/certificate/company.json). Only administrators change it; every change
is audited field by field (R18).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime

from desktop_app.domain.audit import AuditEntry, diff
from desktop_app.domain.company import COMPANY_FIELDS, CompanyProfile, company_problems, key_fingerprint
from desktop_app.domain.nit import nit_problem, normalise_nit
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.errors import PermissionDeniedError, UserFacingError
from desktop_app.i18n import _
from desktop_app.services.ports import CertificateSigner, Clock, UnitOfWorkFactory
from desktop_app.services.text_input import clean_line
from desktop_app.wording import company_problems_text


@dataclass(frozen=True)
class SigningKeyInfo:
    """The public part of this installation's certificate key, for people to compare."""

    can_issue: bool  # this installation holds the private key and can sign certificates
    key_id: str  # hex, as certificates' QR codes name the key ("" without a key)
    fingerprint: str  # SHA-256 of the raw public key, in groups of four ("" without a key)
    public_key_hex: str  # the raw public key ("" without a key)


@dataclass(frozen=True)
class CompanyPage:
    profile: CompanyProfile
    saved: bool  # False: nobody saved it yet; the shipped defaults are shown and printed
    version: int | None
    updated_at: datetime | None
    updated_by_name: str
    key: SigningKeyInfo
    editable: bool  # the person may change it (administrators)


class CompanyService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        signer: CertificateSigner,
        defaults: Callable[[], CompanyProfile],
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._signer = signer
        self._defaults = defaults

    def profile(self) -> CompanyProfile:
        """What certificates and statements print now."""
        with self._uow_factory() as uow:
            stored = uow.company.get()
        return stored.profile if stored is not None else self._defaults()

    def is_saved(self) -> bool:
        """Whether an administrator saved the company data (the first-run guide asks)."""
        with self._uow_factory() as uow:
            return uow.company.get() is not None

    def page(self, actor: Actor) -> CompanyPage:
        if not allows(actor, Permission.VIEW):
            raise PermissionDeniedError(_("Your role does not allow this action."))
        with self._uow_factory() as uow:
            stored = uow.company.get()
        editable = allows(actor, Permission.EDIT_COMPANY)
        if stored is None:
            return CompanyPage(self._defaults(), False, None, None, "", self.signing_key(), editable)
        return CompanyPage(
            stored.profile,
            True,
            stored.version,
            stored.updated_at,
            stored.updated_by_name,
            self.signing_key(),
            editable,
        )

    def signing_key(self) -> SigningKeyInfo:
        raw = self._signer.public_key()
        if raw is None:
            return SigningKeyInfo(False, "", "", "")

        return SigningKeyInfo(True, hashlib.sha256(raw).digest()[:8].hex(), key_fingerprint(raw), raw.hex())

    def save(self, profile: CompanyProfile, *, actor: Actor, expected_version: int | None) -> CompanyPage:
        """Save the company data (administrators; audited field by field).

        Args:
            expected_version: the version the form was read at; None when it showed the defaults.

        Raises:
            PermissionDeniedError: not an administrator.
            UserFacingError: every problem of the form at once (a NIT with a wrong check digit
                says which digit it should be).
            ConflictError: someone saved meanwhile; nothing saved.
        """
        if not allows(actor, Permission.EDIT_COMPANY):
            raise PermissionDeniedError(_("Only an administrator can change the company data."))
        cleaned = replace(profile, **{f.name: clean_line(getattr(profile, f.name)) for f in fields(profile)})
        lines = []
        nit = nit_problem(cleaned.tax_id)
        if nit is not None:
            lines.append(nit)  # names the digit it should be
        else:
            cleaned = replace(cleaned, tax_id=normalise_nit(cleaned.tax_id))
        problems = tuple(p for p in company_problems(cleaned) if nit is None or p[1] != "tax_id")
        if problems:
            lines.append(company_problems_text(problems))
        if lines:
            raise UserFacingError("\n".join(lines))
        now = self._clock.now()
        with self._uow_factory() as uow:
            stored = uow.company.get()
            before = stored.profile if stored is not None else None
            uow.company.save(cleaned, at=now, by=actor.user_id, expected_version=expected_version)
            if before is None:
                action, changes = "create", {name: ("", getattr(cleaned, name)) for name in COMPANY_FIELDS}
            else:
                action, changes = "update", diff(before, cleaned, COMPANY_FIELDS)
            if changes:
                uow.audit.record(AuditEntry(now, actor.user_id, "company", "1", action, changes))
            uow.commit()
        return self.page(actor)
