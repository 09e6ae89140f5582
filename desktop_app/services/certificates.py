"""Plan certificates (R15): issued from a contract, signed, recorded, and verified from their QR.

Issuing records the certificate's full facts before the PDF leaves, so a reprint gives the same
page and QR, and a verification can also say whether makeR revoked it and whether the contract is
still active. The QR carries the facts in full when they fit its printed size, else shortened
(domain/certificate.py): the page always lists everything. A revoked certificate is not reprinted.
A verification never raises for what a scanner reads: it returns a verdict and a sentence.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.domain.audit import AuditEntry
from desktop_app.domain.certificate import (
    MAX_QR_TEXT,
    MAX_STORED_FACTS_BYTES,
    CertificateData,
    CertificateFormatError,
    CertifiedMachine,
    FactsDoNotFitError,
    SignedCode,
    Verdict,
    from_payload,
    is_certificate_code,
    qr_payload,
    qr_text,
    read_qr_text,
    to_payload,
    validity_verdict,
)
from desktop_app.domain.company import CompanyProfile
from desktop_app.domain.ids import ContractId, CustomerId
from desktop_app.domain.mail_templates import TemplateCode
from desktop_app.domain.model import ContractState, contract_state
from desktop_app.domain.permissions import Actor, Permission, allows
from desktop_app.domain.revocation_list import RevokedEntry, revocation_payload
from desktop_app.errors import NotFoundError, PermissionDeniedError, PolicyRefusal, UserFacingError
from desktop_app.files import check_target, staged_file
from desktop_app.formatting import format_date
from desktop_app.i18n import _
from desktop_app.services.dto import ContractSummary, StoredCertificate
from desktop_app.services.mail_dto import MailRequest
from desktop_app.services.mail_facts import spanish_date
from desktop_app.services.mail_ports import MailFile
from desktop_app.services.policy_service import PolicyService
from desktop_app.services.ports import CertificateRenderer, CertificateSigner, Clock, UnitOfWork, UnitOfWorkFactory
from desktop_app.services.text_input import clean_line, clean_text

if TYPE_CHECKING:
    from desktop_app.services.mail.outbox import MailOutbox

MAX_NUMBER_LENGTH = 30  # the stored column; "CERT-2026-00001" is 15


@dataclass(frozen=True)
class IssuedCertificate:
    """mail_id: the mail that carries the PDF to the customer (R15), None when none went (not
    asked, or the customer has no e-mail address)."""

    number: str
    data: CertificateData
    qr_text: str
    pdf: bytes
    mail_id: int | None = None


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    data: CertificateData | None  # the signed facts, when the signature holds
    contract_active: bool | None  # from this database, when it knows the contract
    message: str


@dataclass(frozen=True)
class PublishedTrust:
    """What the web verifier needs to check certificates without the office's database: the public
    keys this installation trusts (raw, its own first) and the revoked certificates, signed."""

    keys: tuple[bytes, ...]
    revoked: tuple[RevokedEntry, ...]
    revocation_list: SignedCode  # revocation_payload(revoked, made_at), signed with the office key
    made_at: datetime


class CertificateService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        policy: PolicyService,
        clock: Clock,
        signer: CertificateSigner,
        renderer: CertificateRenderer,
        company: Callable[[], CompanyProfile] | None = None,
        *,
        mail: MailOutbox | None = None,
    ) -> None:
        """company: the issuing company's data as certificates print it (services/company.py; the
        renderer's default when None). mail: the outbox the certificate's mail is queued in."""
        self._uow_factory = uow_factory
        self._policy = policy
        self._clock = clock
        self._signer = signer
        self._renderer = renderer
        self._company = company
        self._mail = mail

    @property
    def can_issue(self) -> bool:
        """Whether this installation holds the office's signing key."""
        return self._signer.can_sign

    def issue(
        self,
        contract_id: ContractId,
        *,
        actor: Actor,
        paper: str = "letter",
        out: Path | None = None,
        mail_to_customer: bool = True,
    ) -> IssuedCertificate:
        """Issue, record and audit a contract's certificate; with `out`, also write its PDF there;
        with `mail_to_customer`, the PDF goes to the customer by mail, queued in the same
        transaction (R15; nothing when the customer has no e-mail address: see `mail_id`).

        With `out` the number is used only together with the file: the PDF is written beside it
        first, given its name inside the transaction, and removed if the commit fails.

        Raises:
        UserFacingError: no signing key here; a contract without machines, expired, or unknown;
            `out` cannot be written (checked before a number is taken); facts that even shortened
            would not fit the QR (PolicyRefusal, before the number is recorded).
        """
        if not allows(actor, Permission.ISSUE_CERTIFICATES):
            raise PermissionDeniedError(_("Your role does not allow this action."))
        if out is not None:
            check_target(out)
        now = self._clock.now()
        today = self._today()
        issuer = self._issuer()
        with self._uow_factory() as uow:
            contract = uow.queries.contracts.get_summary(contract_id)
            if contract is None:
                raise NotFoundError(_("Contract {id} does not exist.").format(id=contract_id))
            refusal = self.refusal(contract)
            if refusal:
                raise UserFacingError(refusal)
            customer = uow.catalog.get_customer(contract.customer_id)
            assert customer is not None, "a contract's customer exists"
            data = CertificateData(
                number=uow.certificates.next_number(today.year),
                contract_id=int(contract.id),
                customer_name=customer.name,
                customer_tax_id=customer.tax_id,
                plan_code=contract.plan_code,
                plan_name=contract.plan_name,
                special=contract.special,
                invoice_number=contract.invoice_number,
                valid_from=contract.valid_from,
                valid_to=contract.valid_to,
                machines=tuple(CertifiedMachine(m.model_name, m.serial) for m in contract.machines),
                issued_on=today,
            )
            full = to_payload(data)
            code = self._sign(data, full)  # refused here, before anything is recorded, when it cannot fit
            text = qr_text(code)
            pdf = self._renderer.render(data, text, paper, issuer)  # before the commit: a failure records nothing
            # The full facts are kept (not only the QR's), so a reprint lists every machine again.
            uow.certificates.add(
                StoredCertificate(data.number, contract.id, now, code.key_id.hex(), full, None, ""),
                actor.user_id,
            )
            issued = {"contract_id": ("", str(contract.id)), "key_id": ("", code.key_id.hex())}
            uow.audit.record(AuditEntry(now, actor.user_id, "certificate", data.number, "issue", issued))
            mail_id = None
            if mail_to_customer and self._mail is not None:
                mail_id = self._mail.enqueue_in(
                    uow,
                    self._certificate_mail(data, pdf, actor, contract.customer_id),
                    ticket=None,
                    actor=actor,
                    now=now,
                )
            with staged_file(out, pdf) if out is not None else contextlib.nullcontext() as publish:
                if publish is not None:
                    publish()  # a failure here rolls the record back: no number without its file
                uow.commit()  # a failure here removes the published file: no file without its record
        return IssuedCertificate(data.number, data, text, pdf, mail_id)

    def _certificate_mail(
        self, data: CertificateData, pdf: bytes, actor: Actor, customer_id: CustomerId
    ) -> MailRequest:
        """R15: the certificate's mail to its customer, the PDF attached."""
        tz = self._policy.calendar().tz
        start = datetime.combine(data.valid_from, time(12), tz)
        end = datetime.combine(data.valid_to, time(12), tz)
        facts = {
            "certificate": data.number,
            "plan": data.plan_name,
            "validity": f"del {spanish_date(start, tz)} al {spanish_date(end, tz)}",
            "agent": actor.name,
        }
        attachment = MailFile(f"{data.number}.pdf", "application/pdf", pdf)
        return MailRequest(TemplateCode.CERTIFICATE, facts, (attachment,), customer_id=customer_id)

    def refusal(self, contract: ContractSummary) -> str:
        """Why this contract cannot be certified (R15), or "": a certificate lists the products it
        covers, and an ended contract is renewed before it is certified."""
        if not contract.machines:
            return _("Contract {invoice} covers no machines: a certificate must list its products.").format(
                invoice=contract.invoice_number
            )
        if contract_state(contract.valid_from, contract.valid_to, self._today()) is ContractState.EXPIRED:
            return _("Contract {invoice} ended on {date}; renew it before certifying it.").format(
                invoice=contract.invoice_number, date=format_date(contract.valid_to)
            )
        return ""

    def reprint(self, number: str, paper: str = "letter", *, actor: Actor) -> bytes:
        """The same certificate again (same facts, same QR), e.g. for a lost page; audited.

        Raises:
            PermissionDeniedError: the actor may not issue certificates.
            NotFoundError: no such certificate.
            PolicyRefusal: the certificate was revoked (a fresh copy would verify as valid wherever
                this database is not consulted).
        """
        if not allows(actor, Permission.ISSUE_CERTIFICATES):
            raise PermissionDeniedError(_("Your role does not allow this action."))
        number = self._known_number(number)
        now = self._clock.now()
        issuer = self._issuer()  # today's company data: a reprint shows the company as it is now
        with self._uow_factory() as uow:
            stored = uow.certificates.get(number)
            if stored is None:
                raise NotFoundError(_("There is no certificate {number}.").format(number=number))
            if stored.revoked_at is not None:
                revoked_on = stored.revoked_at.astimezone(self._policy.calendar().tz).date()
                raise PolicyRefusal(
                    _("Certificate {number} was revoked on {date}: {reason}; it cannot be reprinted.").format(
                        number=number, date=format_date(revoked_on), reason=stored.revoked_reason
                    )
                )
            data = self._with_models(uow, from_payload(stored.payload, MAX_STORED_FACTS_BYTES))
            # From the stored facts as they are: a certificate issued before shortened QRs existed
            # gets its very bytes signed again (Ed25519 is deterministic: the same signature).
            pdf = self._renderer.render(data, qr_text(self._sign(data, stored.payload)), paper, issuer)
            reprinted = {"paper": ("", paper)}
            uow.audit.record(AuditEntry(now, actor.user_id, "certificate", number, "reprint", reprinted))
            uow.commit()
        return pdf

    def published_trust(self) -> PublishedTrust:
        """The keys and the signed list of revoked certificates the web verifier publishes (R15).

        Raises:
            UserFacingError: this installation has no signing key (the list must be signed with it).
        """
        if not self._signer.can_sign:
            raise UserFacingError(
                _(
                    "Publishing the certificate verifier needs this office's signing key, which signs the list "
                    "of revoked certificates. The office creates it once with “makersupport certificate keygen”."
                )
            )
        now = self._clock.now()
        tz = self._policy.calendar().tz
        with self._uow_factory() as uow:
            revoked = tuple(
                RevokedEntry(c.number, c.revoked_at.astimezone(tz).date())
                for c in uow.certificates.revoked()
                if c.revoked_at is not None
            )
        made_at = now.astimezone(tz)
        signed = self._signer.sign(revocation_payload(revoked, made_at))
        return PublishedTrust(tuple(self._signer.trusted_public_keys()), revoked, signed, made_at)

    def for_contract(self, contract_id: ContractId) -> list[StoredCertificate]:
        with self._uow_factory() as uow:
            return uow.certificates.for_contract(contract_id)

    def revoke(self, number: str, reason: str, *, actor: Actor) -> None:
        if not allows(actor, Permission.ISSUE_CERTIFICATES):
            raise PermissionDeniedError(_("Your role does not allow this action."))
        reason = clean_text(reason).strip()  # no NUL nor lone surrogate reaches the database
        if not reason:
            raise UserFacingError(_("Say why the certificate is revoked."))
        number = self._known_number(number)
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.certificates.revoke(number, now, reason)
            revoked = {"revoked_reason": ("", reason)}
            uow.audit.record(AuditEntry(now, actor.user_id, "certificate", number, "revoke", revoked))
            uow.commit()

    @staticmethod
    def is_certificate_text(text: str) -> bool:
        """Whether a scanned code is a makeR certificate's (to verify), not a machine label."""
        return is_certificate_code(text)

    def verify(self, text: str) -> Verification:
        """What a scanned certificate QR says, checked: never raises for any text."""
        try:
            code = read_qr_text(text)
        except CertificateFormatError:
            return Verification(Verdict.NOT_A_CERTIFICATE, None, None, _("This is not a makeR certificate code."))
        genuine = self._signer.verify(code)
        if genuine is None:
            return Verification(
                Verdict.UNKNOWN_KEY,
                None,
                None,
                _("Not valid: the certificate was signed with a key makeR does not recognise (possibly forged)."),
            )
        if not genuine:
            return Verification(
                Verdict.ALTERED, None, None, _("Not valid: the certificate's facts were altered after it was signed.")
            )
        try:
            data = from_payload(code.payload)
        except CertificateFormatError:
            return Verification(
                Verdict.NOT_A_CERTIFICATE,
                None,
                None,
                _("The certificate was made by a newer version of makeR Soporte; update this one to read it."),
            )
        with self._uow_factory() as uow:
            stored = uow.certificates.get(data.number)
            contract = uow.queries.contracts.get_summary(ContractId(data.contract_id)) if stored is not None else None
        today = self._today()
        active = None
        if contract is not None:
            active = contract_state(contract.valid_from, contract.valid_to, today).in_force
        verdict = validity_verdict(data, today)
        if stored is not None and stored.revoked_at is not None:
            verdict = Verdict.REVOKED
        message = self._message(verdict, data, stored)
        if data.shortened:
            message += "\n" + self._shortened_note(data)
        return Verification(verdict, data, active, message)

    # -- internals -------------------------------------------------------------------------------

    def _issuer(self) -> CompanyProfile | None:
        return self._company() if self._company is not None else None

    @staticmethod
    def _known_number(number: str) -> str:
        """A typed or pasted certificate number made fit to look up (one line, no control characters).

        Raises:
            NotFoundError: nothing left, or longer than any number issued.
        """
        cleaned = clean_line(number)
        if not cleaned or len(cleaned) > MAX_NUMBER_LENGTH:
            shown = cleaned[:MAX_NUMBER_LENGTH] + ("…" if len(cleaned) > MAX_NUMBER_LENGTH else "")
            raise NotFoundError(_("There is no certificate {number}.").format(number=shown))
        return cleaned

    def _sign(self, data: CertificateData, full: bytes) -> SignedCode:
        """The QR's signed code for these facts (in full, or shortened to fit its printed size).

        Raises:
            PolicyRefusal: even shortened they would not fit.
        """
        try:
            payload = qr_payload(data, full)
        except FactsDoNotFitError as exc:
            raise PolicyRefusal(
                _(
                    "The contract's facts do not fit in a certificate QR: {length} characters, "
                    "at most {limit} can be printed legibly."
                ).format(length=exc.length, limit=MAX_QR_TEXT)
            ) from exc
        return self._signer.sign(payload)

    @staticmethod
    def _shortened_note(data: CertificateData) -> str:
        """What a shortened QR leaves to the printed page."""
        if data.serials_digest:
            return _(
                "This code carries the facts shortened: {n} machines by their count and a digest of their "
                "serials ({digest}); the printed page lists them."
            ).format(n=data.machine_count, digest=data.serials_digest)
        return _("This code carries the facts shortened (texts ending in …); the printed page has them in full.")

    @staticmethod
    def _with_models(uow: UnitOfWork, data: CertificateData) -> CertificateData:
        """The QR carries serials only; the page also prints each machine's model (one query)."""
        serials = [machine.serial for machine in data.machines]
        labels = uow.queries.machines.labels(None, serials) if serials else []
        models = {label.serial: label.model_name for label in labels}
        machines = tuple(CertifiedMachine(models.get(m.serial, m.model), m.serial) for m in data.machines)
        return replace(data, machines=machines)

    def _today(self) -> date:
        return self._clock.now().astimezone(self._policy.calendar().tz).date()

    @staticmethod
    def _message(verdict: Verdict, data: CertificateData, stored: StoredCertificate | None) -> str:
        if verdict is Verdict.VALID:
            return _("Valid certificate · {plan} · in force until {date}").format(
                plan=data.plan_name, date=format_date(data.valid_to)
            )
        if verdict is Verdict.EXPIRED:
            return _("Genuine certificate, but expired on {date}.").format(date=format_date(data.valid_to))
        if verdict is Verdict.NOT_YET_VALID:
            return _("Genuine certificate, in force from {date}.").format(date=format_date(data.valid_from))
        reason = stored.revoked_reason if stored else ""
        return _("Revoked by makeR: {reason}").format(reason=reason)
