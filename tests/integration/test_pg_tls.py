"""The README's team-server URL with TLS (`?sslmode=verify-full&sslrootcert=…`) reaches libpq intact:
the desk, the schema upgrade and pg_dump all verify the server's certificate against the given CA."""

from __future__ import annotations

import ipaddress
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import text

from desktop_app.bootstrap import build_services
from desktop_app.domain.permissions import SYSTEM
from desktop_app.errors import DatabaseUnavailableError
from desktop_app.services.clock import FixedClock
from tests.conftest import DEMO_NOW, make_settings
from tests.integration.test_cli import run
from tests.pg_server import TemporaryPostgres

pytestmark = pytest.mark.usefixtures("english_ui")


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[str, ec.EllipticCurvePrivateKey] | None
) -> x509.Certificate:
    now = datetime.now(UTC)
    issuer_name, issuer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
    )
    if issuer is None:  # a certificate authority
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    else:  # the server: valid for 127.0.0.1 only, so "localhost" fails verify-full's name check
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class TlsServer:
    pg: TemporaryPostgres
    database: str
    ca: Path  # the CA that signed the server's certificate
    other_ca: Path  # a CA that did not

    def url(self, host: str = "127.0.0.1", ca: Path | None = None, mode: str = "verify-full") -> str:
        """The README's form of a team URL; mode "require" goes without sslrootcert (with one, libpq
        would verify the CA anyway)."""
        address = f"postgresql+psycopg://postgres@{host}:{self.pg.port}/{self.database}?sslmode={mode}"
        return address if mode == "require" else f"{address}&sslrootcert={ca or self.ca}"


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    """A PostgreSQL server of its own with TLS on (the shared test server stays plain)."""
    folder = tmp_path_factory.mktemp("tls")
    ca_key, other_key, server_key = _key(), _key(), _key()
    ca = _certificate("makeR test CA", ca_key, None)
    (folder / "ca.pem").write_bytes(_pem(ca))
    (folder / "other-ca.pem").write_bytes(_pem(_certificate("Someone else's CA", other_key, None)))
    server = TemporaryPostgres().start()
    try:
        data = server.folder / "data"
        (data / "server.crt").write_bytes(_pem(_certificate("db.oficina", server_key, ("makeR test CA", ca_key))))
        key_file = data / "server.key"
        key_file.write_bytes(
            server_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        os.chmod(key_file, 0o600)
        if os.geteuid() == 0:  # the server runs as postgres and reads its key only if it owns it
            for name in ("server.crt", "server.key"):
                shutil.chown(data / name, "postgres", "postgres")
        with psycopg.connect(
            host="127.0.0.1", port=server.port, user="postgres", dbname="postgres", autocommit=True
        ) as admin:
            admin.execute("ALTER SYSTEM SET ssl = on")
            admin.execute("SELECT pg_reload_conf()")
        database = server.create_database()
        yield TlsServer(server, database, folder / "ca.pem", folder / "other-ca.pem")
    finally:
        server.stop()


def test_the_desk_connects_with_verify_full_and_the_connection_is_encrypted(
    tls_server: TlsServer, tmp_path: Path
) -> None:
    services = build_services(make_settings(tmp_path, tls_server.url()), clock=FixedClock(DEMO_NOW))
    try:
        with services.engine.connect() as connection:
            encrypted = connection.execute(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).scalar()
        assert encrypted is True
        # pg_dump gets sslmode and sslrootcert too (the backup's address keeps the URL's options).
        copy = services.backups.backup_now(SYSTEM, tmp_path / "copia.backup")
        assert copy.stat().st_size > 0
    finally:
        services.close()


@pytest.mark.parametrize(
    ("host", "other_ca"),
    [
        ("127.0.0.1", True),  # a certificate signed by a CA we do not trust: an impostor
        ("localhost", False),  # the right CA, but not this name: verify-full checks the name too
    ],
)
def test_verify_full_refuses_a_server_it_cannot_verify(
    tls_server: TlsServer, tmp_path: Path, host: str, other_ca: bool
) -> None:
    url = tls_server.url(host, tls_server.other_ca if other_ca else None)
    with pytest.raises(DatabaseUnavailableError, match="identity could not be verified"):
        build_services(make_settings(tmp_path, url), clock=FixedClock(DEMO_NOW))
    # The same URL with sslmode=require (encryption without checking who answers) connects: so the
    # refusal above came from the verification the URL asked for.
    lax = build_services(make_settings(tmp_path, tls_server.url(host, mode="require")), clock=FixedClock(DEMO_NOW))
    lax.close()


def test_makersupport_db_upgrade_with_a_tls_url(tls_server: TlsServer, tmp_path: Path) -> None:
    result = run("--db", tls_server.url(), "db", "upgrade", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    refused = run("--db", tls_server.url(ca=tls_server.other_ca), "db", "upgrade", data_dir=tmp_path)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr


def test_the_connection_window_s_url_gets_tls_from_libpq_s_environment(
    tls_server: TlsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection window has no TLS fields: PGSSLMODE and PGSSLROOTCERT (README) stand in."""
    plain = f"postgresql+psycopg://postgres@127.0.0.1:{tls_server.pg.port}/{tls_server.database}"
    monkeypatch.setenv("PGSSLMODE", "verify-full")
    monkeypatch.setenv("PGSSLROOTCERT", str(tls_server.other_ca))
    with pytest.raises(DatabaseUnavailableError):
        build_services(make_settings(tmp_path, plain), clock=FixedClock(DEMO_NOW))
    monkeypatch.setenv("PGSSLROOTCERT", str(tls_server.ca))
    services = build_services(make_settings(tmp_path, plain), clock=FixedClock(DEMO_NOW))
    try:
        with services.engine.connect() as connection:
            assert connection.execute(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).scalar()
    finally:
        services.close()
