"""R15: certificates issued from contracts, signed, and verified from the printed page's QR."""

from __future__ import annotations

import subprocess
import zlib
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest

from desktop_app.devices.qr_decoder import default_chain, pdf_pages
from desktop_app.domain.certificate import Verdict, qr_text, read_qr_text
from desktop_app.domain.ids import ContractId, CustomerId, PlanCode
from desktop_app.domain.model import Contract
from desktop_app.errors import PermissionDeniedError, UserFacingError
from desktop_app.signing import Ed25519CertificateSigner, generate_keys
from tests.integration.world import World, bogota


@pytest.fixture
def office(world: World) -> World:
    """The world with this installation's signing key made, as `certificate keygen` does."""
    generate_keys(world.services.settings.keys_dir)
    return world


def _issue(w: World, contract: str = "c_uni"):  # type: ignore[no-untyped-def]
    return w.services.certificates.issue(ContractId(w.ids[contract]), actor=w.actor("carolina.rojas"))


def _qr_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "certificado.pdf"
    path.write_bytes(pdf)
    [text] = default_chain().decode_file(path)
    return text


def test_r15_the_certificate_states_plan_invoice_validity_and_machines(office: World, tmp_path: Path) -> None:
    issued = _issue(office)
    assert issued.number == "CERT-2026-00001" and issued.pdf.startswith(b"%PDF")
    path = tmp_path / "certificado.pdf"
    path.write_bytes(issued.pdf)
    words = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for expected in (
        "3D makeR Technologies SAS",
        "CERTIFICADO DE PLAN DE SOPORTE TÉCNICO",
        "Universidad del Norte",
        "Profesional",
        "Factura",
        "FE-c_uni",
        "Vigencia",
        "1 ene 2026",
        "30 jun 2027",
        "MK-M3-UNI_M3",
        "CERT-2026-00001",
    ):
        assert expected in words, expected
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert [line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")] == ["1"]


def test_r15_the_qr_on_the_page_verifies_and_shows_the_signed_facts(office: World, tmp_path: Path) -> None:
    issued = _issue(office)
    text = _qr_of(issued.pdf, tmp_path)
    assert text == issued.qr_text
    result = office.services.certificates.verify(text)
    assert result.verdict is Verdict.VALID and result.contract_active is True
    assert result.data is not None and result.data.invoice_number == "FE-c_uni"
    assert [m.serial for m in result.data.machines] == ["MK-M3-UNI_M3"]
    assert "Profesional" in result.message and "30 jun 2027" in result.message


def test_r15_a_photo_of_the_printed_page_verifies(office: World, tmp_path: Path) -> None:
    issued = _issue(office)
    path = tmp_path / "certificado.pdf"
    path.write_bytes(issued.pdf)
    page = pdf_pages(path)[0]
    height, width = page.shape
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    tilted = np.float32([[40, 60], [width - 90, 10], [width - 20, height - 30], [10, height - 80]])
    photo = cv2.warpPerspective(page, cv2.getPerspectiveTransform(corners, tilted), (width, height), borderValue=200)
    photo = cv2.GaussianBlur(photo, (0, 0), 0.8)
    photo_path = tmp_path / "foto del certificado.jpg"
    cv2.imwrite(str(photo_path), photo, [cv2.IMWRITE_JPEG_QUALITY, 80])
    [text] = default_chain().decode_file(photo_path)
    assert office.services.certificates.verify(text).verdict is Verdict.VALID


def test_r15_rendering_is_deterministic_and_a_reprint_is_the_same_page(office: World) -> None:
    issued = _issue(office)
    assert office.services.certificates.reprint(issued.number) == issued.pdf


def test_r15_altered_facts_a_foreign_key_expiry_and_revocation_are_told_apart(office: World, tmp_path: Path) -> None:
    certificates = office.services.certificates
    issued = _issue(office)
    code = read_qr_text(issued.qr_text)
    forged_facts = zlib.compress(zlib.decompress(code.payload).replace(b"FE-c_uni", b"FE-c_xxx"))
    altered = certificates.verify(qr_text(type(code)(code.key_id, forged_facts, code.signature)))
    assert altered.verdict is Verdict.ALTERED and altered.data is None
    other_office = tmp_path / "otra-oficina"
    generate_keys(other_office)
    forger = Ed25519CertificateSigner(other_office / "certificate-signing.key", [])
    assert certificates.verify(qr_text(forger.sign(forged_facts))).verdict is Verdict.UNKNOWN_KEY
    assert certificates.verify("https://example.com/x").verdict is Verdict.NOT_A_CERTIFICATE
    assert certificates.verify("https://somosmaker.com/soporte/c/!!.??.**").verdict is Verdict.NOT_A_CERTIFICATE
    office.clock.set(bogota(2027, 7, 1, 9, 0))
    expired = certificates.verify(issued.qr_text)
    assert expired.verdict is Verdict.EXPIRED and expired.contract_active is False
    office.clock.set(bogota(2026, 12, 2, 9, 0))
    certificates.revoke(issued.number, "Factura anulada", actor=office.actor("carolina.rojas"))
    revoked = certificates.verify(issued.qr_text)
    assert revoked.verdict is Verdict.REVOKED and "Factura anulada" in revoked.message


def test_r15_certificates_are_refused_with_the_reason(world: World) -> None:
    certificates = world.services.certificates
    with pytest.raises(UserFacingError, match="keygen"):
        _issue(world)  # no signing key in this installation yet
    generate_keys(world.services.settings.keys_dir)
    with pytest.raises(UserFacingError, match="ya tiene una clave de firma"):
        generate_keys(world.services.settings.keys_dir)
    with world.services.uow_factory() as uow:
        empty = uow.contracts.add(
            Contract(
                CustomerId(world.ids["uni"]),
                PlanCode("basico"),
                "FE-vacio",
                date(2026, 1, 1),
                date(2026, 12, 31),
                1,
                (),
            )
        )
        uow.commit()
    with pytest.raises(UserFacingError, match="FE-vacio"):
        certificates.issue(ContractId(int(empty.id)), actor=world.actor("admin"))  # type: ignore[arg-type]
    world.clock.set(bogota(2027, 7, 2, 9, 0))
    with pytest.raises(UserFacingError, match="renuévelo"):
        _issue(world)
    with pytest.raises(PermissionDeniedError):
        certificates.issue(ContractId(world.ids["c_uni"]), actor=world.actor("laura"))
    assert certificates.for_contract(ContractId(world.ids["c_uni"])) == []  # nothing half-issued


def test_r15_a_contract_with_many_printers_gets_a_readable_qr_and_an_annex(world: World, tmp_path: Path) -> None:
    from desktop_app.domain.ids import ModelCode
    from desktop_app.domain.model import Machine

    generate_keys(world.services.settings.keys_dir)
    with world.services.uow_factory() as uow:
        machines = tuple(
            uow.catalog.add_machine(
                Machine(
                    f"MK-M3-26{n:04d}",
                    f"MK-M3-26{n:04d}",
                    ModelCode("M3"),
                    CustomerId(world.ids["uni"]),
                    date(2026, 2, 1),
                    date(2027, 2, 1),
                )
            ).id
            for n in range(40)
        )
        contract = uow.contracts.add(
            Contract(
                CustomerId(world.ids["uni"]),
                PlanCode("premium"),
                "FE-40",
                date(2026, 2, 1),
                date(2027, 1, 31),
                1,
                machines,
            )  # type: ignore[arg-type]
        )
        uow.commit()
    issued = world.services.certificates.issue(contract.id, actor=world.actor("admin"))  # type: ignore[arg-type]
    assert len(issued.qr_text) < 600  # deflated facts: a dense but readable code
    path = tmp_path / "cuarenta.pdf"
    path.write_bytes(issued.pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert [line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")] == ["2"]
    words = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert all(f"MK-M3-26{n:04d}" in words for n in range(40)) and "anexo" in words
    [text] = default_chain().decode_file(path)
    result = world.services.certificates.verify(text)
    assert result.verdict is Verdict.VALID and result.data is not None and len(result.data.machines) == 40


def test_r15_the_same_certificate_renders_to_the_same_bytes(office: World) -> None:
    from desktop_app.devices.qr_encoder import qr_modules
    from desktop_app.documents.certificate_pdf import PAPER_SIZES, render_certificate

    issued = _issue(office)
    for paper in ("letter", "a4"):
        first = render_certificate(issued.data, issued.qr_text, PAPER_SIZES[paper], qr_modules)
        assert render_certificate(issued.data, issued.qr_text, PAPER_SIZES[paper], qr_modules) == first
    assert render_certificate(issued.data, issued.qr_text, PAPER_SIZES["letter"], qr_modules) == issued.pdf
