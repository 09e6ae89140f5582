"""R15: certificates issued from contracts, signed, and verified from the printed page's QR."""

from __future__ import annotations

import random
import re
import subprocess
import zlib
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest

from desktop_app.devices.qr_decoder import default_chain, pdf_pages
from desktop_app.domain.certificate import MAX_QR_TEXT, Verdict, qr_text, read_qr_text, serials_digest
from desktop_app.domain.ids import ContractId, CustomerId, PlanCode
from desktop_app.domain.model import Contract
from desktop_app.errors import PermissionDeniedError, PolicyRefusal, UserFacingError
from desktop_app.services.dto import StoredCertificate
from desktop_app.signing import Ed25519CertificateSigner, generate_keys
from desktop_app.wording.records import audit_action_label
from tests.integration.world import World, bogota

MM = 72 / 25.4  # points in a millimetre


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
    assert office.services.certificates.reprint(issued.number, actor=office.actor("carolina.rojas")) == issued.pdf


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
    with pytest.raises(UserFacingError, match="ya tiene una llave de firma"):
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


# -- Issue 12: facts that do not fit a printed QR, certificates made before, and reprint rules ------------------------

# Letters a customer's name may hold (all in the certificate's font), so a long name stays long once deflated.
_LETTERS = "abcdefghijklmnopqrstuvwxyzáéíóúñüÁÉÍÓÚÑØøÆæßçàèìòùâêîôûĉĝŝαβγδεζηθλμπσωДЖЗИЛФЦЧШЩЮЯ"


def _long_name(length: int) -> str:
    rng = random.Random(15)
    words = []
    while sum(len(w) + 1 for w in words) < length:
        words.append("".join(rng.choice(_LETTERS) for _ in range(rng.randint(2, 11))))
    return ("Universidad " + " ".join(words))[:length].rstrip()


def _customer_contract(w: World, name: str, serials: list[str]) -> ContractId:
    """A customer of that name with those machines, under one Premium contract."""
    from desktop_app.domain.ids import ModelCode
    from desktop_app.domain.model import Customer, CustomerKind, Machine

    with w.services.uow_factory() as uow:
        customer = uow.catalog.add_customer(
            Customer(name, CustomerKind.UNIVERSITY, "Barranquilla", "900999888-1", "u@x.co", "1", True, True)
        )
        machines = tuple(
            uow.catalog.add_machine(
                Machine(serial, serial, ModelCode("M3"), customer.id, date(2026, 2, 1), date(2027, 2, 1))  # type: ignore[arg-type]
            ).id
            for serial in serials
        )
        contract = uow.contracts.add(
            Contract(customer.id, PlanCode("premium"), "FE-largo", date(2026, 2, 1), date(2027, 1, 31), 1, machines)  # type: ignore[arg-type]
        )
        uow.commit()
    return ContractId(int(contract.id))  # type: ignore[arg-type]


def _printed_qr(pdf: bytes, tmp_path: Path) -> list[str]:
    """The codes read from the first page printed at 150 dpi (pdftoppm), as a scan of the paper would be."""
    path = tmp_path / "certificado.pdf"
    path.write_bytes(pdf)
    first_page = ["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", "-singlefile"]
    subprocess.run([*first_page, str(path), str(tmp_path / "p1")], check=True)
    return default_chain().decode_file(tmp_path / "p1.png")


def _words(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "palabras.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _assert_nothing_overflows(pdf: bytes, tmp_path: Path) -> None:
    """Every word inside the page's right margin, and none on the first page's QR."""
    path = tmp_path / "cajas.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for number, page in enumerate(html.split("<page ")[1:]):
        width, height = (float(v) for v in re.search(r'width="([\d.]+)" height="([\d.]+)"', page).groups())  # type: ignore[union-attr]
        qr_left, qr_top, qr_bottom = width - (22 + 48) * MM, height - (28 + 4 + 48) * MM, height - (28 + 4) * MM
        for _x_min, y_min, x_max, y_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page
        ):
            assert float(x_max) <= width - 18 * MM, (number, word)  # the text's edge is at 22 mm
            on_qr = float(x_max) > qr_left and float(y_max) > qr_top and float(y_min) < qr_bottom
            assert number > 0 or not on_qr, word


