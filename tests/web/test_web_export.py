"""Issue 17: the exported site's files and how they are written (no browser: tests/web/test_web_pages.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from desktop_app.domain.mail import serials_mentioned
from desktop_app.domain.revocation_list import RevokedEntry, read_revocation_payload
from desktop_app.errors import UserFacingError
from desktop_app.paths import resource_path
from desktop_app.signing import Ed25519CertificateSigner
from desktop_app.web import export
from desktop_app.web.export import is_earlier_export, write_site
from desktop_app.web.site import MAIL_SUBJECT, MARKER, SITE_FOLDER, SiteFiles
from tests.web.conftest import MADE_AT
from tests.web.site_server import apache_rules, htaccess_rules, nginx_rules

PAGES = ("m/index.html", "c/index.html", "politica/index.html")


def test_the_site_has_the_three_pages_their_resources_and_the_server_rules(files: SiteFiles) -> None:
    assert set(files.site) == {
        *PAGES,
        ".htaccess",
        "recursos/sitio.css",
        "recursos/etiqueta.js",
        "recursos/verificar.js",
        "recursos/logo.svg",
        "recursos/noble-ed25519.js",
        "recursos/LICENSE-noble-ed25519.txt",
        "datos/claves.json",
        "datos/revocaciones.json",
        MARKER,
    }
    assert set(files.servers) == {"nginx-soporte.conf", "apache-soporte.conf"}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_is_spanish_self_contained_and_escapes_the_company_data(files: SiteFiles, page: str) -> None:
    html = files.site[page].decode("utf-8")
    assert '<html lang="es-CO">' in html
    assert "${" not in html and "$company" not in html  # every placeholder filled
    assert "default-src 'none'" in html  # the Content-Security-Policy
    assert re.findall(r"""(?:src|href)="(?!/soporte/|mailto:|tel:|#)[^"]*""", html) == []  # nothing from elsewhere
    assert "<script>alert" not in html
    assert "3D makeR &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cía" in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert all('src="/soporte/recursos/' in tag for tag in scripts)  # no inline script


def test_the_label_page_carries_the_support_address_phone_and_response_times(files: SiteFiles) -> None:
    html = files.site["m/index.html"].decode("utf-8")
    assert 'data-email="soporte@somosmaker.com"' in html
    assert 'href="tel:+576053850000"' in html and "+57 605 385 0000" in html
    assert "Lunes a viernes: 8:00 a 12:00 y 14:00 a 18:00" in html
    premium = re.search(r"<tr><th scope=\"row\">Premium</th>(.*?)</tr>", html)
    assert premium is not None
    assert re.findall(r"<td>([^<]*)</td>", premium.group(1)) == ["2 h", "4 h", "8 h", "16 h"]
    # The desk's mail intake finds the machine in the subject the page writes.
    assert serials_mentioned(MAIL_SUBJECT.format(serial="MK-M3-240130")) == ("MK-M3-240130",)


def test_the_policy_page_shows_the_configured_plans_and_times(files: SiteFiles) -> None:
    html = files.site["politica/index.html"].decode("utf-8")
    assert "versión 3" in html and "2 de diciembre de 2026" in html
    assert '<td data-label="Valor del plan">$ 9.800.000</td>' in html
    assert "Nivel 2 · Coordinador de soporte: cuando se cumple el tiempo de respuesta sin respuesta." in html
    assert "2 días hábiles después del tercer intento" in html
    assert "como máximo 4 horas" in html


def test_the_published_keys_and_revocation_list_verify_with_the_office_key(
    files: SiteFiles, signer: Ed25519CertificateSigner
) -> None:
    keys = json.loads(files.site["datos/claves.json"])["claves"]
    own = signer.public_key()
    assert own is not None and keys[0]["clave"] == base64.urlsafe_b64encode(own).decode().rstrip("=")
    assert keys[0]["id"] == base64.urlsafe_b64encode(hashlib.sha256(own).digest()[:8]).decode().rstrip("=")
    signed = json.loads(files.site["datos/revocaciones.json"])

    def unb64(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    payload = unb64(signed["p"])
    Ed25519PublicKey.from_public_bytes(own).verify(unb64(signed["s"]), payload)  # raises if not
    assert unb64(signed["k"]) == hashlib.sha256(own).digest()[:8]
    listed = read_revocation_payload(payload)
    assert listed.made_at == MADE_AT and listed.revoked("CERT-2026-00007") == RevokedEntry(
        "CERT-2026-00007", date(2026, 11, 30)
    )
    assert b"Factura" not in payload  # reasons stay in the office


def test_the_vendored_ed25519_library_is_the_pinned_release(files: SiteFiles) -> None:
    """@noble/ed25519 3.2.0's index.js as npm ships it (resources/web/vendor/README.md)."""
    library = files.site["recursos/noble-ed25519.js"]
    assert hashlib.sha256(library).hexdigest() == "a4f631d1876b5d9e43a86cd71194ca27b5e1451edf4ba4db9a418f40a475569a"
    assert b"MIT License" in files.site["recursos/LICENSE-noble-ed25519.txt"]


