"""Issue 6 from the command line: label sheets whose every QR decodes back to its machine, and
`makersupport scan` on photos, scans and things that are not images."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import pytest

from desktop_app.bootstrap import build_services
from desktop_app.devices.qr_decoder import default_chain
from desktop_app.domain.qr import ScannedLabel, read_label
from desktop_app.services.clock import FixedClock
from tests.conftest import DEMO_NOW, make_settings
from tests.integration.test_cli import run
from tests.qr_frames import Degradation, webcam_frame

CUSTOMER = "Gimnasio Moderno"


def _customer(folder: Path) -> tuple[str, set[str]]:
    """The NIT of the demo customer and the serials of its machines."""
    services = build_services(make_settings(folder), clock=FixedClock(DEMO_NOW))
    try:
        machines = [m for m in services.machines.search(CUSTOMER)]
        return machines[0].tax_id, {m.serial for m in machines}
    finally:
        services.close()


def _pages(pdf: Path, out: Path, dpi: int = 150) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out / "page")], check=True)
    return sorted(out.glob("page*.png"))


@pytest.mark.parametrize("sheet", ["a4-21", "letter-30"])
def test_r2_every_label_on_the_sheet_decodes_back_to_its_machine(demo_folder: Path, tmp_path: Path, sheet: str) -> None:
    nit, serials = _customer(demo_folder)
    out = tmp_path / "etiquetas.pdf"
    url = make_settings(demo_folder).db_url
    result = run("--db", url, "labels", "--out", str(out), "--customer", nit, "--sheet", sheet, data_dir=demo_folder)
    assert result.returncode == 0, result.stderr
    assert f"{len(serials)} labels written" in result.stdout
    chain = default_chain()
    read: set[str] = set()
    for page in _pages(out, tmp_path):
        for text in chain.read(cv2.imread(str(page), cv2.IMREAD_GRAYSCALE)):
            label = read_label(text)
            assert isinstance(label, ScannedLabel)
            read.add(label.serial)
    assert read == serials
    words = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "soporte@somosmaker.com" in words and all(serial in words for serial in serials)


def test_r2_labels_refuse_unknown_serials_and_never_overwrite(demo_folder: Path, tmp_path: Path) -> None:
    url = make_settings(demo_folder).db_url
    out = tmp_path / "etiquetas.pdf"
    unknown = run("--db", url, "labels", "--out", str(out), "--machines", "MK-ZZ-000000", data_dir=demo_folder)
    assert unknown.returncode == 2 and "MK-ZZ-000000" in unknown.stderr and not out.exists()
    out.write_bytes(b"keep me")
    again = run("--db", url, "labels", "--out", str(out), "--machines", "MK-R2-230055", data_dir=demo_folder)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert out.read_bytes() == b"keep me"


def test_scan_reads_photos_resolves_machines_and_says_when_there_is_nothing(demo_folder: Path, tmp_path: Path) -> None:
    payload = "https://somosmaker.com/soporte/m/MK-R2-230055"
    photo = tmp_path / "foto etiqueta.jpg"
    cv2.imwrite(str(photo), webcam_frame(3, payload, Degradation(4, rotation=25, blur=0.6, noise=4)))
    wall = tmp_path / "pared.png"
    cv2.imwrite(str(wall), webcam_frame(4, None, Degradation(4)))
    broken = tmp_path / "no-es-imagen.png"
    broken.write_text("hola")
    url = make_settings(demo_folder).db_url

    raw = run("scan", "--raw", str(photo), data_dir=tmp_path)
    assert raw.returncode == 0 and raw.stdout == payload + "\n"
    resolved = run("--db", url, "scan", str(photo), data_dir=demo_folder)
    assert resolved.returncode == 0 and "MK-R2-230055" in resolved.stdout and CUSTOMER in resolved.stdout
    nothing = run("scan", "--raw", str(wall), data_dir=tmp_path)
    assert nothing.returncode == 1 and nothing.stdout == ""
    not_image = run("scan", str(broken), data_dir=tmp_path)
    assert not_image.returncode == 2 and "not an image" in not_image.stderr


def test_r15_certificate_keygen_issue_and_verify_from_the_command_line(demo_folder: Path, tmp_path: Path) -> None:
    url = make_settings(demo_folder).db_url
    keys = run("--db", url, "certificate", "keygen", data_dir=demo_folder)
    assert keys.returncode == 0 and (demo_folder / "keys" / "certificate-signing.key").is_file()
    assert (demo_folder / "keys" / "certificate-signing.key").stat().st_mode & 0o077 == 0  # owner only
    services = build_services(make_settings(demo_folder), clock=FixedClock(DEMO_NOW))
    try:
        contract = next(c for c in services.contracts.list_contracts() if services.contracts.state_of(c).in_force)
    finally:
        services.close()
    out = tmp_path / "certificado.pdf"
    issued = run("--db", url, "certificate", "issue", "--contract", contract.invoice_number, "--out", str(out),
                 data_dir=demo_folder)  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    verified = run("--db", url, "certificate", "verify", str(out), data_dir=demo_folder)
    assert verified.returncode == 0, verified.stderr
    assert "Valid certificate" in verified.stdout and contract.invoice_number in verified.stdout
    assert "The contract is active in this database." in verified.stdout
    elsewhere = run("certificate", "verify", str(out), data_dir=tmp_path)  # an installation without that key
    assert elsewhere.returncode == 1 and "does not recognise" in elsewhere.stdout
    number = issued.stdout.split()[1]
    again = run("--db", url, "certificate", "issue", "--contract", contract.invoice_number, "--out", str(out),
                data_dir=demo_folder)  # fmt: skip
    assert again.returncode == 2 and "already exists" in again.stderr
    copy = tmp_path / "copia.pdf"
    reprinted = run("--db", url, "certificate", "reprint", number, "--out", str(copy), data_dir=demo_folder)
    assert reprinted.returncode == 0 and copy.read_bytes() == out.read_bytes()
    run("--db", url, "certificate", "revoke", number, "--reason", "Factura anulada", data_dir=demo_folder)
    revoked = run("--db", url, "certificate", "verify", str(out), data_dir=demo_folder)
    assert revoked.returncode == 1 and "Factura anulada" in revoked.stdout