def test_R15_a_customer_name_of_5000_characters_is_certified_and_its_printed_qr_verifies(
    office: World, backend: str, tmp_path: Path
) -> None:
    # PostgreSQL keeps names of at most 200 characters (its column): those still travel in full.
    name = _long_name(5000 if backend == "sqlite" else 200)
    contract = _customer_contract(office, name, ["MK-M3-LARGO1"])
    issued = office.services.certificates.issue(contract, actor=office.actor("carolina.rojas"))
    assert len(issued.qr_text) <= MAX_QR_TEXT
    assert _printed_qr(issued.pdf, tmp_path) == [issued.qr_text]
    result = office.services.certificates.verify(issued.qr_text)
    assert result.verdict is Verdict.VALID and result.data is not None
    carried = result.data.customer_name
    if backend == "sqlite":
        assert result.data.shortened and "resumidos" in result.message
        assert carried.endswith("…") and name.startswith(carried[:-1]) and len(carried) < len(name)
    else:
        assert carried == name and not result.data.shortened
    assert [m.serial for m in result.data.machines] == ["MK-M3-LARGO1"]  # what still fits travels
    pages = re.sub(r"Anexo al certificado CERT-\d{4}-\d{5}", "", _words(issued.pdf, tmp_path))
    assert "".join(name.split()) in "".join(pages.split())  # the page and its annex have it all
    _assert_nothing_overflows(issued.pdf, tmp_path)
    reprint = office.services.certificates.reprint(issued.number, actor=office.actor("carolina.rojas"))
    assert reprint == issued.pdf  # the full facts were kept: the same page and the same QR again


def test_R15_a_contract_with_400_machines_is_certified_with_their_count_and_digest_in_the_qr(
    office: World, tmp_path: Path
) -> None:
    serials = [f"MK-M3-{n:08d}" for n in random.Random(400).sample(range(10**8), 400)]
    contract = _customer_contract(office, "Universidad de los Andes", serials)
    issued = office.services.certificates.issue(contract, actor=office.actor("carolina.rojas"))
    assert len(issued.qr_text) <= MAX_QR_TEXT
    assert _printed_qr(issued.pdf, tmp_path) == [issued.qr_text]
    result = office.services.certificates.verify(issued.qr_text)
    assert result.verdict is Verdict.VALID and result.data is not None
    assert result.data.machines == () and result.data.covered_machines == 400
    printed = [machine.serial for machine in issued.data.machines]  # in the page's order
    assert sorted(printed) == sorted(serials)
    assert result.data.serials_digest == serials_digest(printed)  # a page's list can be checked against it
    assert "400" in result.message
    words = _words(issued.pdf, tmp_path)
    assert all(serial in words for serial in serials)  # every machine on the page or its annex
    _assert_nothing_overflows(issued.pdf, tmp_path)