def test_apache_and_nginx_rules_send_the_same_paths_to_the_same_pages() -> None:
    folder = resource_path("web")
    expected = [("/soporte/m/", "/soporte/m/index.html"), ("/soporte/c/", "/soporte/c/index.html")]
    assert nginx_rules((folder / "nginx-soporte.conf").read_text(encoding="utf-8")) == expected
    assert htaccess_rules((folder / "htaccess").read_text(encoding="utf-8")) == expected
    assert apache_rules((folder / "apache-soporte.conf").read_text(encoding="utf-8")) == expected


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_export_is_written_whole_and_replaced_only_with_force(files: SiteFiles, tmp_path: Path) -> None:
    out = tmp_path / "sitio"
    written = write_site(files, out)
    assert not written.replaced and written.files == len(files.site) + 2
    first = _tree(out)
    assert first[f"{SITE_FOLDER}/c/index.html"] == files.site["c/index.html"]
    assert is_earlier_export(out / SITE_FOLDER)
    assert oct((out / SITE_FOLDER).stat().st_mode & 0o777) == "0o755"
    (out / SITE_FOLDER / "viejo.txt").write_text("de una exportación anterior")
    with pytest.raises(UserFacingError, match="--force"):
        write_site(files, out)
    assert (out / SITE_FOLDER / "viejo.txt").exists()
    again = write_site(files, out, force=True)
    assert again.replaced and _tree(out) == first  # the old file went with the old export
    assert sorted(p.name for p in out.iterdir()) == ["apache-soporte.conf", "nginx-soporte.conf", SITE_FOLDER]


def test_a_folder_the_export_did_not_write_is_never_touched(files: SiteFiles, tmp_path: Path) -> None:
    theirs = tmp_path / "web" / SITE_FOLDER
    theirs.mkdir(parents=True)
    (theirs / "index.html").write_text("la página de otro")
    for force in (False, True):
        with pytest.raises(UserFacingError, match="no lo escribió"):
            write_site(files, tmp_path / "web", force=force)
    assert _tree(tmp_path / "web") == {f"{SITE_FOLDER}/index.html": b"la p\xc3\xa1gina de otro"}
    (tmp_path / "otro").mkdir()
    (tmp_path / "otro" / "nginx-soporte.conf").write_text("server {}")
    with pytest.raises(UserFacingError, match=r"nginx-soporte\.conf"):
        write_site(files, tmp_path / "otro", force=True)
    assert _tree(tmp_path / "otro") == {"nginx-soporte.conf": b"server {}"}
    (tmp_path / "archivo").write_text("x")
    with pytest.raises(UserFacingError, match="es un archivo"):
        write_site(files, tmp_path / "archivo")


def test_a_failure_half_way_leaves_the_earlier_export_as_it_was(
    files: SiteFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "sitio"
    write_site(files, out)
    before = _tree(out)
    real_write = export._write
    calls = {"n": 0}

    def disk_full_after_five(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] > 5:
            raise OSError(28, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(export, "_write", disk_full_after_five)
    with pytest.raises(UserFacingError, match="No space left on device"):
        write_site(files, out, force=True)
    assert _tree(out) == before
    assert sorted(os.listdir(out)) == ["apache-soporte.conf", "nginx-soporte.conf", SITE_FOLDER]  # no leftovers
    # The same when the disk fills while the server snippets are written, after the swap.
    calls["n"] = 5 - len(files.site)
    with pytest.raises(UserFacingError):
        write_site(files, out, force=True)
    assert _tree(out) == before and sorted(os.listdir(out)) == [
        "apache-soporte.conf",
        "nginx-soporte.conf",
        SITE_FOLDER,
    ]


def test_the_command_refuses_an_installation_without_a_signing_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop_app.cli import main

    monkeypatch.setenv("MAKERSUPPORT_DATA_DIR", str(tmp_path))
    code = main(["--db", f"sqlite:///{tmp_path / 'vacia.sqlite3'}", "web", "export", "--out", str(tmp_path / "sitio")])
    assert code == 2
    assert "certificate keygen" in capsys.readouterr().err
    assert not (tmp_path / "sitio").exists()
