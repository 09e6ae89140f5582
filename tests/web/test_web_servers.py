"""Issue 17: the shipped rules in the real servers makeR's host may run — Debian's nginx and Apache 2.4 —
each started on a loopback port over an exported site: every label and certificate path gets its page.

A certificate's code is one path segment of 300–850 characters, longer than a file name may be; Apache
answers such a path 403 before it reads any .htaccess, which is why apache-soporte.conf exists.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.web.export import write_site
from desktop_app.web.site import APACHE_SNIPPET, NGINX_SNIPPET, SITE_FOLDER, SiteFiles

APACHE_MODULES = Path("/usr/lib/apache2/modules")
CERTIFICATE_PATH = "/soporte/c/" + "A" * 11 + "." + "B" * 400 + "." + "C" * 86  # a code's shape and length
LABEL_TITLE = "<title>Soporte técnico de su máquina"
VERIFIER_TITLE = "<title>Verificación de certificado"


@pytest.fixture(scope="module")
def root(files: SiteFiles) -> Iterator[Path]:
    """An export the servers' workers (www-data when run as root) can read."""
    folder = Path(tempfile.mkdtemp(prefix="makersupport-web-"))
    try:
        folder.chmod(0o755)
        write_site(files, folder / "sitio")
        yield folder
    finally:
        shutil.rmtree(folder)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), ""


def _started(command: list[str], port: int, log: Path) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.05)
    server.kill()
    pytest.fail(f"{command[0]} did not start: {log.read_text() if log.exists() else ''}")


@pytest.fixture
def stop() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for server in started:
        server.terminate()
        server.wait(10)


def _nginx(root: Path, port: int) -> tuple[list[str], Path]:
    work = root / "nginx"
    work.mkdir(exist_ok=True)
    user = "user www-data;" if os.geteuid() == 0 else ""
    temp = " ".join(f"{kind}_temp_path {work / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = work / "nginx.conf"
    conf.write_text(
        f"{user} daemon off; worker_processes 1; pid {work / 'nginx.pid'}; error_log {work / 'error.log'};\n"
        "events { worker_connections 64; }\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; {temp}\n"
        f"  server {{ listen 127.0.0.1:{port}; root {root / 'sitio'}; include {root / 'sitio' / NGINX_SNIPPET}; }}\n"
        "}\n"
    )
    return ["/usr/sbin/nginx", "-c", str(conf), "-p", str(work)], work / "error.log"


def _apache(root: Path, port: int, *, server_rules: bool) -> tuple[list[str], Path]:
    work = root / ("apache-server" if server_rules else "apache-htaccess")
    work.mkdir(exist_ok=True)
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    modules = "".join(
        f"LoadModule {name}_module {APACHE_MODULES / f'mod_{name}.so'}\n"
        for name in ("mpm_event", "authz_core", "dir", "mime", "rewrite", "headers")
    )
    site = root / "sitio"
    conf = work / "httpd.conf"
    conf.write_text(
        f"ServerName localhost\nListen 127.0.0.1:{port}\nPidFile {work / 'httpd.pid'}\n"
        f"ErrorLog {work / 'error.log'}\nDefaultRuntimeDir {work}\nMutex file:{work} default\n{user}{modules}"
        f"TypesConfig /etc/mime.types\nDocumentRoot {site}\nDirectoryIndex index.html\n"
        "<Directory />\n  AllowOverride None\n  Require all denied\n</Directory>\n"
        f"<Directory {site}>\n  AllowOverride FileInfo\n  Require all granted\n</Directory>\n"
        + (f"Include {site / APACHE_SNIPPET}\n" if server_rules else "")
    )
    return ["/usr/sbin/apache2", "-f", str(conf), "-DFOREGROUND"], work / "error.log"


def _serves_every_page(base: str) -> None:
    status, _headers, body = _get(f"{base}/soporte/m/MK-M3-240130")
    assert status == 200 and LABEL_TITLE in body
    assert _get(f"{base}/soporte/m/")[0] == 200
    assert _get(f"{base}/soporte/m/%3Cscript%3E")[2].count(LABEL_TITLE) == 1
    status, headers, body = _get(base + CERTIFICATE_PATH)
    assert status == 200 and VERIFIER_TITLE in body
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert _get(f"{base}/soporte/c/")[0] == 200
    status, headers, _body = _get(f"{base}/soporte/datos/revocaciones.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert headers["Cache-Control"] == "no-cache"
    status, headers, _body = _get(f"{base}/soporte/recursos/verificar.js")
    assert status == 200 and "javascript" in headers["Content-Type"]
    assert "Políticas de soporte técnico" in _get(f"{base}/soporte/politica/")[2]


def test_nginx_with_the_shipped_snippet_serves_every_page(root: Path, stop: list[subprocess.Popen[bytes]]) -> None:
    port = _free_port()
    command, log = _nginx(root, port)
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    stop.append(_started(command, port, log))
    _serves_every_page(f"http://127.0.0.1:{port}")
    assert _get(f"http://127.0.0.1:{port}/{SITE_FOLDER}/.htaccess")[0] == 404


def test_apache_with_the_shipped_server_rules_serves_every_page_and_htaccess_alone_cannot(
    root: Path, stop: list[subprocess.Popen[bytes]]
) -> None:
    port = _free_port()
    command, log = _apache(root, port, server_rules=True)
    checked = subprocess.run([*command[:-1], "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    stop.append(_started(command, port, log))
    _serves_every_page(f"http://127.0.0.1:{port}")
    # Only the .htaccess: the label pages work, a certificate's long path is refused before it is read.
    port = _free_port()
    command, log = _apache(root, port, server_rules=False)
    stop.append(_started(command, port, log))
    base = f"http://127.0.0.1:{port}"
    assert LABEL_TITLE in _get(f"{base}/soporte/m/MK-M3-240130")[2]
    assert _get(base + CERTIFICATE_PATH)[0] == 403
    assert "AH00036" in log.read_text()