def test_R15_facts_that_cannot_fit_even_shortened_are_refused_before_a_number_is_used(
    office: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import desktop_app.domain.certificate as certificate

    monkeypatch.setattr(certificate, "MAX_QR_TEXT", 300)  # smaller than any code: nothing fits
    with pytest.raises(PolicyRefusal, match="no caben en el QR"):
        _issue(office)
    assert office.services.certificates.for_contract(ContractId(office.ids["c_uni"])) == []
    monkeypatch.undo()
    assert _issue(office).number == "CERT-2026-00001"  # the refused attempt used no number


def test_R15_a_certificate_issued_before_shortened_qrs_still_verifies_and_reprints_the_same_qr(
    office: World, tmp_path: Path
) -> None:
    """Version 1 facts, byte for byte as the earlier program wrote and recorded them."""
    with office.services.uow_factory() as uow:
        tax_id = uow.catalog.get_customer(CustomerId(office.ids["uni"])).tax_id  # type: ignore[union-attr]
    facts = (
        '{"a":"2026-01-01","b":"2027-06-30","c":"Universidad del Norte","f":"FE-c_uni","i":"2026-11-20",'
        f'"k":{office.ids["c_uni"]},"m":["MK-M3-UNI_M3"],"n":"CERT-2026-00007","p":"profesional",'
        f'"pn":"Profesional","s":0,"t":"{tax_id}","v":1}}'
    )
    payload = zlib.compress(facts.encode("utf-8"), 9)
    signer = Ed25519CertificateSigner(office.services.settings.keys_dir / "certificate-signing.key", [])
    printed_then = qr_text(signer.sign(payload))
    with office.services.uow_factory() as uow:
        uow.certificates.add(
            StoredCertificate(
                "CERT-2026-00007",
                ContractId(office.ids["c_uni"]),
                bogota(2026, 11, 20, 10, 0),
                read_qr_text(printed_then).key_id.hex(),
                payload,
                None,
                "",
            ),
            None,
        )
        uow.commit()
    result = office.services.certificates.verify(printed_then)
    assert result.verdict is Verdict.VALID and result.data is not None and not result.data.shortened
    assert result.data.customer_name == "Universidad del Norte"
    assert [m.serial for m in result.data.machines] == ["MK-M3-UNI_M3"]
    pdf = office.services.certificates.reprint("CERT-2026-00007", actor=office.actor("carolina.rojas"))
    assert _printed_qr(pdf, tmp_path) == [printed_then]  # the very code the first page carried


def test_R15_a_revoked_certificate_is_not_reprinted(office: World) -> None:
    certificates = office.services.certificates
    issued = _issue(office)
    office.clock.set(bogota(2026, 12, 2, 9, 0))
    certificates.revoke(issued.number, "Factura anulada", actor=office.actor("carolina.rojas"))
    with pytest.raises(PolicyRefusal, match=r"CERT-2026-00001 fue revocado el 2 dic 2026: Factura anulada; no se"):
        certificates.reprint(issued.number, actor=office.actor("carolina.rojas"))


def test_R15_an_agent_or_a_technician_may_not_reprint_a_certificate(office: World) -> None:
    issued = _issue(office)
    for who in ("laura", "diego"):
        with pytest.raises(PermissionDeniedError):
            office.services.certificates.reprint(issued.number, actor=office.actor(who))
    history = office.services.audit.history_of(office.actor("admin"), "certificate", issued.number)
    assert [entry.action for entry in history] == ["issue"]  # nothing reprinted, nothing recorded


def test_R15_a_coordinator_reprints_a_certificate_and_the_reprint_is_audited(office: World) -> None:
    issued = _issue(office)
    pdf = office.services.certificates.reprint(issued.number, "a4", actor=office.actor("mauricio.diaz"))
    assert pdf.startswith(b"%PDF") and pdf != issued.pdf  # A4 this time
    history = office.services.audit.history_of(office.actor("admin"), "certificate", issued.number)
    reprinted = next(entry for entry in history if entry.action == "reprint")
    assert reprinted.actor_name == "Mauricio Díaz" and reprinted.changes["paper"] == ("", "a4")
    assert audit_action_label("reprint") == "reimpreso"  # as the audit page words it


def test_certificate_numbers_and_revoke_reasons_with_nul_or_a_lone_surrogate_are_refused_or_cleaned(
    office: World,
) -> None:
    certificates, carolina = office.services.certificates, office.actor("carolina.rojas")
    issued = _issue(office)
    for number in ("CERT\ud800", "\x00", "C" * 100_000):
        with pytest.raises(UserFacingError, match="No existe el certificado"):
            certificates.reprint(number, actor=carolina)
        with pytest.raises(UserFacingError, match="No existe el certificado"):
            certificates.revoke(number, "Error de digitación", actor=carolina)
    assert certificates.reprint(f"{issued.number}\x00", actor=carolina) == issued.pdf  # NUL dropped, then found
    certificates.revoke(f" {issued.number}\n", "Factura\x00 anulada \ud800 ", actor=carolina)
    [stored] = certificates.for_contract(ContractId(office.ids["c_uni"]))
    assert stored.revoked_reason == "Factura anulada \ufffd"


def test_R15_the_densest_qr_a_certificate_may_carry_reads_from_a_photo_of_a_150_dpi_print(
    office: World, tmp_path: Path
) -> None:
    """MAX_QR_TEXT characters (QR version 23 at 48 mm) printed at 150 dpi, photographed tilted, a little
    blurred and saved as JPEG: still read. (Measured: the same photo fails from version 25 on.)"""
    import string

    from desktop_app.devices.qr_encoder import qr_modules
    from desktop_app.documents.certificate_pdf import PAPER_SIZES, render_certificate
    from desktop_app.domain.certificate import CERTIFICATE_URL_PREFIX

    rng = random.Random(24)
    alphabet = string.ascii_letters + string.digits + "-_"  # base64url: the code's three parts

    def part(length: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(length))

    key_id, signature = part(11), part(86)
    facts = part(MAX_QR_TEXT - len(CERTIFICATE_URL_PREFIX) - len(key_id) - len(signature) - 2)
    densest = f"{CERTIFICATE_URL_PREFIX}{key_id}.{facts}.{signature}"
    assert len(densest) == MAX_QR_TEXT
    pdf = render_certificate(_issue(office).data, densest, PAPER_SIZES["letter"], qr_modules)
    path = tmp_path / "denso.pdf"
    path.write_bytes(pdf)
    print_150_dpi = ["pdftoppm", "-r", "150", "-gray", "-png", "-singlefile"]
    subprocess.run([*print_150_dpi, str(path), str(tmp_path / "p")], check=True)
    page = cv2.imread(str(tmp_path / "p.png"), cv2.IMREAD_GRAYSCALE)
    height, width = page.shape
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    tilted = np.float32([[30, 45], [width - 65, 8], [width - 15, height - 22], [8, height - 60]])
    photo = cv2.warpPerspective(page, cv2.getPerspectiveTransform(corners, tilted), (width, height), borderValue=200)
    photo = cv2.GaussianBlur(photo, (0, 0), 0.8)
    photo_path = tmp_path / "foto.jpg"
    cv2.imwrite(str(photo_path), photo, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert default_chain().decode_file(photo_path) == [densest]
